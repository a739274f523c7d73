package chain

import (
	"encoding/binary"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/amanat-ledger/amanat/chain/log"
	"github.com/amanat-ledger/amanat/ledger"
)

// Short names the tests use for the log's helpers, and the raw bucket
// names for the tests that edit a store's file with bbolt directly, as an
// insider would.
var (
	be64       = log.BE64
	beUint     = log.Uint64
	leafHex    = func(h tlog.Hash) string { return log.HashHex(h) }
	RecordLeaf = log.RecordLeaf

	bucketMeta    = []byte(ledger.ChainMeta.Name())
	bucketEntries = []byte(ledger.ChainEntries.Name())
	bucketItems   = []byte(ledger.ChainItems.Name())
	bucketState   = []byte(ledger.ChainState.Name())
	bucketLeaves  = []byte(ledger.ChainLeaves.Name())
	bucketHashes  = []byte(ledger.ChainHashes.Name())
	bucketRecords = []byte(ledger.ChainRecords.Name())
)

const KindTransaction = log.KindTransaction

// recordKey is a key of the record index, as docs/custody-format.md lays
// it out: kind 0x00 BE(id).
func recordKey(kind string, id uint64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte(kind), 0), id)
}

// backfilledKey is the meta key that marks a record kind as backfilled.
func backfilledKey(kind string) []byte { return []byte("records.backfilled " + kind) }

// recordLeafValue is a record's value in the leaf index: kind byte, BE(id),
// the record kind's name.
func recordLeafValue(kind string, id uint64) []byte {
	return append(binary.BigEndian.AppendUint64([]byte{log.KindRecord}, id), kind...)
}
