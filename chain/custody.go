package chain

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/amanat-ledger/amanat/ledger"
)

// Custody is the custody log of one store.
type Custody struct {
	store    *ledger.Store
	origin   string
	vkey     string
	signer   note.Signer // nil when opened read-only
	verifier note.Verifier
	keyPath  string
	opt      Options
	kinds    kindSet

	mu          sync.Mutex
	lastWitness time.Time
	witnessSize uint64 // size of the checkpoint in the witness file
}

// Options tune New.
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

// New opens the custody log on store: creates its buckets, loads or creates
// the Ed25519 signing key at keyPath (mode 0600, outside the database), and
// installs itself as the store's ledger.Notary so that every ledger
// transaction becomes a log leaf in the same bbolt transaction. Call it
// before any write.
// kinds are the records of other packages that the log covers (see
// ledger.RecordKind); New backfills the ones with no leaf yet.
func New(store *ledger.Store, keyPath string, kinds []ledger.RecordKind) (*Custody, error) {
	return NewWithOptions(store, keyPath, kinds, Options{})
}

// NewWithOptions is New with options.
func NewWithOptions(store *ledger.Store, keyPath string, kinds []ledger.RecordKind, opt Options) (*Custody, error) {
	if keyPath == "" {
		return nil, fmt.Errorf("custody: a key path is required")
	}
	ks, err := newKindSet(kinds)
	if err != nil {
		return nil, err
	}
	c := &Custody{store: store, keyPath: keyPath, opt: opt, kinds: ks}
	c.setDefaults()

	// What the store already says about its log.
	var storedOrigin, storedVkey string
	if err := store.View(func(tx *ledger.Tx) error {
		if m := tx.Bolt.Bucket(bucketMeta); m != nil {
			storedOrigin, storedVkey = string(m.Get([]byte("origin"))), string(m.Get([]byte("vkey")))
		}
		return nil
	}); err != nil {
		return nil, err
	}

	skey, vkey, err := readKey(keyPath)
	switch {
	case err == nil:
		if storedVkey != "" && storedVkey != vkey {
			return nil, fmt.Errorf("custody key %s does not belong to this store: the store's log is signed by %s, the file holds %s", keyPath, storedVkey, vkey)
		}
	case notExist(err) && storedVkey != "":
		return nil, fmt.Errorf("custody key %s is missing; this store's log is signed by %s: restore that key file (a new key would break the chain of signed checkpoints)", keyPath, storedVkey)
	case notExist(err):
		origin, err := newOrigin()
		if err != nil {
			return nil, fmt.Errorf("custody origin: %w", err)
		}
		if skey, vkey, err = createKey(keyPath, origin); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("custody key: %w", err)
	}
	if c.signer, err = note.NewSigner(skey); err != nil {
		return nil, fmt.Errorf("custody key %s: %w", keyPath, err)
	}
	if c.verifier, err = note.NewVerifier(vkey); err != nil {
		return nil, fmt.Errorf("custody key %s: %w", keyPath, err)
	}
	c.vkey, c.origin = vkey, c.signer.Name()
	if storedOrigin != "" && storedOrigin != c.origin {
		return nil, fmt.Errorf("custody key %s is named %q but the store's log is %q", keyPath, c.origin, storedOrigin)
	}
	if err := c.loadWitness(); err != nil {
		return nil, err
	}

	err = store.Write(context.Background(), func(tx *ledger.Tx) error {
		if err := c.initBuckets(tx.Bolt); err != nil {
			return err
		}
		// Transactions posted before the log existed (or before this
		// process installed it) become leaves now, in id order.
		if err := c.backfill(tx); err != nil {
			return err
		}
		// Records of the given kinds that have no leaf yet (a store
		// from before records were logged) become leaves, once per kind.
		if err := c.backfillRecords(tx); err != nil {
			return err
		}
		tx.BeforeCommit(hookKey, c.signHook)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("open custody log: %w", err)
	}
	store.SetNotary(c)
	return c, nil
}

// Open opens the custody log of a store for reading only (verify, export
// from a read-only store, proofs): no key is created and no notary is
// installed. The public key comes from the key file when it exists, else
// from the store; Verify says which. kinds are as for New.
func Open(store *ledger.Store, keyPath string, kinds []ledger.RecordKind) (*Custody, error) {
	ks, err := newKindSet(kinds)
	if err != nil {
		return nil, err
	}
	c := &Custody{store: store, keyPath: keyPath, kinds: ks}
	c.setDefaults()
	var storedVkey string
	if err := store.View(func(tx *ledger.Tx) error {
		if m := tx.Bolt.Bucket(bucketMeta); m != nil {
			c.origin, storedVkey = string(m.Get([]byte("origin"))), string(m.Get([]byte("vkey")))
		}
		return nil
	}); err != nil {
		return nil, err
	}
	c.vkey = storedVkey
	if keyPath != "" {
		_, vkey, err := readKey(keyPath)
		switch {
		case err == nil:
			if storedVkey != "" && vkey != storedVkey {
				return nil, fmt.Errorf("custody key %s does not belong to this store: the store's log is signed by %s, the file holds %s", keyPath, storedVkey, vkey)
			}
			c.vkey = vkey
		case !notExist(err):
			return nil, fmt.Errorf("custody key: %w", err)
		}
	}
	if c.vkey != "" {
		v, err := note.NewVerifier(c.vkey)
		if err != nil {
			return nil, fmt.Errorf("custody public key %q: %w", c.vkey, err)
		}
		c.verifier = v
	}
	return c, nil
}

func (c *Custody) setDefaults() {
	if c.opt.WitnessPath == "" && c.keyPath != "" {
		c.opt.WitnessPath = WitnessPath(c.keyPath)
	}
	if c.opt.WitnessPath == "-" {
		c.opt.WitnessPath = ""
	}
	if c.opt.WitnessEvery == 0 {
		c.opt.WitnessEvery = time.Second
	}
}

func (c *Custody) initBuckets(btx *bolt.Tx) error {
	for _, name := range allBuckets {
		if _, err := btx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	// Created apart from allBuckets: a store made before records were
	// logged has no record index until its next read-write open.
	if _, err := btx.CreateBucketIfNotExists(bucketRecords); err != nil {
		return fmt.Errorf("create bucket %s: %w", bucketRecords, err)
	}
	m := btx.Bucket(bucketMeta)
	if v := m.Get([]byte("format")); v != nil && string(v) != storeFormat {
		return fmt.Errorf("custody log format %q, this program reads %q", v, storeFormat)
	}
	for k, v := range map[string]string{"format": storeFormat, "origin": c.origin, "vkey": c.vkey} {
		if m.Get([]byte(k)) == nil {
			if err := m.Put([]byte(k), []byte(v)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *Custody) backfill(tx *ledger.Tx) error {
	txl := tx.Bolt.Bucket(bucketTxLeaf)
	last := uint64(0)
	if k, _ := txl.Cursor().Last(); k != nil {
		last = binary.BigEndian.Uint64(k)
	}
	for id := last + 1; id <= tx.LastTransactionID(); id++ {
		raw := tx.RawTransaction(id)
		if raw == nil {
			return fmt.Errorf("ledger transaction %d is missing", id)
		}
		if err := c.LogTransaction(tx, id, raw); err != nil {
			return err
		}
	}
	return nil
}

// Origin is the log's name, the first line of its checkpoints.
func (c *Custody) Origin() string { return c.origin }

// PublicKey is the verifier key of the log's signatures, in the signed-note
// form "<name>+<hash>+<base64 key>".
func (c *Custody) PublicKey() string { return c.vkey }

// LogTransaction makes a committed ledger transaction the next leaf of the
// log (ledger.Notary), inside the transaction that posts it, and registers
// the checkpoint hook so that a commit that only posts ledger transactions
// is signed at once too.
func (c *Custody) LogTransaction(tx *ledger.Tx, id uint64, canonical []byte) error {
	btx := tx.Bolt
	txl := btx.Bucket(bucketTxLeaf)
	if txl == nil {
		return fmt.Errorf("custody log is not initialised in this store")
	}
	if txl.Get(be64(id)) != nil {
		return fmt.Errorf("ledger transaction %d is already in the log", id)
	}
	i, _, err := appendLeaf(btx, KindTransaction, id, canonical)
	if err != nil {
		return err
	}
	if err := txl.Put(be64(id), be64(i)); err != nil {
		return err
	}
	if c.signer != nil {
		tx.BeforeCommit(hookKey, c.signHook)
	}
	return nil
}

const hookKey = "chain.checkpoint"

// Append validates e against the item's state machine and records it inside
// tx (so a seizure registers its item, ledger transaction and first custody
// entry in one bbolt transaction). The first entry of an item must be
// EventSeized. Errors are *ledger.Error (EInvalid naming the rule and the
// field); nothing is written when Append fails.
func (c *Custody) Append(tx *ledger.Tx, e Entry) (Entry, error) {
	if c.signer == nil {
		return Entry{}, ledger.Errorf(ledger.EInternal, "custody log is open read-only")
	}
	e.Seq, e.ItemSeq, e.PrevHash, e.LeafIndex, e.Hash = 0, 0, "", 0, ""
	e.Recorded = tx.Now.UTC()
	e.At = e.At.UTC()
	e.Attachments = append([]Attachment(nil), e.Attachments...)
	if e.CourtOrder != nil {
		o := *e.CourtOrder
		e.CourtOrder = &o
	}
	if err := checkFields(&e, tx.Now); err != nil {
		return Entry{}, err
	}
	if e.LedgerTxn != 0 {
		if err := checkLedgerTxn(tx, e.Item, e.LedgerTxn); err != nil {
			return Entry{}, err
		}
	}
	if walletOnly[e.Event] {
		cash, err := c.cashItem(tx, e.Item)
		if err != nil {
			return Entry{}, err
		}
		if cash {
			return Entry{}, ruleErr(RuleWalletOnly, "event", fmt.Sprintf("item %d holds no coins on a chain: %s is for wallet items", e.Item, e.Event))
		}
	}
	btx := tx.Bolt
	st, err := loadState(btx, e.Item)
	if err != nil {
		return Entry{}, err
	}
	next, err := apply(st, &e)
	if err != nil {
		return Entry{}, err
	}
	return c.write(tx, e, st, next)
}

// write stores an entry that Append has checked, with its leaf, index and
// the item's state after it (next; st is the state before, nil for the
// first entry). From here on only the store can fail.
func (c *Custody) write(tx *ledger.Tx, e Entry, st *ItemState, next ItemState) (Entry, error) {
	btx := tx.Bolt
	entries := btx.Bucket(bucketEntries)
	seq, err := entries.NextSequence()
	if err != nil {
		return Entry{}, fmt.Errorf("next custody entry: %w", err)
	}
	e.Seq, e.LeafIndex = seq, treeSize(btx)
	e.ItemSeq = 1
	if st != nil {
		e.ItemSeq, e.PrevHash = st.Entries+1, st.LastHash
	}
	canon := e.Canonical()
	if _, h, err := appendLeaf(btx, KindCustody, seq, canon); err != nil {
		return Entry{}, err
	} else {
		e.Hash = leafHex(h)
	}
	if err := entries.Put(be64(seq), canon); err != nil {
		return Entry{}, fmt.Errorf("store custody entry %d: %w", seq, err)
	}
	if err := btx.Bucket(bucketItems).Put(itemKey(e.Item, e.ItemSeq), be64(seq)); err != nil {
		return Entry{}, fmt.Errorf("index custody entry %d: %w", seq, err)
	}
	next.Entries, next.LastSeq, next.LastAt, next.LastHash = e.ItemSeq, seq, e.At, e.Hash
	if err := saveState(btx, &next); err != nil {
		return Entry{}, err
	}
	tx.BeforeCommit(hookKey, c.signHook)
	return e, nil
}

func itemKey(item, itemSeq uint64) []byte {
	k := make([]byte, 16)
	binary.BigEndian.PutUint64(k, item)
	binary.BigEndian.PutUint64(k[8:], itemSeq)
	return k
}

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

func saveState(btx *bolt.Tx, st *ItemState) error {
	if err := btx.Bucket(bucketState).Put(be64(st.Item), encodeState(st)); err != nil {
		return fmt.Errorf("store custody state of item %d: %w", st.Item, err)
	}
	return nil
}

func loadState(btx *bolt.Tx, item uint64) (*ItemState, error) {
	v := btx.Bucket(bucketState).Get(be64(item))
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
	if tx.Bolt.Bucket(bucketState) == nil {
		return ItemState{}, ledger.Errorf(ledger.ENotFound, "item %d has no custody entries", item)
	}
	st, err := loadState(tx.Bolt, item)
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
	ib := tx.Bolt.Bucket(bucketItems)
	if ib == nil {
		return nil, nil
	}
	prefix := be64(item)
	var out []Entry
	cur := ib.Cursor()
	for k, v := cur.Seek(itemKey(item, after+1)); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
		if limit > 0 && len(out) == limit {
			break
		}
		e, err := c.entry(tx.Bolt, binary.BigEndian.Uint64(v))
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// Entry reads custody entry seq with its leaf hash as the log stores it.
func (c *Custody) Entry(tx *ledger.Tx, seq uint64) (Entry, error) {
	if tx.Bolt.Bucket(bucketEntries) == nil {
		return Entry{}, ledger.Errorf(ledger.ENotFound, "custody entry %d not found", seq)
	}
	return c.entry(tx.Bolt, seq)
}

func (c *Custody) entry(btx *bolt.Tx, seq uint64) (Entry, error) {
	v := btx.Bucket(bucketEntries).Get(be64(seq))
	if v == nil {
		return Entry{}, ledger.Errorf(ledger.ENotFound, "custody entry %d not found", seq)
	}
	e, err := DecodeEntry(v)
	if err != nil {
		return Entry{}, fmt.Errorf("custody entry %d: %w", seq, err)
	}
	h, err := leafHash(btx, e.LeafIndex)
	if err != nil {
		return Entry{}, fmt.Errorf("custody entry %d: %w", seq, err)
	}
	e.Hash = leafHex(h)
	return e, nil
}

// RawEntry is the stored canonical bytes of entry seq, or nil.
func (c *Custody) RawEntry(tx *ledger.Tx, seq uint64) []byte {
	b := tx.Bolt.Bucket(bucketEntries)
	if b == nil {
		return nil
	}
	return bytes.Clone(b.Get(be64(seq)))
}

// signHook signs a checkpoint of the tree as this commit group leaves it,
// and first saves the previous (committed) checkpoint to the witness file.
func (c *Custody) signHook(tx *ledger.Tx) error {
	btx := tx.Bolt
	m := btx.Bucket(bucketMeta)
	prev := bytes.Clone(m.Get([]byte("checkpoint")))
	c.maybeWitness(prev, false)
	n := treeSize(btx)
	if n == 0 {
		return nil
	}
	if prev != nil {
		if cp, err := c.parseNote(prev); err == nil && cp.Size == n {
			return nil
		}
	}
	root, err := tlog.TreeHash(int64(n), hashReader(btx))
	if err != nil {
		return fmt.Errorf("tree hash at %d: %w", n, err)
	}
	msg, err := note.Sign(&note.Note{Text: checkpointBody(c.origin, n, root)}, c.signer)
	if err != nil {
		return fmt.Errorf("sign checkpoint: %w", err)
	}
	return m.Put([]byte("checkpoint"), msg)
}

// parseNote verifies a signed checkpoint with the log's key and reads it.
func (c *Custody) parseNote(msg []byte) (Checkpoint, error) {
	if c.verifier == nil {
		return Checkpoint{}, fmt.Errorf("no public key to check the checkpoint with")
	}
	n, err := note.Open(msg, note.VerifierList(c.verifier))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint signature: %w", err)
	}
	origin, size, root, err := parseCheckpointBody(n.Text)
	if err != nil {
		return Checkpoint{}, err
	}
	if origin != c.origin {
		return Checkpoint{}, fmt.Errorf("checkpoint is for log %q, not %q", origin, c.origin)
	}
	return Checkpoint{Origin: origin, Size: size, Root: root, Note: bytes.Clone(msg)}, nil
}

// StoredCheckpoint is the latest checkpoint the store holds, checked against
// the key; ENotFound when none was signed yet.
func (c *Custody) StoredCheckpoint(tx *ledger.Tx) (Checkpoint, error) {
	m := tx.Bolt.Bucket(bucketMeta)
	var v []byte
	if m != nil {
		v = m.Get([]byte("checkpoint"))
	}
	if v == nil {
		return Checkpoint{}, ledger.Errorf(ledger.ENotFound, "no checkpoint has been signed yet")
	}
	return c.parseNote(v)
}

// Checkpoint returns a signed checkpoint of the whole log, signing a new
// one first when commits that posted only ledger transactions left the
// stored one behind (the ledger's notary hook cannot sign by itself).
func (c *Custody) Checkpoint(ctx context.Context) (Checkpoint, error) {
	var cp Checkpoint
	fresh := false
	if err := c.store.View(func(tx *ledger.Tx) error {
		var err error
		cp, err = c.StoredCheckpoint(tx)
		if err == nil && cp.Size == treeSize(tx.Bolt) {
			fresh = true
		}
		if ledger.ErrorCode(err) == ledger.ENotFound {
			err = nil
		}
		return err
	}); err != nil || fresh {
		return cp, err
	}
	if c.signer == nil {
		if cp.Note == nil {
			return cp, ledger.Errorf(ledger.ENotFound, "no checkpoint has been signed yet")
		}
		return cp, nil // read-only: the newest there is
	}
	err := c.store.Write(ctx, func(tx *ledger.Tx) error {
		tx.BeforeCommit(hookKey, c.signHook)
		return nil
	})
	if err != nil {
		return Checkpoint{}, err
	}
	err = c.store.View(func(tx *ledger.Tx) error {
		var err error
		cp, err = c.StoredCheckpoint(tx)
		return err
	})
	return cp, err
}

// loadWitness reads the size of the witness file's checkpoint, if any.
func (c *Custody) loadWitness() error {
	if c.opt.WitnessPath == "" {
		return nil
	}
	b, err := os.ReadFile(c.opt.WitnessPath)
	if notExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("custody witness: %w", err)
	}
	if cp, err := c.parseNote(b); err == nil {
		c.witnessSize = cp.Size
	}
	return nil
}

// maybeWitness writes a committed checkpoint to the witness file when it is
// newer than the file's and the interval has passed (or force).
func (c *Custody) maybeWitness(msg []byte, force bool) {
	if c.opt.WitnessPath == "" || msg == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !force && c.opt.WitnessEvery > 0 && time.Since(c.lastWitness) < c.opt.WitnessEvery {
		return
	}
	cp, err := c.parseNote(msg)
	if err != nil || cp.Size <= c.witnessSize {
		return // never move the witness backwards: verify must see a rollback
	}
	if err := writeFileAtomic(c.opt.WitnessPath, msg); err == nil {
		c.witnessSize, c.lastWitness = cp.Size, time.Now()
	}
}

// Close writes the latest committed checkpoint to the witness file. Call it
// after the last write, before closing the store.
func (c *Custody) Close() error {
	if c.signer == nil {
		return nil
	}
	// Sign what ledger-only commits left unsigned, so the witness covers it.
	if _, err := c.Checkpoint(context.Background()); err != nil && ledger.ErrorCode(err) != ledger.ENotFound {
		return err
	}
	var msg []byte
	if err := c.store.View(func(tx *ledger.Tx) error {
		if m := tx.Bolt.Bucket(bucketMeta); m != nil {
			msg = bytes.Clone(m.Get([]byte("checkpoint")))
		}
		return nil
	}); err != nil {
		return err
	}
	c.maybeWitness(msg, true)
	return nil
}

func hexHash(h tlog.Hash) string { return hex.EncodeToString(h[:]) }

// itemAccount is the ledger account that holds an item's assets, as the
// evidence register and the release postings name it.
func itemAccount(item uint64) string { return "custody:item:" + strconv.FormatUint(item, 10) }

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

// cashItem says whether a registered item record calls the item cash. An
// item without a record of a kind that knows (a store without the register)
// is not refused: the machine alone cannot tell.
func (c *Custody) cashItem(tx *ledger.Tx, item uint64) (bool, error) {
	for _, k := range c.kinds.items() {
		if k.Cash == nil {
			continue
		}
		stored, err := readRecord(tx, k, item)
		if err != nil {
			return false, fmt.Errorf("%s %d: %w", k.Label, item, err)
		}
		if stored == nil {
			continue
		}
		cash, err := k.Cash(stored)
		if err != nil {
			return false, fmt.Errorf("%s %d: %w", k.Label, item, err)
		}
		if cash {
			return true, nil
		}
	}
	return false, nil
}
