package log

import (
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/amanat-ledger/amanat/ledger"
)

// InclusionProof shows that one record is leaf LeafIndex of the tree of
// TreeSize leaves whose root is Root (RFC 6962 audit path, as
// tlog.ProveRecord makes it and tlog.CheckRecord checks it).
type InclusionProof struct {
	Kind      string // "custody" or "transaction"
	ID        uint64 // custody entry seq or ledger transaction id
	LeafIndex uint64
	TreeSize  uint64
	LeafHash  tlog.Hash
	Root      tlog.Hash
	Hashes    []tlog.Hash
	Canonical []byte // the record's stored bytes
}

// ConsistencyProof shows that the tree of Old leaves is a prefix of the tree
// of New leaves (tlog.ProveTree / tlog.CheckTree).
type ConsistencyProof struct {
	Old, New         uint64
	OldRoot, NewRoot tlog.Hash
	Hashes           []tlog.Hash
}

// treeSizeFor picks the proof's tree size: size, or the stored
// checkpoint's size when size is 0.
func (l *Log) treeSizeFor(tx *ledger.Tx, size uint64) (uint64, error) {
	n := Size(tx)
	if size == 0 {
		cp, err := l.StoredCheckpoint(tx)
		if err != nil {
			return 0, err
		}
		size = cp.Size
	}
	if size > n {
		return 0, ledger.FieldErr("size", fmt.Sprintf("the log holds %d leaves, not %d", n, size))
	}
	return size, nil
}

// ProveTransaction is the inclusion proof of ledger transaction id.
func (l *Log) ProveTransaction(tx *ledger.Tx, id, size uint64) (InclusionProof, error) {
	v := tx.Get(ledger.ChainTxLeaf, BE64(id))
	raw := tx.RawTransaction(id)
	if v == nil || raw == nil {
		return InclusionProof{}, ledger.Errorf(ledger.ENotFound, "ledger transaction %d is not in the log", id)
	}
	return l.Prove(tx, "transaction", id, Uint64(v), size, raw)
}

func (l *Log) Prove(tx *ledger.Tx, kind string, id, leaf, size uint64, raw []byte) (InclusionProof, error) {
	size, err := l.treeSizeFor(tx, size)
	if err != nil {
		return InclusionProof{}, err
	}
	if leaf >= size {
		return InclusionProof{}, ledger.FieldErr("size", fmt.Sprintf("%s %d is leaf %d: the tree must hold at least %d leaves, not %d", kind, id, leaf, leaf+1, size))
	}
	r := Hashes(tx)
	p, err := tlog.ProveRecord(int64(size), int64(leaf), r)
	if err != nil {
		return InclusionProof{}, fmt.Errorf("prove leaf %d in %d: %w", leaf, size, err)
	}
	root, err := tlog.TreeHash(int64(size), r)
	if err != nil {
		return InclusionProof{}, fmt.Errorf("tree hash at %d: %w", size, err)
	}
	lh, err := LeafHash(tx, leaf)
	if err != nil {
		return InclusionProof{}, err
	}
	return InclusionProof{Kind: kind, ID: id, LeafIndex: leaf, TreeSize: size, LeafHash: lh, Root: root, Hashes: p, Canonical: raw}, nil
}

// ProveConsistency is the proof that the tree of old leaves is a prefix of
// the tree of new leaves (new 0: the stored checkpoint's size).
func (l *Log) ProveConsistency(tx *ledger.Tx, old, new uint64) (ConsistencyProof, error) {
	new, err := l.treeSizeFor(tx, new)
	if err != nil {
		if fe, ok := err.(*ledger.Error); ok && len(fe.Fields) == 1 {
			fe.Fields[0].Field = "new"
		}
		return ConsistencyProof{}, err
	}
	if old == 0 || old > new {
		return ConsistencyProof{}, ledger.FieldErr("old", fmt.Sprintf("must be between 1 and new (%d)", new))
	}
	r := Hashes(tx)
	p, err := tlog.ProveTree(int64(new), int64(old), r)
	if err != nil {
		return ConsistencyProof{}, fmt.Errorf("prove %d in %d: %w", old, new, err)
	}
	oldRoot, err := tlog.TreeHash(int64(old), r)
	if err != nil {
		return ConsistencyProof{}, err
	}
	newRoot, err := tlog.TreeHash(int64(new), r)
	if err != nil {
		return ConsistencyProof{}, err
	}
	return ConsistencyProof{Old: old, New: new, OldRoot: oldRoot, NewRoot: newRoot, Hashes: p}, nil
}

// TreeSize is the number of leaves in the log.
func (l *Log) TreeSize(tx *ledger.Tx) uint64 { return Size(tx) }
