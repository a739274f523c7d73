package chain

import (
	"bytes"
	"fmt"
	"os"
	"sync/atomic"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/amanat-ledger/amanat/ledger"
)

// Report is what Verify found to hold.
type Report struct {
	Leaves       uint64 `json:"leaves"`       // leaves in the log
	Entries      uint64 `json:"entries"`      // custody entries
	Transactions uint64 `json:"transactions"` // ledger transactions
	Records      uint64 `json:"records"`      // records of other packages (cases, items, rates)
	Items        uint64 `json:"items"`        // items with custody entries
	Checkpoint   uint64 `json:"checkpoint"`   // size of the signed checkpoint checked (0: none yet)
	Unsigned     uint64 `json:"unsigned"`     // leaves after the checkpoint, not yet signed
	Witness      uint64 `json:"witness"`      // size of the witness file's checkpoint checked (0: none)
	Root         string `json:"root_hash"`    // hex root hash of the whole log
	Origin       string `json:"origin"`
	KeySource    string `json:"key_source"` // where the public key came from: "key file" or "store"
}

func (r Report) String() string {
	s := fmt.Sprintf("%d leaves (%d custody entries for %d items, %d ledger transactions, %d records)", r.Leaves, r.Entries, r.Items, r.Transactions, r.Records)
	if r.Checkpoint > 0 {
		s += fmt.Sprintf("; checkpoint of %d leaves signed by %s (key from %s)", r.Checkpoint, r.Origin, r.KeySource)
	} else {
		s += "; no checkpoint signed yet"
	}
	if r.Unsigned > 0 {
		s += fmt.Sprintf("; %d newer leaves not yet signed", r.Unsigned)
	}
	if r.Witness > 0 {
		s += fmt.Sprintf("; consistent with the witness checkpoint of %d leaves", r.Witness)
	}
	if r.Leaves > 0 {
		s += "; root " + r.Root
	}
	return s
}

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

