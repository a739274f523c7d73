package chain

// The formats of the custody log, for `amanat version` (BundleFormat and
// RecordFormat are declared with their encoders).
const (
	// LogStoreFormat is the format of the log's buckets, recorded in the store.
	LogStoreFormat = storeFormat
	// EntryFormat is the first line of a custody entry's canonical bytes.
	EntryFormat = entryFormat
)
