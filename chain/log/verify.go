package log

import (
	"bytes"
	"fmt"
	"os"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/amanat-ledger/amanat/ledger"
)

// Tree is what a Verifier found to hold of the log itself.
type Tree struct {
	Leaves       uint64 // leaves in the log
	Transactions uint64 // ledger transaction leaves
	Records      uint64 // record leaves
	Checkpoint   uint64 // size of the signed checkpoint checked (0: none yet)
	Unsigned     uint64 // leaves after the checkpoint, not yet signed
	Witness      uint64 // size of the witness file's checkpoint checked (0: none)
	Root         string // hex root hash of the whole log
	Origin       string
	KeySource    string // where the public key came from: "key file" or "store"
}

// CustodyLeaves is what a Verifier needs of the owner of the custody leaves
// (package chain), whose bytes the log does not know how to find.
type CustodyLeaves interface {
	// Data is the stored bytes of custody entry seq, which leaf names; it
	// checks that leaf names the entry it should.
	Data(leaf, seq uint64) ([]byte, error)
	// Hashed hands on a custody leaf whose recomputed hashes match the
	// stored ones.
	Hashed(leaf, seq uint64, data []byte, h tlog.Hash)
	// Stopped says the owner has found a fault: the walk may end early.
	Stopped() bool
}

// A Verifier recomputes the log from the stored records: every leaf hash
// from the custody entry, ledger transaction or record it covers, every
// interior hash of the tree, that every stored record of the log's kinds is
// in it exactly once, and the signed checkpoint and the witness file. It
// works in stages (Walk, CheckIndexes, CheckCovered, CheckSigned) so that
// the custody log's own checks run between them and the first fault, in one
// fixed order, is the one reported.
type Verifier struct {
	l          *Log
	tx         *ledger.Tx
	sets       map[string]*recordSet
	tree       Tree
	recomputed sliceHashes
	hc, lc, tc *ledger.Cursor
	hk, hv     []byte // the next stored hash
	lk, lv     []byte // the next leaf of the leaf index
	tk, tv     []byte // the next key of the transaction index
	nextTxn    uint64
}

// NewVerifier starts verifying the log of tx. owned are the custody
// buckets that must exist beside the log's own. It returns nil and no
// error for a store that never had a log and has nothing it should cover.
func (l *Log) NewVerifier(tx *ledger.Tx, owned ...ledger.Bucket) (*Verifier, error) {
	sets, err := l.loadRecords(tx)
	if err != nil {
		return nil, err
	}
	if !tx.Has(ledger.ChainMeta) {
		if tx.LastTransactionID() > 0 {
			return nil, fmt.Errorf("custody log is missing but the ledger holds %d transactions", tx.LastTransactionID())
		}
		for _, k := range l.kinds {
			if len(sets[k.Name].stored) > 0 {
				return nil, fmt.Errorf("custody log is missing but the store holds %d %s records", len(sets[k.Name].stored), k.Label)
			}
		}
		return nil, nil // a store that never had a custody log and has no books
	}
	for _, b := range append(owned, ledger.ChainLeaves, ledger.ChainHashes, ledger.ChainTxLeaf) {
		if !tx.Has(b) {
			return nil, fmt.Errorf("custody log bucket %s is missing", b.Name())
		}
	}
	v := &Verifier{l: l, tx: tx, sets: sets, nextTxn: 1}
	if err := v.checkKey(); err != nil {
		return nil, err
	}
	v.tree.Leaves = Size(tx)
	v.recomputed = make(sliceHashes, 0, tlog.StoredHashCount(int64(v.tree.Leaves)))
	v.hc, v.lc, v.tc = tx.Cursor(ledger.ChainHashes), tx.Cursor(ledger.ChainLeaves), tx.Cursor(ledger.ChainTxLeaf)
	v.hk, v.hv = v.hc.First()
	v.lk, v.lv = v.lc.First()
	v.tk, v.tv = v.tc.First()
	return v, nil
}

