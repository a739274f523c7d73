package chain

import "github.com/amanat-ledger/amanat/chain/log"

// The formats of the custody log, for `amanat version` (BundleFormat is
// declared with its encoder).
const (
	// LogStoreFormat is the format of the log's buckets, recorded in the store.
	LogStoreFormat = log.StoreFormat
	// EntryFormat is the first line of a custody entry's canonical bytes.
	EntryFormat = entryFormat
	// RecordFormat is the first line of a record leaf.
	RecordFormat = log.RecordFormat
)
