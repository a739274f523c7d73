package chain

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"github.com/amanat-ledger/amanat/chain/log"
	"github.com/amanat-ledger/amanat/ledger"
)

// Custody is the custody log of one store: the entries of every item and
// their state machine, recorded as leaves of the store's Merkle log.
type Custody struct {
	store *ledger.Store
	log   *log.Log
}

// Options tune NewWithOptions.
type Options struct {
	// WitnessPath is the file that keeps the latest committed checkpoint
	// outside the database, so that verify catches a database rolled back to
	// an older copy. Default WitnessPath(keyPath); "-" disables it.
	WitnessPath string
	// WitnessEvery bounds how often the witness file is rewritten during
	// writes (each rewrite is an fsync). Default 1s; negative means on every
	// commit.
	WitnessEvery time.Duration
}

// The log's types, as Custody's methods return them.
type (
	Checkpoint       = log.Checkpoint
	InclusionProof   = log.InclusionProof
	ConsistencyProof = log.ConsistencyProof
)

// New opens the custody log on store: creates its buckets, loads or creates
// the Ed25519 signing key at keyPath (mode 0600, outside the database), and
// installs the log as the store's ledger.Notary so that every ledger
// transaction becomes a log leaf in the same bbolt transaction. Call it
// before any write. kinds are the records of other packages that the log
// covers (see ledger.RecordKind); New backfills the ones with no leaf yet.
func New(store *ledger.Store, keyPath string, kinds []ledger.RecordKind) (*Custody, error) {
	return NewWithOptions(store, keyPath, kinds, Options{})
}

// NewWithOptions is New with options.
func NewWithOptions(store *ledger.Store, keyPath string, kinds []ledger.RecordKind, opt Options) (*Custody, error) {
	l, err := log.Open(store, keyPath, kinds, log.Options(opt))
	if err != nil {
		return nil, err
	}
	c := &Custody{store: store, log: l}
	if err := c.buildHeads(); err != nil {
		return nil, err
	}
	return c, nil
}

// Open opens the custody log of a store for reading only (verify, export
// from a read-only store, proofs): no key is created and no notary is
// installed. The public key comes from the key file when it exists, else
// from the store; Verify says which. kinds are as for New.
func Open(store *ledger.Store, keyPath string, kinds []ledger.RecordKind) (*Custody, error) {
	l, err := log.OpenReadOnly(store, keyPath, kinds)
	if err != nil {
		return nil, err
	}
	return &Custody{store: store, log: l}, nil
}

// WitnessPath is where the latest committed checkpoint is kept outside the
// database for a key at keyPath: "x.key" -> "x.checkpoint".
func WitnessPath(keyPath string) string { return log.WitnessPath(keyPath) }

// Origin is the log's name, the first line of its checkpoints.
func (c *Custody) Origin() string { return c.log.Origin() }

// PublicKey is the verifier key of the log's signatures, in the signed-note
// form "<name>+<hash>+<base64 key>".
func (c *Custody) PublicKey() string { return c.log.PublicKey() }

// LogRecord makes a stored record the next leaf of the log, inside tx (call
// it in the transaction that stores the record, with the bytes exactly as
// stored). A record is logged once: a second call for the same kind and id
// fails.
func (c *Custody) LogRecord(tx *ledger.Tx, kind string, id uint64, stored []byte) error {
	return c.log.LogRecord(tx, kind, id, stored)
}

// StoredCheckpoint is the latest checkpoint the store holds, checked against
// the key; ENotFound when none was signed yet.
func (c *Custody) StoredCheckpoint(tx *ledger.Tx) (Checkpoint, error) {
	return c.log.StoredCheckpoint(tx)
}

// Checkpoint returns a signed checkpoint of the whole log, signing a new
// one first when commits that posted only ledger transactions left the
// stored one behind.
func (c *Custody) Checkpoint(ctx context.Context) (Checkpoint, error) { return c.log.Checkpoint(ctx) }

// ParseNote opens a checkpoint note signed by this log's key (other
// signatures, such as witnesses' cosignatures, are left as they are) and
// reads its body and extension lines.
func (c *Custody) ParseNote(msg []byte) (Checkpoint, error) { return c.log.ParseNote(msg) }

// Close writes the latest committed checkpoint to the witness file. Call it
// after the last write, before closing the store.
func (c *Custody) Close() error { return c.log.Close() }

// TreeSize is the number of leaves in the log.
func (c *Custody) TreeSize(tx *ledger.Tx) uint64 { return c.log.TreeSize(tx) }

// ProveTransaction is the inclusion proof of ledger transaction id in the
// tree of size leaves (0: the stored checkpoint's size).
func (c *Custody) ProveTransaction(tx *ledger.Tx, id, size uint64) (InclusionProof, error) {
	return c.log.ProveTransaction(tx, id, size)
}