// Verify recomputes the whole log from the stored records: every leaf hash
// from the custody entry, ledger transaction or registered record (case,
// item, rate) it covers, that every stored record of a registered kind is in
// the log exactly once, every interior hash of the tree, each item's hash chain and state machine, that
// each entry's ledger transaction posts to its item's account, the derived
// item states, and the signed checkpoint (and the witness file, when there
// is one). The error names the first record that does not match.
func (c *Custody) Verify(tx *ledger.Tx) (Report, error) {
	var rep Report
	btx := tx.Bolt
	m := btx.Bucket(bucketMeta)
	sets, err := c.loadRecords(tx)
	if err != nil {
		return rep, err
	}
	if m == nil {
		if tx.LastTransactionID() > 0 {
			return rep, fmt.Errorf("custody log is missing but the ledger holds %d transactions", tx.LastTransactionID())
		}
		for _, k := range c.kinds {
			if len(sets[k.Name].stored) > 0 {
				return rep, fmt.Errorf("custody log is missing but the store holds %d %s records", len(sets[k.Name].stored), k.Label)
			}
		}
		return rep, nil // a store that never had a custody log and has no books
	}
	for _, b := range allBuckets {
		if btx.Bucket(b) == nil {
			return rep, fmt.Errorf("custody log bucket %s is missing", b)
		}
	}
	rep.Origin = string(m.Get([]byte("origin")))
	if rep.Origin != c.origin {
		return rep, fmt.Errorf("custody log is named %q, the key %q", rep.Origin, c.origin)
	}
	rep.KeySource = "store"
	if c.vkey != string(m.Get([]byte("vkey"))) {
		return rep, fmt.Errorf("the store's public key is not the key file's")
	}
	if c.keyPath != "" {
		if _, err := os.Stat(c.keyPath); err == nil {
			rep.KeySource = "key file"
		}
	}

	leaves := btx.Bucket(bucketLeaves)
	n := leaves.Sequence()
	rep.Leaves = n
	recomputed := make(sliceHashes, 0, tlog.StoredHashCount(int64(n)))
	hc := btx.Bucket(bucketHashes).Cursor()
	hk, hv := hc.First()
	lc := leaves.Cursor()
	lk, lv := lc.First()
	entries, items, txLeaf := btx.Bucket(bucketEntries), btx.Bucket(bucketItems), btx.Bucket(bucketTxLeaf)
	recIndex := btx.Bucket(bucketRecords) // nil in a store from before records were logged
	ec, tc := entries.Cursor(), txLeaf.Cursor()
	ek, ev := ec.First()
	tk, tv := tc.First()
	states := map[uint64]*ItemState{}
	seqs := map[uint64][]uint64{} // item -> its entries' seqs, for the item index
	var named []namedTxn          // entries that name a ledger transaction or need a wallet item, in log order
	var nextSeq, nextTxn uint64 = 1, 1

	// Two stages on two cores: this goroutine reads the records in log order
	// and recomputes the tree; a second one decodes the custody entries and
	// replays each item's chain and state machine. The first error in log
	// order wins: the replay stage only sees leaves the tree stage passed.
	jobs := make(chan []replayJob, 16)
	replayed := make(chan error, 1)
	var stop atomic.Bool // the replay stage failed: the tree stage may stop
	go func() {
		var err error
		for batch := range jobs {
			for _, j := range batch {
				if err != nil {
					break
				}
				var e Entry
				if e, err = replay(states, j.seq, j.leaf, j.data, j.hash); err == nil {
					seqs[e.Item] = append(seqs[e.Item], j.seq)
					if e.LedgerTxn != 0 || walletOnly[e.Event] {
						named = append(named, namedTxn{seq: j.seq, item: e.Item, txn: e.LedgerTxn, event: e.Event})
					}
				}
			}
		}
		if err != nil {
			stop.Store(true)
		}
		replayed <- err
	}()
	treeErr := func() error {
		batch := make([]replayJob, 0, replayBatch)
		defer func() {
			if len(batch) > 0 {
				jobs <- batch
			}
			close(jobs)
		}()
		for i := uint64(0); i < n && !stop.Load(); i++ {
			if lk == nil || beUint(lk) != i || len(lv) < 9 || len(lv) > 9 && lv[0] != KindRecord {
				return fmt.Errorf("log leaf %d is missing from the leaf index", i)
			}
			kind, id := lv[0], beUint(lv[1:9])
			what := kindName(kind)
			var data []byte
			switch kind {
			case KindRecord:
				var err error
				if what, id, data, err = recordData(sets, recIndex, i, lv); err != nil {
					return err
				}
			case KindCustody:
				if id != nextSeq {
					return fmt.Errorf("log leaf %d names custody entry %d, expected %d", i, id, nextSeq)
				}
				nextSeq++
				if ek != nil && beUint(ek) < id {
					return fmt.Errorf("custody entry %d is not in the log", beUint(ek))
				}
				if ek == nil || beUint(ek) != id {
					return fmt.Errorf("custody entry %d: missing from the store (log leaf %d)", id, i)
				}
				data = ev
				ek, ev = ec.Next()
			case KindTransaction:
				if id != nextTxn {
					return fmt.Errorf("log leaf %d names ledger transaction %d, expected %d", i, id, nextTxn)
				}
				nextTxn++
				if data = tx.RawTransaction(id); data == nil {
					return fmt.Errorf("ledger transaction %d: missing from the store (log leaf %d)", id, i)
				}
				if tk == nil || beUint(tk) != id || len(tv) != 8 || beUint(tv) != i {
					return fmt.Errorf("ledger transaction %d: the transaction index does not point at log leaf %d", id, i)
				}
				tk, tv = tc.Next()
			default:
				return fmt.Errorf("log leaf %d has unknown kind %q", i, kind)
			}
			lk, lv = lc.Next()
			hs, err := tlog.StoredHashes(int64(i), data, &recomputed)
			if err != nil {
				return fmt.Errorf("log leaf %d: %w", i, err)
			}
			base := uint64(len(recomputed))
			for j, h := range hs {
				if hk == nil || beUint(hk) != base+uint64(j) || !bytes.Equal(hv, h[:]) {
					if j == 0 {
						return fmt.Errorf("%s %d: leaf hash does not match the log (log leaf %d)", what, id, i)
					}
					return fmt.Errorf("log leaf %d (%s %d): stored tree hash %d does not match the recomputed tree", i, what, id, base+uint64(j))
				}
				hk, hv = hc.Next()
			}
			recomputed = append(recomputed, hs...)
			switch kind {
			case KindTransaction:
				rep.Transactions++
				continue
			case KindRecord:
				rep.Records++
				continue
			}
			rep.Entries++
			batch = append(batch, replayJob{seq: id, leaf: i, data: data, hash: hs[0]})
			if len(batch) == replayBatch {
				jobs <- batch
				batch = make([]replayJob, 0, replayBatch)
			}
		}
		return nil
	}()
	if err := <-replayed; err != nil {
		return rep, err
	}
	if treeErr != nil {
		return rep, treeErr
	}
	if hk != nil {
		return rep, fmt.Errorf("the log stores hash %d beyond its %d leaves", beUint(hk), n)
	}
	if lk != nil {
		return rep, fmt.Errorf("the leaf index holds leaf %d beyond the log's %d leaves", beUint(lk), n)
	}
	if ek != nil {
		return rep, fmt.Errorf("custody entry %d is not in the log", beUint(ek))
	}
	if last := tx.LastTransactionID(); last >= nextTxn {
		return rep, fmt.Errorf("ledger transaction %d is not in the log", nextTxn)
	}
	if tk != nil {
		return rep, fmt.Errorf("the transaction index names ledger transaction %d, which is not in the log", beUint(tk))
	}
	if err := c.checkRecordsCovered(sets, m, recIndex, rep.Records); err != nil {
		return rep, err
	}
	// An entry's ledger transaction travels in its item's court bundle as
	// what the event caused: it must post to that item's account.
	for _, n := range named {
		if walletOnly[n.event] {
			cash, err := c.cashItem(tx, n.item)
			if err != nil {
				return rep, fmt.Errorf("custody entry %d: %w", n.seq, err)
			}
			if cash {
				return rep, fmt.Errorf("custody entry %d: %s of item %d, which its record calls cash", n.seq, n.event, n.item)
			}
		}
		if n.txn == 0 {
			continue
		}
		if n.txn > tx.LastTransactionID() {
			return rep, fmt.Errorf("custody entry %d: names ledger transaction %d, which does not exist", n.seq, n.txn)
		}
		ok, err := postsToItem(tx, n.item, n.txn)
		if err != nil {
			return rep, fmt.Errorf("custody entry %d: %w", n.seq, err)
		}
		if !ok {
			return rep, fmt.Errorf("custody entry %d: names ledger transaction %d, which does not post to item %d's account %s", n.seq, n.txn, n.item, itemAccount(n.item))
		}
	}
	// The item index: exactly one key per entry, (item, item_seq) -> seq.
	indexed := uint64(0)
	ic := items.Cursor()
	for k, v := ic.First(); k != nil; k, v = ic.Next() {
		if len(k) != 16 || len(v) != 8 {
			return rep, fmt.Errorf("the item index holds a malformed key %x", k)
		}
		item, itemSeq := beUint(k[:8]), beUint(k[8:])
		list := seqs[item]
		if itemSeq == 0 || itemSeq > uint64(len(list)) || list[itemSeq-1] != beUint(v) {
			return rep, fmt.Errorf("the item index maps item %d's entry %d to custody entry %d, which the log does not", item, itemSeq, beUint(v))
		}
		indexed++
	}
	if indexed != rep.Entries {
		return rep, fmt.Errorf("the item index holds %d keys for %d custody entries", indexed, rep.Entries)
	}

	// Derived views: each item's stored state is what its entries add up to.
	sc := btx.Bucket(bucketState).Cursor()
	seen := 0
	for k, v := sc.First(); k != nil; k, v = sc.Next() {
		item := beUint(k)
		want := states[item]
		if want == nil {
			return rep, fmt.Errorf("item %d: a custody state is stored but the log has no entries for it", item)
		}
		if !bytes.Equal(v, encodeState(want)) {
			return rep, fmt.Errorf("item %d: stored custody state does not match the log (the log says holder %q, status %s, seal %s)", item, want.Holder, want.Status, sealText(want.Seal))
		}
		seen++
	}
	if seen != len(states) {
		return rep, fmt.Errorf("%d items have custody entries but %d stored states", len(states), seen)
	}
	rep.Items = uint64(len(states))

	var root tlog.Hash
	if n > 0 {
		var err error
		if root, err = tlog.TreeHash(int64(n), &recomputed); err != nil {
			return rep, err
		}
		rep.Root = hexHash(root)
	}

	// The signed checkpoint.
	if msg := m.Get([]byte("checkpoint")); msg != nil {
		cp, err := c.parseNote(msg)
		if err != nil {
			return rep, fmt.Errorf("stored checkpoint: %w", err)
		}
		if cp.Size > n {
			return rep, fmt.Errorf("stored checkpoint signs %d leaves but the log holds %d: the log was truncated", cp.Size, n)
		}
		if h, err := tlog.TreeHash(int64(cp.Size), &recomputed); err != nil || h != cp.Root {
			return rep, fmt.Errorf("stored checkpoint: its root does not match the log at %d leaves", cp.Size)
		}
		rep.Checkpoint, rep.Unsigned = cp.Size, n-cp.Size
	} else {
		rep.Unsigned = n
	}

	// The witness outside the database: the log must extend it.
	if c.opt.WitnessPath != "" {
		msg, err := os.ReadFile(c.opt.WitnessPath)
		switch {
		case notExist(err):
		case err != nil:
			return rep, fmt.Errorf("witness checkpoint: %w", err)
		default:
			cp, err := c.parseNote(msg)
			if err != nil {
				return rep, fmt.Errorf("witness checkpoint %s: %w", c.opt.WitnessPath, err)
			}
			if cp.Size > n {
				return rep, fmt.Errorf("the log was rolled back: the witness checkpoint %s signs %d leaves, the store holds %d", c.opt.WitnessPath, cp.Size, n)
			}
			if h, err := tlog.TreeHash(int64(cp.Size), &recomputed); err != nil || h != cp.Root {
				return rep, fmt.Errorf("the log does not extend the witness checkpoint %s at %d leaves: history was rewritten", c.opt.WitnessPath, cp.Size)
			}
			rep.Witness = cp.Size
		}
	}
	return rep, nil
}

