package ledger

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

const storeFormat = "amanat-ledger/1"

// Notary records each committed ledger transaction in the tamper-evident log
// (package chain implements it). It runs inside the writing transaction, so a
// transaction and its log leaf commit together or not at all; it gets the
// whole Tx so that it can also register a BeforeCommit hook (the custody log
// signs a checkpoint per commit group).
type Notary interface {
	LogTransaction(tx *Tx, id uint64, canonical []byte) error
}

// Options configure Open.
type Options struct {
	// Timeout bounds the wait for the file lock, so a second process fails
	// fast instead of hanging. Default 1s.
	Timeout time.Duration
	// NoSync skips fsync; for benchmarks of CPU cost only, never for real books.
	NoSync bool
	// Now is the clock for recorded times; default time.Now.
	Now func() time.Time
	// MaxBatch bounds how many writes share one commit. Default 1000.
	MaxBatch int
	// ReadOnly opens the file for reading (verify, export, backup).
	ReadOnly bool
}

// Store is an open ledger file.
type Store struct {
	db     *bolt.DB
	now    func() time.Time
	notary Notary
	commit *committer
}

// Open opens or creates the store at path.
func Open(path string, opt Options) (*Store, error) {
	if opt.Timeout == 0 {
		opt.Timeout = time.Second
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.MaxBatch <= 0 {
		opt.MaxBatch = 1000
	}
	if opt.ReadOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("open store %s: %w", path, err)
		}
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opt.Timeout, NoSync: opt.NoSync, ReadOnly: opt.ReadOnly})
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			return nil, fmt.Errorf("open store %s: another process holds it open (is a server running on it?): %w", path, err)
		}
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s := &Store{db: db, now: opt.Now}
	if !opt.ReadOnly {
		if err := db.Update(func(btx *bolt.Tx) error { return (&Tx{Bolt: btx}).init() }); err != nil {
			db.Close()
			return nil, fmt.Errorf("open store %s: %w", path, err)
		}
		s.commit = newCommitter(s, opt.MaxBatch)
	} else if err := db.View(func(btx *bolt.Tx) error { return (&Tx{Bolt: btx}).checkFormat() }); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return s, nil
}

// init makes the buckets of the schema and stamps a new store's format.
func (tx *Tx) init() error {
	if err := tx.Create(); err != nil {
		return err
	}
	if tx.Get(LedgerMeta, []byte("format")) == nil {
		return tx.Put(LedgerMeta, []byte("format"), []byte(storeFormat))
	}
	return tx.checkFormat()
}

func (tx *Tx) checkFormat() error {
	if !tx.Has(LedgerMeta) {
		return fmt.Errorf("not an Amanat store (no %s bucket)", LedgerMeta.name)
	}
	if v := tx.Get(LedgerMeta, []byte("format")); string(v) != storeFormat {
		return fmt.Errorf("store format %q, this program reads %q", v, storeFormat)
	}
	return nil
}

// SetNotary installs the tamper-evident log. Call it before the first write.
func (s *Store) SetNotary(n Notary) { s.notary = n }

// DB is the underlying bbolt handle, for packages that keep their own buckets
// in the same file. Writes must go through Write so they share group commit.
func (s *Store) DB() *bolt.DB { return s.db }

// Path is the file the store lives in.
func (s *Store) Path() string { return s.db.Path() }