// ProveRecord is the inclusion proof of record id of kind; its Canonical is
// the leaf data: the amanat-record/1 wrapper and the stored bytes.
func (c *Custody) ProveRecord(tx *ledger.Tx, kind string, id, size uint64) (InclusionProof, error) {
	return c.log.ProveRecord(tx, kind, id, size)
}

// ProveConsistency is the proof that the tree of old leaves is a prefix of
// the tree of new leaves (new 0: the stored checkpoint's size).
func (c *Custody) ProveConsistency(tx *ledger.Tx, old, new uint64) (ConsistencyProof, error) {
	return c.log.ProveConsistency(tx, old, new)
}

// ProveEntry is the inclusion proof of custody entry seq in the tree of size
// leaves (0: the stored checkpoint's size).
func (c *Custody) ProveEntry(tx *ledger.Tx, seq, size uint64) (InclusionProof, error) {
	raw := c.RawEntry(tx, seq)
	if raw == nil {
		return InclusionProof{}, ledger.Errorf(ledger.ENotFound, "custody entry %d not found", seq)
	}
	e, err := DecodeEntry(raw)
	if err != nil {
		return InclusionProof{}, fmt.Errorf("custody entry %d: %w", seq, err)
	}
	return c.log.Prove(tx, "custody", seq, e.LeafIndex, size, raw)
}

// Append validates e against the item's state machine and records it inside
// tx (so a seizure registers its item, ledger transaction and first custody
// entry in one bbolt transaction). The first entry of an item must be
// EventSeized. Errors are *ledger.Error (EInvalid naming the rule and the
// field); nothing is written when Append fails.
func (c *Custody) Append(tx *ledger.Tx, e Entry) (Entry, error) {
	st, next, err := c.check(tx, &e)
	if err != nil {
		return Entry{}, err
	}
	return c.write(tx, e, st, next)
}

// Check says whether Append would accept e inside tx now, writing nothing:
// a proposal of the two-person rule is checked this way before it is
// stored, and again, by Append, when it is approved.
func (c *Custody) Check(tx *ledger.Tx, e Entry) error {
	_, _, err := c.check(tx, &e)
	return err
}

// check validates e against the item's state machine and fills in its
// assigned fields; st is the item's state before e, next after it.
func (c *Custody) check(tx *ledger.Tx, e *Entry) (st *ItemState, next ItemState, err error) {
	if !c.log.Writable() {
		return nil, next, ledger.Errorf(ledger.EInternal, "custody log is open read-only")
	}
	e.Seq, e.ItemSeq, e.PrevHash, e.LeafIndex, e.Hash = 0, 0, "", 0, ""
	e.Recorded = tx.Now.UTC()
	e.At = e.At.UTC()
	e.Attachments = append([]Attachment(nil), e.Attachments...)
	if e.CourtOrder != nil {
		o := *e.CourtOrder
		e.CourtOrder = &o
	}
	if err := checkFields(e, tx.Now); err != nil {
		return nil, next, err
	}
	if e.LedgerTxn != 0 {
		if err := checkLedgerTxn(tx, e.Item, e.LedgerTxn); err != nil {
			return nil, next, err
		}
	}
	if walletOnly[e.Event] {
		cash, err := c.log.ItemIsCash(tx, e.Item)
		if err != nil {
			return nil, next, err
		}
		if cash {
			return nil, next, ruleErr(RuleWalletOnly, "event", fmt.Sprintf("item %d holds no coins on a chain: %s is for wallet items", e.Item, e.Event))
		}
	}
	if st, err = loadState(tx, e.Item); err != nil {
		return nil, next, err
	}
	next, err = apply(st, e)
	return st, next, err
}

// write stores an entry that Append has checked, with its leaf, index and
// the item's state after it (next; st is the state before, nil for the
// first entry). From here on only the store can fail.
func (c *Custody) write(tx *ledger.Tx, e Entry, st *ItemState, next ItemState) (Entry, error) {
	seq, err := tx.NextSequence(ledger.ChainEntries)
	if err != nil {
		return Entry{}, fmt.Errorf("next custody entry: %w", err)
	}
	e.Seq, e.LeafIndex = seq, log.Size(tx)
	e.ItemSeq = 1
	if st != nil {
		e.ItemSeq, e.PrevHash = st.Entries+1, st.LastHash
	}
	canon := e.Canonical()
	_, h, err := log.AppendLeaf(tx, log.KindCustody, seq, canon)
	if err != nil {
		return Entry{}, err
	}
	e.Hash = log.HashHex(h)
	if err := log.NoteEntry(tx, e.Item, e.LeafIndex, h); err != nil {
		return Entry{}, err
	}
	if err := tx.Put(ledger.ChainEntries, log.BE64(seq), canon); err != nil {
		return Entry{}, fmt.Errorf("store custody entry %d: %w", seq, err)
	}
	if err := tx.Put(ledger.ChainItems, itemKey(e.Item, e.ItemSeq), log.BE64(seq)); err != nil {
		return Entry{}, fmt.Errorf("index custody entry %d: %w", seq, err)
	}
	next.Entries, next.LastSeq, next.LastAt, next.LastHash = e.ItemSeq, seq, e.At, e.Hash
	if err := saveState(tx, &next); err != nil {
		return Entry{}, err
	}
	c.log.SignOnCommit(tx)
	return e, nil
}

