package log

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/amanat-ledger/amanat/ledger"
)

// StoreFormat is the format of the log's buckets, recorded in the store.
const StoreFormat = "amanat-custody-store/1"

// Leaf kinds: the first byte of a leaf's value in ledger.ChainLeaves, which
// says where the leaf's bytes are stored. The value goes on with BE(id) and,
// for a record, the record kind's name.
const (
	KindCustody     = 'c' // a custody entry (package chain), id its seq
	KindTransaction = 't' // a ledger transaction, id its id
	KindRecord      = 'r' // another package's record, id its id
)

// KindName names a leaf kind in errors.
func KindName(k byte) string {
	if k == KindTransaction {
		return "ledger transaction"
	}
	return "custody entry"
}

// BE64 is n as a big-endian key, so that keys sort as numbers (the
// ledger's one encoding of an id key).
func BE64(n uint64) []byte { return ledger.BE64(n) }

// Uint64 reads a big-endian key or value (its first 8 bytes).
func Uint64(b []byte) uint64 { return binary.BigEndian.Uint64(b) }

// HashHex is a hash as lower-case hex, the form bundles and reports use.
func HashHex(h tlog.Hash) string { return hex.EncodeToString(h[:]) }

// storedHashes reads the log's stored hashes from its bucket.
type storedHashes struct{ tx *ledger.Tx }

func (r storedHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		v := r.tx.Get(ledger.ChainHashes, BE64(uint64(x)))
		if len(v) != tlog.HashSize {
			return nil, fmt.Errorf("stored hash %d is missing", x)
		}
		copy(out[i][:], v)
	}
	return out, nil
}

// Hashes reads the stored tree hashes for tlog.
func Hashes(tx *ledger.Tx) tlog.HashReader { return storedHashes{tx} }

// Size is the number of leaves in the log.
func Size(tx *ledger.Tx) uint64 { return tx.Sequence(ledger.ChainLeaves) }

// AppendLeaf adds data as the next leaf of the log and returns its index and
// leaf hash. kind and id say where the record lives.
func AppendLeaf(tx *ledger.Tx, kind byte, id uint64, data []byte) (uint64, tlog.Hash, error) {
	n := Size(tx)
	hashes, err := tlog.StoredHashes(int64(n), data, Hashes(tx))
	if err != nil {
		return 0, tlog.Hash{}, fmt.Errorf("log leaf %d: %w", n, err)
	}
	base := uint64(tlog.StoredHashIndex(0, int64(n)))
	for i, h := range hashes {
		if err := tx.Put(ledger.ChainHashes, BE64(base+uint64(i)), h[:]); err != nil {
			return 0, tlog.Hash{}, fmt.Errorf("store log hash: %w", err)
		}
	}
	var v [9]byte
	v[0] = kind
	binary.BigEndian.PutUint64(v[1:], id)
	if err := tx.Put(ledger.ChainLeaves, BE64(n), v[:]); err != nil {
		return 0, tlog.Hash{}, fmt.Errorf("store log leaf: %w", err)
	}
	if err := tx.SetSequence(ledger.ChainLeaves, n+1); err != nil {
		return 0, tlog.Hash{}, fmt.Errorf("grow log: %w", err)
	}
	return n, hashes[0], nil
}

// LeafHash is the stored leaf hash at index i.
func LeafHash(tx *ledger.Tx, i uint64) (tlog.Hash, error) {
	hs, err := Hashes(tx).ReadHashes([]int64{tlog.StoredHashIndex(0, int64(i))})
	if err != nil {
		return tlog.Hash{}, err
	}
	return hs[0], nil
}