// checkKey checks the store's name and key of the log against the key the
// log was opened with.
func (v *Verifier) checkKey() error {
	l, tx := v.l, v.tx
	v.tree.Origin = string(tx.Get(ledger.ChainMeta, []byte("origin")))
	if v.tree.Origin != l.origin {
		return fmt.Errorf("custody log is named %q, the key %q", v.tree.Origin, l.origin)
	}
	v.tree.KeySource = "store"
	if l.vkey != string(tx.Get(ledger.ChainMeta, []byte("vkey"))) {
		return fmt.Errorf("the store's public key is not the key file's")
	}
	if l.keyPath != "" {
		if _, err := os.Stat(l.keyPath); err == nil {
			v.tree.KeySource = "key file"
		}
	}
	return nil
}

// Tree is what the stages so far found.
func (v *Verifier) Tree() Tree { return v.tree }

// sliceHashes serves tlog's reads from the hashes Verify recomputed.
type sliceHashes []tlog.Hash

func (s *sliceHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(*s)) {
			return nil, fmt.Errorf("hash %d not computed yet", x)
		}
		out[i] = (*s)[x]
	}
	return out, nil
}

// Walk reads every leaf in log order, finds the bytes it covers and
// recomputes its hashes against the stored ones. Custody leaves go to
// custody, which may stop the walk.
func (v *Verifier) Walk(custody CustodyLeaves) error {
	for i := uint64(0); i < v.tree.Leaves && !custody.Stopped(); i++ {
		lk, lv := v.lk, v.lv
		if lk == nil || Uint64(lk) != i || len(lv) < 9 || len(lv) > 9 && lv[0] != KindRecord {
			return fmt.Errorf("log leaf %d is missing from the leaf index", i)
		}
		kind, id, what, data, err := v.leafData(custody, i, lv)
		if err != nil {
			return err
		}
		v.lk, v.lv = v.lc.Next()
		hs, err := v.rehash(i, what, id, data)
		if err != nil {
			return err
		}
		switch kind {
		case KindTransaction:
			v.tree.Transactions++
		case KindRecord:
			v.tree.Records++
		default:
			custody.Hashed(i, id, data, hs[0])
		}
	}
	return nil
}

// leafData is the stored bytes that leaf i, of index value lv, covers.
func (v *Verifier) leafData(custody CustodyLeaves, i uint64, lv []byte) (kind byte, id uint64, what string, data []byte, err error) {
	kind, id = lv[0], Uint64(lv[1:9])
	what = KindName(kind)
	switch kind {
	case KindRecord:
		what, id, data, err = recordData(v.tx, v.sets, i, lv)
	case KindCustody:
		data, err = custody.Data(i, id)
	case KindTransaction:
		data, err = v.transactionData(i, id)
	default:
		err = fmt.Errorf("log leaf %d has unknown kind %q", i, kind)
	}
	return kind, id, what, data, err
}

// transactionData is the stored bytes of ledger transaction id, which leaf
// i names, checked against the transaction index.
func (v *Verifier) transactionData(i, id uint64) ([]byte, error) {
	if id != v.nextTxn {
		return nil, fmt.Errorf("log leaf %d names ledger transaction %d, expected %d", i, id, v.nextTxn)
	}
	v.nextTxn++
	data := v.tx.RawTransaction(id)
	if data == nil {
		return nil, fmt.Errorf("ledger transaction %d: missing from the store (log leaf %d)", id, i)
	}
	if v.tk == nil || Uint64(v.tk) != id || len(v.tv) != 8 || Uint64(v.tv) != i {
		return nil, fmt.Errorf("ledger transaction %d: the transaction index does not point at log leaf %d", id, i)
	}
	v.tk, v.tv = v.tc.Next()
	return data, nil
}