// itemKey is a key of the item index: BE(item) BE(item_seq).
func itemKey(item, itemSeq uint64) []byte { return append(log.BE64(item), log.BE64(itemSeq)...) }

// stateVersion is the first byte of a stored item state. The layout after
// it: uvarint numbers, strings as uvarint length and bytes, LastAt as
// zig-zag varint Unix nanoseconds, lists as a count and their elements.
const stateVersion = 2

func encodeState(st *ItemState) []byte {
	b := make([]byte, 0, 256)
	b = append(b, stateVersion)
	str := func(v string) { b = binary.AppendUvarint(b, uint64(len(v))); b = append(b, v...) }
	b = binary.AppendUvarint(b, st.Item)
	str(st.Holder)
	for _, v := range []string{st.Location.Circle, st.Location.Building, st.Location.Room, st.Location.Wallet, st.Location.Network, st.Location.TxID, st.Seal.Number, st.Seal.State, st.Status} {
		str(v)
	}
	b = binary.AppendUvarint(b, st.Entries)
	b = binary.AppendUvarint(b, st.LastSeq)
	b = binary.AppendVarint(b, st.LastAt.UnixNano())
	for _, v := range []string{st.LastHash, st.Pending, st.ReturnTo} {
		str(v)
	}
	b = binary.AppendUvarint(b, uint64(len(st.SealsUsed)))
	for _, v := range st.SealsUsed {
		str(v)
	}
	b = binary.AppendUvarint(b, uint64(len(st.LedgerTxns)))
	for _, v := range st.LedgerTxns {
		b = binary.AppendUvarint(b, v)
	}
	return b
}

func decodeState(v []byte) (ItemState, error) {
	var st ItemState
	if len(v) == 0 || v[0] != stateVersion {
		return st, fmt.Errorf("unknown format")
	}
	v = v[1:]
	bad := false
	num := func() uint64 {
		n, k := binary.Uvarint(v)
		if k <= 0 {
			bad, v = true, nil
			return 0
		}
		v = v[k:]
		return n
	}
	str := func() string {
		n := num()
		if n > uint64(len(v)) {
			bad, v = true, nil
			return ""
		}
		s := string(v[:n])
		v = v[n:]
		return s
	}
	st.Item = num()
	st.Holder = str()
	st.Location = Location{Circle: str(), Building: str(), Room: str(), Wallet: str(), Network: str(), TxID: str()}
	st.Seal = Seal{Number: str(), State: str()}
	st.Status = str()
	st.Entries, st.LastSeq = num(), num()
	at, k := binary.Varint(v)
	if k <= 0 {
		return st, fmt.Errorf("truncated")
	}
	v = v[k:]
	st.LastAt = time.Unix(0, at).UTC()
	st.LastHash, st.Pending, st.ReturnTo = str(), str(), str()
	for n := num(); n > 0 && !bad; n-- {
		st.SealsUsed = append(st.SealsUsed, str())
	}
	for n := num(); n > 0 && !bad; n-- {
		st.LedgerTxns = append(st.LedgerTxns, num())
	}
	if bad || len(v) != 0 {
		return st, fmt.Errorf("truncated or overlong")
	}
	return st, nil
}

func saveState(tx *ledger.Tx, st *ItemState) error {
	if err := tx.Put(ledger.ChainState, log.BE64(st.Item), encodeState(st)); err != nil {
		return fmt.Errorf("store custody state of item %d: %w", st.Item, err)
	}
	return nil
}

func loadState(tx *ledger.Tx, item uint64) (*ItemState, error) {
	v := tx.Get(ledger.ChainState, log.BE64(item))
	if v == nil {
		return nil, nil
	}
	st, err := decodeState(v)
	if err != nil {
		return nil, fmt.Errorf("custody state of item %d: %w", item, err)
	}
	return &st, nil
}

