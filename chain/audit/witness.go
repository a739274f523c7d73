package audit

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/amanat-ledger/amanat/chain/log"
	"github.com/amanat-ledger/amanat/ledger"
)

// The audit tree's witness file keeps its latest committed checkpoint
// outside the database, as the custody log's does: a store file put back
// from an older copy loses the reads recorded since, and the custody log's
// own witness cannot see that when nothing but reads happened in between.

// WitnessPath is the audit tree's witness file beside the custody log's
// witness file custodyWitness: "x.checkpoint" -> "x.audit.checkpoint".
func WitnessPath(custodyWitness string) string {
	return strings.TrimSuffix(custodyWitness, ".checkpoint") + ".audit.checkpoint"
}

// Options tune New.
type Options struct {
	// WitnessPath is the witness file; "" keeps none.
	WitnessPath string
	// WitnessEvery bounds how often the file is rewritten during writes
	// (each rewrite is an fsync). Default 1s; negative means every commit.
	WitnessEvery time.Duration
	// ReadOnly never writes the file, only checks it.
	ReadOnly bool
}

type witness struct {
	path     string
	every    time.Duration
	readOnly bool

	mu   sync.Mutex
	last time.Time
	size uint64 // size of the checkpoint in the file
}

func newWitness(opt Options, signer Signer) *witness {
	w := &witness{path: opt.WitnessPath, every: opt.WitnessEvery, readOnly: opt.ReadOnly}
	if w.every == 0 {
		w.every = time.Second
	}
	if w.path != "" {
		if b, err := os.ReadFile(w.path); err == nil {
			if cp, err := signer.OpenTree(TreeName, b); err == nil {
				w.size = cp.Size
			}
		}
	}
	return w
}

// save writes a committed checkpoint to the file when it is newer than the
// file's and the interval has passed (or force). It never moves the file
// back: verify must see a rollback. A failed write is tried again at the
// next commit.
func (l *Log) save(msg []byte, force bool) {
	w := l.witness
	if w.path == "" || w.readOnly || msg == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if !force && w.every > 0 && time.Since(w.last) < w.every {
		return
	}
	cp, err := l.signer.OpenTree(TreeName, msg)
	if err != nil || cp.Size <= w.size {
		return
	}
	if err := log.WriteWitness(w.path, msg); err == nil {
		w.size, w.last = cp.Size, time.Now()
	}
}

// Close writes the latest committed checkpoint to the witness file. Call it
// after the last request, before closing the store.
func (l *Log) Close() error {
	if l.witness.path == "" || l.witness.readOnly {
		return nil
	}
	var msg []byte
	if err := l.store.View(func(tx *ledger.Tx) error {
		msg = bytes.Clone(tx.Get(ledger.AuditMeta, []byte("checkpoint")))
		return nil
	}); err != nil {
		return fmt.Errorf("audit witness: %w", err)
	}
	l.save(msg, true)
	return nil
}

// checkWitness checks the witness file against the tree of n records, whose
// stored hashes checkRecords proved: the tree must extend it.
func (l *Log) checkWitness(tx *ledger.Tx, n uint64) (uint64, error) {
	path := l.witness.path
	if path == "" {
		return 0, nil
	}
	msg, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("audit witness: %w", err)
	}
	cp, err := l.signer.OpenTree(TreeName, msg)
	if err != nil {
		return 0, fmt.Errorf("audit witness %s: %w", path, err)
	}
	if cp.Size > n {
		return 0, fmt.Errorf("the audit log was rolled back: the witness checkpoint %s signs %d records, the store holds %d", path, cp.Size, n)
	}
	if cp.Size == 0 {
		return 0, nil
	}
	if root, err := tlog.TreeHash(int64(cp.Size), hashes{tx}); err != nil || root != cp.Root {
		return 0, fmt.Errorf("the audit log does not extend the witness checkpoint %s at %d records: history was rewritten", path, cp.Size)
	}
	return cp.Size, nil
}