const replayBatch = 512

type replayJob struct {
	seq, leaf uint64
	data      []byte // the stored bytes: valid while the read transaction lasts
	hash      tlog.Hash
}

// namedTxn is what Verify checks of an entry against the rest of the store
// once the log is replayed: the ledger transaction it names (0 for none) and
// its event, for the events only a wallet item can have.
type namedTxn struct {
	seq, item, txn uint64
	event          string
}

// replay checks one custody entry against its item's hash chain, index and
// state machine, and advances the item's state. It returns the entry.
func replay(states map[uint64]*ItemState, seq, leaf uint64, data []byte, h tlog.Hash) (Entry, error) {
	e, err := decodeEntry(data)
	if err != nil {
		return Entry{}, fmt.Errorf("custody entry %d: %w", seq, err)
	}
	if e.Seq != seq {
		return Entry{}, fmt.Errorf("custody entry %d: the record says it is entry %d", seq, e.Seq)
	}
	if e.LeafIndex != leaf {
		return Entry{}, fmt.Errorf("custody entry %d: the record says log leaf %d, the log has it at %d", seq, e.LeafIndex, leaf)
	}
	st := states[e.Item]
	var wantItemSeq uint64 = 1
	wantPrev := ""
	if st != nil {
		wantItemSeq, wantPrev = st.Entries+1, st.LastHash
	}
	if e.ItemSeq != wantItemSeq {
		return Entry{}, fmt.Errorf("custody entry %d: item %d's entry %d, expected %d", seq, e.Item, e.ItemSeq, wantItemSeq)
	}
	if e.PrevHash != wantPrev {
		return Entry{}, fmt.Errorf("custody entry %d: previous-entry hash does not match item %d's chain", seq, e.Item)
	}
	orig := e
	next, err := apply(st, &e)
	if err != nil {
		return Entry{}, fmt.Errorf("custody entry %d: the state machine refuses it: %w", seq, err)
	}
	if e.From != orig.From || e.To != orig.To || e.SealBefore != orig.SealBefore || e.SealAfter != orig.SealAfter {
		return Entry{}, fmt.Errorf("custody entry %d: the state machine reads it differently (who or seal left out)", seq)
	}
	next.Entries, next.LastSeq, next.LastAt, next.LastHash = e.ItemSeq, seq, e.At, leafHex(h)
	states[e.Item] = &next
	return e, nil
}

// VerifyStore checks the custody log of a store opened read-only, with the
// key at keyPath (which may be absent: then the store's copy of the public
// key is used, and the report says so). kinds are as for New.
func VerifyStore(store *ledger.Store, keyPath string, kinds []ledger.RecordKind) (Report, error) {
	c, err := Open(store, keyPath, kinds)
	if err != nil {
		return Report{}, err
	}
	var rep Report
	err = store.View(func(tx *ledger.Tx) error {
		var err error
		rep, err = c.Verify(tx)
		return err
	})
	return rep, err
}