// State is the item's current custody state; ENotFound when the item has no
// entries.
func (c *Custody) State(tx *ledger.Tx, item uint64) (ItemState, error) {
	st, err := loadState(tx, item)
	if err != nil {
		return ItemState{}, err
	}
	if st == nil {
		return ItemState{}, ledger.Errorf(ledger.ENotFound, "item %d has no custody entries", item)
	}
	return *st, nil
}

// StateAt is the item's state as of the instant at: its entries that took
// effect by then, replayed through the state machine. ENotFound when the
// item had no entry by then.
func (c *Custody) StateAt(tx *ledger.Tx, item uint64, at time.Time) (ItemState, error) {
	es, err := c.Entries(tx, item)
	if err != nil {
		return ItemState{}, err
	}
	var st *ItemState
	for i := range es {
		e := es[i]
		if e.At.After(at) {
			break // entries are in time order (rule events-in-time-order)
		}
		next, err := apply(st, &e)
		if err != nil {
			return ItemState{}, fmt.Errorf("replay custody entry %d of item %d: %w", e.Seq, item, err)
		}
		next.Entries, next.LastSeq, next.LastAt = e.ItemSeq, e.Seq, e.At
		st = &next
	}
	if st == nil {
		return ItemState{}, ledger.Errorf(ledger.ENotFound, "item %d had no custody entries by %s", item, at.UTC().Format(time.RFC3339))
	}
	return *st, nil
}

// Entries is the item's custody entries, oldest first (none for an unknown
// item).
func (c *Custody) Entries(tx *ledger.Tx, item uint64) ([]Entry, error) {
	return c.EntriesAfter(tx, item, 0, 0)
}

// EntriesAfter is at most limit (0: all) of the item's entries with ItemSeq
// greater than after, oldest first: the paged form of Entries.
func (c *Custody) EntriesAfter(tx *ledger.Tx, item, after uint64, limit int) ([]Entry, error) {
	prefix := log.BE64(item)
	var out []Entry
	cur := tx.Cursor(ledger.ChainItems)
	for k, v := cur.Seek(itemKey(item, after+1)); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
		if limit > 0 && len(out) == limit {
			break
		}
		e, err := c.Entry(tx, log.Uint64(v))
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// Entry reads custody entry seq with its leaf hash as the log stores it.
func (c *Custody) Entry(tx *ledger.Tx, seq uint64) (Entry, error) {
	v := tx.Get(ledger.ChainEntries, log.BE64(seq))
	if v == nil {
		return Entry{}, ledger.Errorf(ledger.ENotFound, "custody entry %d not found", seq)
	}
	e, err := DecodeEntry(v)
	if err != nil {
		return Entry{}, fmt.Errorf("custody entry %d: %w", seq, err)
	}
	h, err := log.LeafHash(tx, e.LeafIndex)
	if err != nil {
		return Entry{}, fmt.Errorf("custody entry %d: %w", seq, err)
	}
	e.Hash = log.HashHex(h)
	return e, nil
}

// RawEntry is the stored canonical bytes of entry seq, or nil.
func (c *Custody) RawEntry(tx *ledger.Tx, seq uint64) []byte {
	return bytes.Clone(tx.Get(ledger.ChainEntries, log.BE64(seq)))
}

// itemAccount is the ledger account that holds an item's assets, as the
// evidence register and the release postings name it.
func itemAccount(item uint64) string { return ledger.CustodyAccount(item) }

// checkLedgerTxn refuses a ledger transaction that the entry of item may not
// name: one that does not exist, or one that does not post to the item's
// account (another item's seizure or release would then travel in this
// item's court bundle as if this event had caused it).
func checkLedgerTxn(tx *ledger.Tx, item, id uint64) error {
	if tx.RawTransaction(id) == nil {
		return ledger.FieldErr("ledger_txn", fmt.Sprintf("ledger transaction %d does not exist", id))
	}
	ok, err := postsToItem(tx, item, id)
	if err != nil {
		return err
	}
	if !ok {
		return ruleErr(RuleLedgerTxnOfEvent, "ledger_txn", fmt.Sprintf("ledger transaction %d does not post to %s: an entry names only the transaction its own event caused", id, itemAccount(item)))
	}
	return nil
}

// postsToItem says whether ledger transaction id has a posting to the item's
// account or an account below it.
func postsToItem(tx *ledger.Tx, item, id uint64) (bool, error) {
	t, err := tx.Transaction(id)
	if err != nil {
		return false, fmt.Errorf("ledger transaction %d: %w", id, err)
	}
	acct := itemAccount(item)
	for _, p := range t.Postings {
		if p.Account == acct || strings.HasPrefix(p.Account, acct+":") {
			return true, nil
		}
	}
	return false, nil
}
