package audit

import (
	"bytes"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/amanat-ledger/amanat/chain/log"
	"github.com/amanat-ledger/amanat/ledger"
)

// Report is what Verify found to hold of the audit log.
type Report struct {
	Records    uint64 `json:"records"`
	Checkpoint uint64 `json:"checkpoint"` // size of the signed checkpoint checked
	Witness    uint64 `json:"witness"`    // size of the witness file's checkpoint checked (0: none)
	Root       string `json:"root,omitempty"`
	Origin     string `json:"origin"`
}

// Verify recomputes the audit tree from the stored records: each record is
// where its sequence number says, its leaf hash and the tree's interior
// hashes are the stored ones, its index entries exist and no index holds
// anything else, and the signed checkpoint covers every record with the
// recomputed root. The first fault is returned, naming the record.
func (l *Log) Verify(tx *ledger.Tx) (Report, error) {
	rep := Report{Origin: l.Origin()}
	if !tx.Has(ledger.AuditRecords) {
		return rep, nil // a store from before the audit log
	}
	n := tx.Sequence(ledger.AuditRecords)
	rep.Records = n
	indexed, err := checkRecords(tx, n)
	if err != nil {
		return rep, err
	}
	if err := checkIndexes(tx, indexed); err != nil {
		return rep, err
	}
	cp, err := l.checkCheckpoint(tx, n)
	if err != nil {
		return rep, err
	}
	rep.Checkpoint, rep.Root = cp.Size, ""
	if n > 0 {
		rep.Root = log.HashHex(cp.Root)
	}
	rep.Witness, err = l.checkWitness(tx, n)
	return rep, err
}

// checkRecords walks the records in order and recomputes each one's hashes.
// The hashes a leaf's computation reads are earlier ones, already checked
// equal to the recomputed values, so the stored tree serves as the
// recomputed one without holding it in memory.
// It returns how many entries each index should hold.
func checkRecords(tx *ledger.Tx, n uint64) (map[string]int, error) {
	indexed := map[string]int{ledger.AuditTimes.Name(): 0, ledger.AuditActors.Name(): 0, ledger.AuditItems.Name(): 0}
	c := tx.Cursor(ledger.AuditRecords)
	k, v := c.First()
	for seq := uint64(1); seq <= n; seq++ {
		if k == nil || len(k) != 8 || be64(k) != seq {
			return nil, fmt.Errorf("audit record %d is missing", seq)
		}
		r, err := decode(seq, v)
		if err != nil {
			return nil, err
		}
		if r.Seq != seq {
			return nil, fmt.Errorf("audit record %d holds the record of sequence number %d: records were moved", seq, r.Seq)
		}
		hs, err := tlog.StoredHashes(int64(seq-1), v, hashes{tx})
		if err != nil {
			return nil, fmt.Errorf("audit record %d: %w", seq, err)
		}
		base := uint64(tlog.StoredHashIndex(0, int64(seq-1)))
		for i, h := range hs {
			if !bytes.Equal(tx.Get(ledger.AuditHashes, ledger.BE64(base+uint64(i))), h[:]) {
				if i == 0 {
					return nil, fmt.Errorf("audit record %d: its hash does not match the audit tree: the record was edited", seq)
				}
				return nil, fmt.Errorf("audit record %d: stored tree hash %d does not match the recomputed tree", seq, base+uint64(i))
			}
		}
		for _, ix := range indexKeys(r) {
			if tx.Get(ix.bucket, ix.key) == nil {
				return nil, fmt.Errorf("audit record %d: missing from the index %s", seq, ix.bucket.Name())
			}
			indexed[ix.bucket.Name()]++
		}
		k, v = c.Next()
	}
	if k != nil {
		return nil, fmt.Errorf("the audit records hold key %x beyond the audit tree's %d records", k, n)
	}
	if h, _ := tx.Cursor(ledger.AuditHashes).Last(); h != nil && (len(h) != 8 || be64(h) >= uint64(tlog.StoredHashCount(int64(n)))) {
		return nil, fmt.Errorf("the audit tree stores hash %x beyond its %d records", h, n)
	}
	return indexed, nil
}

// checkIndexes checks that the indexes hold nothing but the records'
// entries (checkRecords found each record's own, and counted them).
func checkIndexes(tx *ledger.Tx, indexed map[string]int) error {
	for _, b := range []ledger.Bucket{ledger.AuditTimes, ledger.AuditActors, ledger.AuditItems} {
		if got := tx.Len(b); got != indexed[b.Name()] {
			return fmt.Errorf("the audit index %s holds %d entries, the records %d", b.Name(), got, indexed[b.Name()])
		}
	}
	return nil
}

// checkCheckpoint checks the stored signed checkpoint: every commit that
// adds records signs one, so it must cover all n with the tree's root.
func (l *Log) checkCheckpoint(tx *ledger.Tx, n uint64) (log.Checkpoint, error) {
	msg := tx.Get(ledger.AuditMeta, []byte("checkpoint"))
	if msg == nil {
		if n > 0 {
			return log.Checkpoint{}, fmt.Errorf("the audit log holds %d records but no signed checkpoint", n)
		}
		return log.Checkpoint{}, nil
	}
	cp, err := l.signer.OpenTree(TreeName, msg)
	if err != nil {
		return log.Checkpoint{}, fmt.Errorf("audit checkpoint: %w", err)
	}
	if cp.Size > n {
		return cp, fmt.Errorf("the audit checkpoint signs %d records but the log holds %d: records were removed", cp.Size, n)
	}
	if cp.Size < n {
		return cp, fmt.Errorf("audit records %d to %d are not covered by the signed checkpoint", cp.Size+1, n)
	}
	root, err := tlog.TreeHash(int64(n), hashes{tx})
	if err != nil {
		return cp, fmt.Errorf("audit tree hash: %w", err)
	}
	if root != cp.Root {
		return cp, fmt.Errorf("the audit checkpoint's root does not match the audit tree of %d records", n)
	}
	return cp, nil
}

// String is the summary `amanat verify` prints.
func (r Report) String() string {
	if r.Records == 0 {
		return "0 records"
	}
	s := fmt.Sprintf("%d records, all under the checkpoint signed as %s", r.Records, r.Origin)
	if r.Witness > 0 {
		s += fmt.Sprintf("; consistent with the witness checkpoint of %d records", r.Witness)
	}
	return s
}
