package log

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/amanat-ledger/amanat/ledger"
)

// Log is the Merkle log of one store, with its key and witness file.
type Log struct {
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

// Options tune Open.
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

// Open opens the log of store for writing: loads or creates the Ed25519
// signing key at keyPath (mode 0600, outside the database), records the
// log's name and key in the store, gives every ledger transaction and every
// record of kinds that has no leaf yet one, and installs the log as the
// store's ledger.Notary so that every ledger transaction becomes a leaf in
// the transaction that posts it. Call it before any write.
func Open(store *ledger.Store, keyPath string, kinds []ledger.RecordKind, opt Options) (*Log, error) {
	if keyPath == "" {
		return nil, fmt.Errorf("custody: a key path is required")
	}
	ks, err := newKindSet(kinds)
	if err != nil {
		return nil, err
	}
	l := &Log{store: store, keyPath: keyPath, opt: opt, kinds: ks}
	l.setDefaults()
	storedOrigin, storedVkey, err := storedKey(store)
	if err != nil {
		return nil, err
	}
	if err := l.loadSigner(storedOrigin, storedVkey); err != nil {
		return nil, err
	}
	if err := l.loadWitness(); err != nil {
		return nil, err
	}
	err = store.Write(context.Background(), func(tx *ledger.Tx) error {
		if err := l.init(tx); err != nil {
			return err
		}
		// Transactions posted before the log existed (or before this
		// process installed it) become leaves now, in id order.
		if err := l.backfill(tx); err != nil {
			return err
		}
		// Records of the given kinds that have no leaf yet (a store
		// from before records were logged) become leaves, once per kind.
		if err := l.backfillRecords(tx); err != nil {
			return err
		}
		l.SignOnCommit(tx)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("open custody log: %w", err)
	}
	store.SetNotary(l)
	return l, nil
}

// OpenReadOnly opens the log of a store for reading only (verify, export
// from a read-only store, proofs): no key is created and no notary is
// installed. The public key comes from the key file when it exists, else
// from the store.
func OpenReadOnly(store *ledger.Store, keyPath string, kinds []ledger.RecordKind) (*Log, error) {
	ks, err := newKindSet(kinds)
	if err != nil {
		return nil, err
	}
	l := &Log{store: store, keyPath: keyPath, kinds: ks}
	l.setDefaults()
	var storedVkey string
	if l.origin, storedVkey, err = storedKey(store); err != nil {
		return nil, err
	}
	l.vkey = storedVkey
	if keyPath != "" {
		_, vkey, err := readKey(keyPath)
		switch {
		case err == nil:
			if storedVkey != "" && vkey != storedVkey {
				return nil, fmt.Errorf("custody key %s does not belong to this store: the store's log is signed by %s, the file holds %s", keyPath, storedVkey, vkey)
			}
			l.vkey = vkey
		case !notExist(err):
			return nil, fmt.Errorf("custody key: %w", err)
		}
	}
	if l.vkey != "" {
		v, err := note.NewVerifier(l.vkey)
		if err != nil {
			return nil, fmt.Errorf("custody public key %q: %w", l.vkey, err)
		}
		l.verifier = v
	}
	return l, nil
}

// storedKey is what the store already says about its log.
func storedKey(store *ledger.Store) (origin, vkey string, err error) {
	err = store.View(func(tx *ledger.Tx) error {
		origin, vkey = string(tx.Get(ledger.ChainMeta, []byte("origin"))), string(tx.Get(ledger.ChainMeta, []byte("vkey")))
		return nil
	})
	return origin, vkey, err
}

// loadSigner reads the key file, or creates it for a store whose log has no
// key yet, and checks it against the store's.
func (l *Log) loadSigner(storedOrigin, storedVkey string) error {
	keyPath := l.keyPath
	skey, vkey, err := readKey(keyPath)
	switch {
	case err == nil:
		if storedVkey != "" && storedVkey != vkey {
			return fmt.Errorf("custody key %s does not belong to this store: the store's log is signed by %s, the file holds %s", keyPath, storedVkey, vkey)
		}
	case notExist(err) && storedVkey != "":
		return fmt.Errorf("custody key %s is missing; this store's log is signed by %s: restore that key file (a new key would break the chain of signed checkpoints)", keyPath, storedVkey)
	case notExist(err):
		origin, err := newOrigin()
		if err != nil {
			return fmt.Errorf("custody origin: %w", err)
		}
		if skey, vkey, err = createKey(keyPath, origin); err != nil {
			return err
		}
	default:
		return fmt.Errorf("custody key: %w", err)
	}
	if l.signer, err = note.NewSigner(skey); err != nil {
		return fmt.Errorf("custody key %s: %w", keyPath, err)
	}
	if l.verifier, err = note.NewVerifier(vkey); err != nil {
		return fmt.Errorf("custody key %s: %w", keyPath, err)
	}
	l.vkey, l.origin = vkey, l.signer.Name()
	if storedOrigin != "" && storedOrigin != l.origin {
		return fmt.Errorf("custody key %s is named %q but the store's log is %q", keyPath, l.origin, storedOrigin)
	}
	return nil
}

func (l *Log) setDefaults() {
	if l.opt.WitnessPath == "" && l.keyPath != "" {
		l.opt.WitnessPath = WitnessPath(l.keyPath)
	}
	if l.opt.WitnessPath == "-" {
		l.opt.WitnessPath = ""
	}
	if l.opt.WitnessEvery == 0 {
		l.opt.WitnessEvery = time.Second
	}
}

// init makes the store's buckets and records the log's format, name and
// key, once.
func (l *Log) init(tx *ledger.Tx) error {
	if err := tx.Create(); err != nil {
		return err
	}
	if v := tx.Get(ledger.ChainMeta, []byte("format")); v != nil && string(v) != StoreFormat {
		return fmt.Errorf("custody log format %q, this program reads %q", v, StoreFormat)
	}
	for _, kv := range [][2]string{{"format", StoreFormat}, {"origin", l.origin}, {"vkey", l.vkey}} {
		if tx.Get(ledger.ChainMeta, []byte(kv[0])) == nil {
			if err := tx.Put(ledger.ChainMeta, []byte(kv[0]), []byte(kv[1])); err != nil {
				return err
			}
		}
	}
	return nil
}

func (l *Log) backfill(tx *ledger.Tx) error {
	last := uint64(0)
	if k, _ := tx.Cursor(ledger.ChainTxLeaf).Last(); k != nil {
		last = Uint64(k)
	}
	for id := last + 1; id <= tx.LastTransactionID(); id++ {
		raw := tx.RawTransaction(id)
		if raw == nil {
			return fmt.Errorf("ledger transaction %d is missing", id)
		}
		if err := l.LogTransaction(tx, id, raw); err != nil {
			return err
		}
	}
	return nil
}

// Origin is the log's name, the first line of its checkpoints.
func (l *Log) Origin() string { return l.origin }

// PublicKey is the verifier key of the log's signatures, in the signed-note
// form "<name>+<hash>+<base64 key>".
func (l *Log) PublicKey() string { return l.vkey }

// Writable says whether the log was opened for writing (it holds the key).
func (l *Log) Writable() bool { return l.signer != nil }

// LogTransaction makes a committed ledger transaction the next leaf of the
// log (ledger.Notary), inside the transaction that posts it, and registers
// the checkpoint hook so that a commit that only posts ledger transactions
// is signed at once too.
func (l *Log) LogTransaction(tx *ledger.Tx, id uint64, canonical []byte) error {
	if !tx.Has(ledger.ChainTxLeaf) {
		return fmt.Errorf("custody log is not initialised in this store")
	}
	if tx.Get(ledger.ChainTxLeaf, BE64(id)) != nil {
		return fmt.Errorf("ledger transaction %d is already in the log", id)
	}
	i, leafHash, err := AppendLeaf(tx, KindTransaction, id, canonical)
	if err != nil {
		return err
	}
	if err := tx.Put(ledger.ChainTxLeaf, BE64(id), BE64(i)); err != nil {
		return err
	}
	if headsKept(tx) {
		if err := noteTxn(tx, id, i, leafHash, canonical); err != nil {
			return err
		}
	}
	l.SignOnCommit(tx)
	return nil
}

const hookKey = "chain.checkpoint"

// SignOnCommit has the commit group of tx sign a checkpoint of the tree as
// it leaves it: one signature per fsync, not per leaf. Every write that
// appends a leaf calls it; a read-only log signs nothing.
func (l *Log) SignOnCommit(tx *ledger.Tx) {
	if l.signer != nil {
		tx.BeforeCommit(hookKey, l.signHook)
	}
}

// signHook signs a checkpoint of the tree as this commit group leaves it,
// and first saves the previous (committed) checkpoint to the witness file.
func (l *Log) signHook(tx *ledger.Tx) error {
	prev := bytes.Clone(tx.Get(ledger.ChainMeta, []byte("checkpoint")))
	l.maybeWitness(prev, false)
	n := Size(tx)
	if n == 0 {
		return nil
	}
	if err := flushHeads(tx); err != nil {
		return err
	}
	ext, err := currentExtensions(tx)
	if err != nil {
		return err
	}
	if prev != nil {
		if cp, err := l.ParseNote(prev); err == nil && cp.Size == n && sameHeads(cp.Ext, ext) && !l.stale(cp, tx.Now) {
			return nil
		}
	}
	root, err := tlog.TreeHash(int64(n), Hashes(tx))
	if err != nil {
		return fmt.Errorf("tree hash at %d: %w", n, err)
	}
	msg, err := note.Sign(&note.Note{Text: checkpointBody(l.origin, n, root) + ext.Lines()}, l.signer)
	if err != nil {
		return fmt.Errorf("sign checkpoint: %w", err)
	}
	return tx.Put(ledger.ChainMeta, []byte("checkpoint"), msg)
}

// ParseNote verifies a signed checkpoint with the log's key and reads it.
func (l *Log) ParseNote(msg []byte) (Checkpoint, error) {
	if l.verifier == nil {
		return Checkpoint{}, fmt.Errorf("no public key to check the checkpoint with")
	}
	n, err := note.Open(msg, note.VerifierList(l.verifier))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint signature: %w", err)
	}
	origin, size, root, err := ParseCheckpointBody(n.Text)
	if err != nil {
		return Checkpoint{}, err
	}
	if origin != l.origin {
		return Checkpoint{}, fmt.Errorf("checkpoint is for log %q, not %q", origin, l.origin)
	}
	ext, err := ParseExtensions(n.Text)
	if err != nil {
		return Checkpoint{}, err
	}
	return Checkpoint{Origin: origin, Size: size, Root: root, Note: bytes.Clone(msg), Ext: ext}, nil
}

// StoredCheckpoint is the latest checkpoint the store holds, checked against
// the key; ENotFound when none was signed yet.
func (l *Log) StoredCheckpoint(tx *ledger.Tx) (Checkpoint, error) {
	v := tx.Get(ledger.ChainMeta, []byte("checkpoint"))
	if v == nil {
		return Checkpoint{}, ledger.Errorf(ledger.ENotFound, "no checkpoint has been signed yet")
	}
	return l.ParseNote(v)
}

// Checkpoint returns a signed checkpoint of the whole log, signing a new
// one first when commits that posted only ledger transactions left the
// stored one behind.
func (l *Log) Checkpoint(ctx context.Context) (Checkpoint, error) {
	var cp Checkpoint
	fresh := false
	if err := l.store.View(func(tx *ledger.Tx) error {
		var err error
		cp, err = l.StoredCheckpoint(tx)
		if err == nil && cp.Size == Size(tx) {
			ext, err2 := currentExtensions(tx)
			fresh = err2 == nil && sameHeads(cp.Ext, ext) && (l.signer == nil || !l.stale(cp, tx.Now))
		}
		if ledger.ErrorCode(err) == ledger.ENotFound {
			err = nil
		}
		return err
	}); err != nil || fresh {
		return cp, err
	}
	if l.signer == nil {
		if cp.Note == nil {
			return cp, ledger.Errorf(ledger.ENotFound, "no checkpoint has been signed yet")
		}
		return cp, nil // read-only: the newest there is
	}
	err := l.store.Write(ctx, func(tx *ledger.Tx) error {
		l.SignOnCommit(tx)
		return nil
	})
	if err != nil {
		return Checkpoint{}, err
	}
	err = l.store.View(func(tx *ledger.Tx) error {
		var err error
		cp, err = l.StoredCheckpoint(tx)
		return err
	})
	return cp, err
}

// loadWitness reads the size of the witness file's checkpoint, if any.
func (l *Log) loadWitness() error {
	if l.opt.WitnessPath == "" {
		return nil
	}
	b, err := os.ReadFile(l.opt.WitnessPath)
	if notExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("custody witness: %w", err)
	}
	if cp, err := l.ParseNote(b); err == nil {
		l.witnessSize = cp.Size
	}
	return nil
}