// rehash recomputes the hashes that leaf i adds to the tree and compares
// them with the stored ones.
func (v *Verifier) rehash(i uint64, what string, id uint64, data []byte) ([]tlog.Hash, error) {
	hs, err := tlog.StoredHashes(int64(i), data, &v.recomputed)
	if err != nil {
		return nil, fmt.Errorf("log leaf %d: %w", i, err)
	}
	base := uint64(len(v.recomputed))
	for j, h := range hs {
		if v.hk == nil || Uint64(v.hk) != base+uint64(j) || !bytes.Equal(v.hv, h[:]) {
			if j == 0 {
				return nil, fmt.Errorf("%s %d: leaf hash does not match the log (log leaf %d)", what, id, i)
			}
			return nil, fmt.Errorf("log leaf %d (%s %d): stored tree hash %d does not match the recomputed tree", i, what, id, base+uint64(j))
		}
		v.hk, v.hv = v.hc.Next()
	}
	v.recomputed = append(v.recomputed, hs...)
	return hs, nil
}

// CheckIndexes checks that the tree stores no hash and the leaf index no
// leaf beyond the log's leaves.
func (v *Verifier) CheckIndexes() error {
	if v.hk != nil {
		return fmt.Errorf("the log stores hash %d beyond its %d leaves", Uint64(v.hk), v.tree.Leaves)
	}
	if v.lk != nil {
		return fmt.Errorf("the leaf index holds leaf %d beyond the log's %d leaves", Uint64(v.lk), v.tree.Leaves)
	}
	return nil
}

// CheckCovered checks that every ledger transaction and every record of the
// log's kinds has a leaf, and the indexes nothing else.
func (v *Verifier) CheckCovered() error {
	if last := v.tx.LastTransactionID(); last >= v.nextTxn {
		return fmt.Errorf("ledger transaction %d is not in the log", v.nextTxn)
	}
	if v.tk != nil {
		return fmt.Errorf("the transaction index names ledger transaction %d, which is not in the log", Uint64(v.tk))
	}
	return v.l.checkRecordsCovered(v.tx, v.sets, v.tree.Records)
}

// CheckSigned computes the root and checks the stored checkpoint and the
// witness file against the recomputed tree: the log must extend both.
func (v *Verifier) CheckSigned() error {
	n := v.tree.Leaves
	if n > 0 {
		root, err := tlog.TreeHash(int64(n), &v.recomputed)
		if err != nil {
			return err
		}
		v.tree.Root = HashHex(root)
	}
	if err := v.checkCheckpoint(); err != nil {
		return err
	}
	return v.checkWitness()
}

func (v *Verifier) checkCheckpoint() error {
	n := v.tree.Leaves
	msg := v.tx.Get(ledger.ChainMeta, []byte("checkpoint"))
	if msg == nil {
		v.tree.Unsigned = n
		return nil
	}
	cp, err := v.l.ParseNote(msg)
	if err != nil {
		return fmt.Errorf("stored checkpoint: %w", err)
	}
	if cp.Size > n {
		return fmt.Errorf("stored checkpoint signs %d leaves but the log holds %d: the log was truncated", cp.Size, n)
	}
	if h, err := tlog.TreeHash(int64(cp.Size), &v.recomputed); err != nil || h != cp.Root {
		return fmt.Errorf("stored checkpoint: its root does not match the log at %d leaves", cp.Size)
	}
	v.tree.Checkpoint, v.tree.Unsigned = cp.Size, n-cp.Size
	return nil
}

// checkWitness checks the checkpoint kept outside the database, so that a
// database rolled back to an older copy is caught.
func (v *Verifier) checkWitness() error {
	path := v.l.opt.WitnessPath
	if path == "" {
		return nil
	}
	msg, err := os.ReadFile(path)
	switch {
	case notExist(err):
		return nil
	case err != nil:
		return fmt.Errorf("witness checkpoint: %w", err)
	}
	cp, err := v.l.ParseNote(msg)
	if err != nil {
		return fmt.Errorf("witness checkpoint %s: %w", path, err)
	}
	if cp.Size > v.tree.Leaves {
		return fmt.Errorf("the log was rolled back: the witness checkpoint %s signs %d leaves, the store holds %d", path, cp.Size, v.tree.Leaves)
	}
	if h, err := tlog.TreeHash(int64(cp.Size), &v.recomputed); err != nil || h != cp.Root {
		return fmt.Errorf("the log does not extend the witness checkpoint %s at %d leaves: history was rewritten", path, cp.Size)
	}
	v.tree.Witness = cp.Size
	return nil
}