// Close waits for queued writes to commit, then closes the file.
func (s *Store) Close() error {
	if s.commit != nil {
		s.commit.close()
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

// Tx is one bbolt transaction seen through the ledger. Packages with their own
// buckets read and write them through Tx's bucket methods (bucket.go), so
// that one business event is one transaction.
type Tx struct {
	// Bolt is the bbolt transaction itself, for the packages not yet moved to
	// the bucket methods; new code does not use it.
	Bolt   *bolt.Tx
	Now    time.Time // the recorded time of everything this transaction writes
	notary Notary
	hooks  []hook
	locals map[string]any
}

// Local is the value kept under key for the life of this transaction,
// made by init on first use (nil, without init, when there is none yet):
// state a package keeps until its BeforeCommit hook (a set of rows to
// finish once per commit) that needs no bucket. A transaction that rolls
// back takes it with it; the next attempt starts afresh.
func (tx *Tx) Local(key string, init func() any) any {
	if v, ok := tx.locals[key]; ok || init == nil {
		return v
	}
	if tx.locals == nil {
		tx.locals = map[string]any{}
	}
	v := init()
	tx.locals[key] = v
	return v
}

type hook struct {
	key string
	fn  func(tx *Tx) error
}

// BeforeCommit registers fn to run once after every write of this
// transaction's commit group has run, just before it commits; the custody log
// signs one checkpoint per commit this way. A second registration under the
// same key is ignored. When fn fails, the whole group fails.
func (tx *Tx) BeforeCommit(key string, fn func(tx *Tx) error) {
	for _, h := range tx.hooks {
		if h.key == key {
			return
		}
	}
	tx.hooks = append(tx.hooks, hook{key, fn})
}

func (tx *Tx) runHooks() error {
	for i := 0; i < len(tx.hooks); i++ { // a hook may register another
		if err := tx.hooks[i].fn(tx); err != nil {
			return fmt.Errorf("before commit (%s): %w", tx.hooks[i].key, err)
		}
	}
	return nil
}

// Write runs fn in a writing transaction shared with other concurrent writers
// (group commit: one fsync for many writers). fn may run more than once when
// another writer in its group fails, so it must have no effect outside the
// transaction; collect results in variables that each run overwrites. When fn
// returns an error, nothing it wrote is kept.
func (s *Store) Write(ctx context.Context, fn func(tx *Tx) error) error {
	if s.commit == nil {
		return Errorf(EInternal, "store is open read-only")
	}
	return s.commit.do(ctx, fn)
}

// View runs fn in a read-only transaction.
func (s *Store) View(fn func(tx *Tx) error) error {
	return s.db.View(func(btx *bolt.Tx) error { return fn(&Tx{Bolt: btx, Now: s.now().UTC()}) })
}

// BE64 is n as 8 big-endian bytes: the key of a record by id, so that keys
// sort in id order.
func BE64(n uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	return b[:]
}

// Post validates and commits t inside tx, assigning its ID and Recorded time.
// It writes nothing when it returns an error.
func (tx *Tx) Post(t Transaction) (Transaction, error) {
	t.ID, t.Recorded, t.Effective = 0, tx.Now, t.Effective.UTC()
	if err := t.check(); err != nil {
		return Transaction{}, err
	}
	if t.Effective.After(tx.Now.Add(time.Minute)) {
		return Transaction{}, FieldErr("effective", fmt.Sprintf("%s is in the future", t.Effective.Format(time.RFC3339)))
	}
	if t.Reverses != 0 {
		if err := tx.checkReversal(&t); err != nil {
			return Transaction{}, err
		}
	}
	id, err := tx.NextSequence(LedgerTxns)
	if err != nil {
		return Transaction{}, fmt.Errorf("next transaction id: %w", err)
	}
	t.ID = id
	canon := t.Canonical()
	if err := tx.Put(LedgerTxns, BE64(id), canon); err != nil {
		return Transaction{}, fmt.Errorf("store transaction %d: %w", id, err)
	}
	if t.Reverses != 0 {
		if err := tx.Put(LedgerReversals, BE64(t.Reverses), BE64(id)); err != nil {
			return Transaction{}, fmt.Errorf("record reversal of %d: %w", t.Reverses, err)
		}
	}
	if err := applyPostings(tx.Bolt, &t); err != nil {
		return Transaction{}, fmt.Errorf("apply transaction %d: %w", id, err)
	}
	if tx.notary != nil {
		if err := tx.notary.LogTransaction(tx, id, canon); err != nil {
			return Transaction{}, fmt.Errorf("log transaction %d: %w", id, err)
		}
	}
	return t, nil
}

// Reverse posts the exact negation of transaction id. A transaction can be
// reversed once; a reversal cannot itself be reversed (post the original
// movement again instead), so the history reads plainly.
func (tx *Tx) Reverse(id uint64, actor, memo string, effective time.Time) (Transaction, error) {
	orig, err := tx.Transaction(id)
	if err != nil {
		return Transaction{}, err
	}
	rev := Transaction{Effective: effective, Actor: actor, Memo: memo, Reverses: id, Links: orig.Links}
	for _, p := range orig.Postings {
		rev.Postings = append(rev.Postings, Posting{Account: p.Account, Amount: p.Amount.Neg()})
	}
	return tx.Post(rev)
}

func (tx *Tx) checkReversal(t *Transaction) error {
	orig, err := tx.Transaction(t.Reverses)
	if err != nil {
		return err
	}
	if orig.Reverses != 0 {
		return Errorf(EInvalid, "transaction %d is itself a reversal and cannot be reversed", orig.ID)
	}
	if by := tx.Get(LedgerReversals, BE64(orig.ID)); by != nil {
		return Errorf(EConflict, "transaction %d was already reversed by transaction %d", orig.ID, binary.BigEndian.Uint64(by))
	}
	if !negates(t.Postings, orig.Postings) {
		return Errorf(EInvalid, "a reversal of transaction %d must post exactly the negation of its postings", orig.ID)
	}
	if t.Effective.Before(orig.Effective) {
		return FieldErr("effective", fmt.Sprintf("a reversal cannot take effect before the transaction it reverses (%s)", orig.Effective.Format(time.RFC3339Nano)))
	}
	return nil
}

func negates(rev, orig []Posting) bool {
	if len(rev) != len(orig) {
		return false
	}
	for i := range rev {
		if rev[i].Account != orig[i].Account || !rev[i].Amount.Equal(orig[i].Amount.Neg()) {
			return false
		}
	}
	return true
}

// Transaction reads a committed transaction.
func (tx *Tx) Transaction(id uint64) (Transaction, error) {
	v := tx.Get(LedgerTxns, BE64(id))
	if v == nil {
		return Transaction{}, Errorf(ENotFound, "transaction %d not found", id)
	}
	t, err := DecodeTransaction(v)
	if err != nil {
		return Transaction{}, fmt.Errorf("decode transaction %d: %w", id, err)
	}
	return t, nil
}

// ReversedBy returns the id of the transaction that reversed id, or 0.
func (tx *Tx) ReversedBy(id uint64) uint64 {
	if v := tx.Get(LedgerReversals, BE64(id)); v != nil {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

// LastTransactionID is the id of the newest transaction, 0 when there is none.
func (tx *Tx) LastTransactionID() uint64 { return tx.Sequence(LedgerTxns) }

// ForEachTransaction calls fn for each transaction with id > after, in id
// order, until fn returns false or an error.
func (tx *Tx) ForEachTransaction(after uint64, fn func(t Transaction) (bool, error)) error {
	c := tx.Cursor(LedgerTxns)
	for k, v := c.Seek(BE64(after + 1)); k != nil; k, v = c.Next() {
		t, err := DecodeTransaction(v)
		if err != nil {
			return fmt.Errorf("decode transaction %d: %w", binary.BigEndian.Uint64(k), err)
		}
		more, err := fn(t)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// RawTransaction returns a copy of the stored canonical bytes of id, or nil.
func (tx *Tx) RawTransaction(id uint64) []byte {
	v := tx.Get(LedgerTxns, BE64(id))
	if v == nil {
		return nil
	}
	return bytes.Clone(v)
}

// PostBatch commits txns together in one bbolt transaction (one fsync): all
// of them or, when one is refused, none. The error names the refused one.
func (s *Store) PostBatch(ctx context.Context, txns []Transaction) ([]Transaction, error) {
	var out []Transaction
	err := s.Write(ctx, func(tx *Tx) error {
		out = make([]Transaction, 0, len(txns))
		for i, t := range txns {
			posted, err := tx.Post(t)
			if err != nil {
				return fmt.Errorf("transaction %d of the batch: %w", i, err)
			}
			out = append(out, posted)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