// maybeWitness writes a committed checkpoint to the witness file when it is
// newer than the file's and the interval has passed (or force).
func (l *Log) maybeWitness(msg []byte, force bool) {
	if l.opt.WitnessPath == "" || msg == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !force && l.opt.WitnessEvery > 0 && time.Since(l.lastWitness) < l.opt.WitnessEvery {
		return
	}
	cp, err := l.ParseNote(msg)
	if err != nil || cp.Size <= l.witnessSize {
		return // never move the witness backwards: verify must see a rollback
	}
	if err := writeFileAtomic(l.opt.WitnessPath, msg); err == nil {
		l.witnessSize, l.lastWitness = cp.Size, time.Now()
	}
}

// Close writes the latest committed checkpoint to the witness file. Call it
// after the last write, before closing the store.
func (l *Log) Close() error {
	if l.signer == nil {
		return nil
	}
	// Sign what ledger-only commits left unsigned, so the witness covers it.
	if _, err := l.Checkpoint(context.Background()); err != nil && ledger.ErrorCode(err) != ledger.ENotFound {
		return err
	}
	var msg []byte
	if err := l.store.View(func(tx *ledger.Tx) error {
		msg = bytes.Clone(tx.Get(ledger.ChainMeta, []byte("checkpoint")))
		return nil
	}); err != nil {
		return err
	}
	l.maybeWitness(msg, true)
	return nil
}
