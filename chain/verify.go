package chain

import (
	"bytes"
	"fmt"
	"sync/atomic"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/amanat-ledger/amanat/chain/log"
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

// Verify recomputes the whole log from the stored records: every leaf hash
// from the custody entry, ledger transaction or record (case, item, rate) it
// covers, that every stored record of the log's kinds is in the log exactly
// once, every interior hash of the tree, each item's hash chain and state
// machine, that each entry's ledger transaction posts to its item's account,
// the derived item states, the signed checkpoint (and the witness file,
// when there is one), and the head commitment recomputed from the log. The error names the first record that does not match.
func (c *Custody) Verify(tx *ledger.Tx) (Report, error) {
	var rep Report
	v, err := c.log.NewVerifier(tx, ledger.ChainEntries, ledger.ChainItems, ledger.ChainState)
	if err != nil || v == nil {
		return rep, err
	}
	r := newReplayer(tx)
	if err := r.run(v); err != nil {
		return rep, err
	}
	if err := v.CheckIndexes(); err != nil {
		return rep, err
	}
	if r.ek != nil {
		return rep, fmt.Errorf("custody entry %d is not in the log", log.Uint64(r.ek))
	}
	if err := v.CheckCovered(); err != nil {
		return rep, err
	}
	if err := c.checkNamed(tx, r.named); err != nil {
		return rep, err
	}
	if err := checkItemIndex(tx, r.seqs, r.entries); err != nil {
		return rep, err
	}
	if err := checkStates(tx, r.states); err != nil {
		return rep, err
	}
	if err := v.CheckSigned(); err != nil {
		return rep, err
	}
	if err := log.CheckHeads(tx, func(seq uint64) (uint64, error) { return entryItem(tx, seq) }); err != nil {
		return rep, err
	}
	t := v.Tree()
	rep = Report{Leaves: t.Leaves, Entries: r.entries, Transactions: t.Transactions, Records: t.Records,
		Items: uint64(len(r.states)), Checkpoint: t.Checkpoint, Unsigned: t.Unsigned, Witness: t.Witness,
		Root: t.Root, Origin: t.Origin, KeySource: t.KeySource}
	return rep, nil
}

// checkNamed checks what entries say of the rest of the store: an entry's
// ledger transaction travels in its item's court bundle as what the event
// caused, so it must post to that item's account; and an event only a
// wallet can have is not of an item its record calls cash.
func (c *Custody) checkNamed(tx *ledger.Tx, named []namedTxn) error {
	for _, n := range named {
		if walletOnly[n.event] {
			cash, err := c.log.ItemIsCash(tx, n.item)
			if err != nil {
				return fmt.Errorf("custody entry %d: %w", n.seq, err)
			}
			if cash {
				return fmt.Errorf("custody entry %d: %s of item %d, which its record calls cash", n.seq, n.event, n.item)
			}
		}
		if n.txn == 0 {
			continue
		}
		if n.txn > tx.LastTransactionID() {
			return fmt.Errorf("custody entry %d: names ledger transaction %d, which does not exist", n.seq, n.txn)
		}
		ok, err := postsToItem(tx, n.item, n.txn)
		if err != nil {
			return fmt.Errorf("custody entry %d: %w", n.seq, err)
		}
		if !ok {
			return fmt.Errorf("custody entry %d: names ledger transaction %d, which does not post to item %d's account %s", n.seq, n.txn, n.item, itemAccount(n.item))
		}
	}
	return nil
}

// checkItemIndex checks the item index: exactly one key per entry,
// (item, item_seq) -> seq, as the log has them (seqs: item -> its entries'
// seqs in order).
func checkItemIndex(tx *ledger.Tx, seqs map[uint64][]uint64, entries uint64) error {
	indexed := uint64(0)
	ic := tx.Cursor(ledger.ChainItems)
	for k, v := ic.First(); k != nil; k, v = ic.Next() {
		if len(k) != 16 || len(v) != 8 {
			return fmt.Errorf("the item index holds a malformed key %x", k)
		}
		item, itemSeq := log.Uint64(k[:8]), log.Uint64(k[8:])
		list := seqs[item]
		if itemSeq == 0 || itemSeq > uint64(len(list)) || list[itemSeq-1] != log.Uint64(v) {
			return fmt.Errorf("the item index maps item %d's entry %d to custody entry %d, which the log does not", item, itemSeq, log.Uint64(v))
		}
		indexed++
	}
	if indexed != entries {
		return fmt.Errorf("the item index holds %d keys for %d custody entries", indexed, entries)
	}
	return nil
}

// checkStates checks the derived views: each item's stored state is what
// its entries add up to.
func checkStates(tx *ledger.Tx, states map[uint64]*ItemState) error {
	sc := tx.Cursor(ledger.ChainState)
	seen := 0
	for k, v := sc.First(); k != nil; k, v = sc.Next() {
		item := log.Uint64(k)
		want := states[item]
		if want == nil {
			return fmt.Errorf("item %d: a custody state is stored but the log has no entries for it", item)
		}
		if !bytes.Equal(v, encodeState(want)) {
			return fmt.Errorf("item %d: stored custody state does not match the log (the log says holder %q, status %s, seal %s)", item, want.Holder, want.Status, sealText(want.Seal))
		}
		seen++
	}
	if seen != len(states) {
		return fmt.Errorf("%d items have custody entries but %d stored states", len(states), seen)
	}
	return nil
}

// replayer is Verify's custody side of the log walk. Two stages on two
// cores: the log's Walk reads the records in log order and recomputes the
// tree on the calling goroutine, handing each custody leaf whose hash
// matched to a second goroutine that decodes the entry and replays its
// item's chain and state machine. The first error in log order wins: the
// replay stage only sees leaves the tree stage passed.
type replayer struct {
	ec      *ledger.Cursor
	ek, ev  []byte // the next stored custody entry
	nextSeq uint64
	entries uint64 // custody leaves the tree stage passed

	batch []replayJob
	jobs  chan []replayJob
	stop  atomic.Bool // the replay stage failed: the tree stage may stop

	// Owned by the replay goroutine until run returns.
	states map[uint64]*ItemState
	seqs   map[uint64][]uint64 // item -> its entries' seqs, for the item index
	named  []namedTxn          // entries that name a ledger transaction or need a wallet item, in log order
}

func newReplayer(tx *ledger.Tx) *replayer {
	r := &replayer{ec: tx.Cursor(ledger.ChainEntries), nextSeq: 1,
		states: map[uint64]*ItemState{}, seqs: map[uint64][]uint64{}}
	r.ek, r.ev = r.ec.First()
	return r
}

// run walks the log with v, replaying custody entries alongside; a replay
// error wins over a tree error.
func (r *replayer) run(v *log.Verifier) error {
	r.batch = make([]replayJob, 0, replayBatch)
	r.jobs = make(chan []replayJob, 16)
	replayed := make(chan error, 1)
	go func() { replayed <- r.replayAll() }()
	treeErr := v.Walk(r)
	if len(r.batch) > 0 {
		r.jobs <- r.batch
	}
	close(r.jobs)
	if err := <-replayed; err != nil {
		return err
	}
	return treeErr
}

func (r *replayer) replayAll() error {
	var err error
	for batch := range r.jobs {
		for _, j := range batch {
			if err != nil {
				break
			}
			var e Entry
			if e, err = replay(r.states, j.seq, j.leaf, j.data, j.hash); err == nil {
				r.seqs[e.Item] = append(r.seqs[e.Item], j.seq)
				if e.LedgerTxn != 0 || walletOnly[e.Event] {
					r.named = append(r.named, namedTxn{seq: j.seq, item: e.Item, txn: e.LedgerTxn, event: e.Event})
				}
			}
		}
	}
	if err != nil {
		r.stop.Store(true)
	}
	return err
}

// Data is the stored custody entry id that leaf i names: entries are
// leaves in seq order, each once.
func (r *replayer) Data(i, id uint64) ([]byte, error) {
	if id != r.nextSeq {
		return nil, fmt.Errorf("log leaf %d names custody entry %d, expected %d", i, id, r.nextSeq)
	}
	r.nextSeq++
	if r.ek != nil && log.Uint64(r.ek) < id {
		return nil, fmt.Errorf("custody entry %d is not in the log", log.Uint64(r.ek))
	}
	if r.ek == nil || log.Uint64(r.ek) != id {
		return nil, fmt.Errorf("custody entry %d: missing from the store (log leaf %d)", id, i)
	}
	data := r.ev
	r.ek, r.ev = r.ec.Next()
	return data, nil
}

// Hashed queues a custody leaf the tree stage passed for replay.
func (r *replayer) Hashed(i, id uint64, data []byte, h tlog.Hash) {
	r.entries++
	r.batch = append(r.batch, replayJob{seq: id, leaf: i, data: data, hash: h})
	if len(r.batch) == replayBatch {
		r.jobs <- r.batch
		r.batch = make([]replayJob, 0, replayBatch)
	}
}

// Stopped says the replay stage found a fault.
func (r *replayer) Stopped() bool { return r.stop.Load() }

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
	next.Entries, next.LastSeq, next.LastAt, next.LastHash = e.ItemSeq, seq, e.At, log.HashHex(h)
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
