package ledger

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// committer is Amanat's group commit. Writers queue; one goroutine takes every
// write queued at that moment and runs them in one bbolt transaction, so they
// share its fsync. Unlike bolt.DB.Batch it never waits for a batch to fill: a
// lone writer commits at once, and a queue forms only while a commit is
// already in flight, which is exactly when sharing pays.
type committer struct {
	s        *Store
	maxBatch int
	reqs     chan *writeReq

	mu     sync.RWMutex // guards closed against sends on reqs
	closed bool
	done   chan struct{}
}

type writeReq struct {
	fn   func(tx *Tx) error
	errc chan error
}

func newCommitter(s *Store, maxBatch int) *committer {
	c := &committer{s: s, maxBatch: maxBatch, reqs: make(chan *writeReq, maxBatch), done: make(chan struct{})}
	go c.loop()
	return c
}

var errStoreClosed = errors.New("store is closed")

func (c *committer) do(ctx context.Context, fn func(tx *Tx) error) error {
	r := &writeReq{fn: fn, errc: make(chan error, 1)}
	c.mu.RLock()
	if c.closed {
		c.mu.RUnlock()
		return errStoreClosed
	}
	select {
	case c.reqs <- r:
	case <-ctx.Done():
		c.mu.RUnlock()
		return fmt.Errorf("queue write: %w", ctx.Err())
	}
	c.mu.RUnlock()
	// Once queued, the write runs whatever the context says: the caller
	// learns its fate rather than guessing whether it committed.
	return <-r.errc
}

// close stops taking writes and returns when every queued write has committed.
func (c *committer) close() {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		close(c.reqs)
	}
	c.mu.Unlock()
	<-c.done
}

func (c *committer) loop() {
	defer close(c.done)
	for first := range c.reqs {
		batch := []*writeReq{first}
	fill:
		for len(batch) < c.maxBatch {
			select {
			case r, ok := <-c.reqs:
				if !ok {
					break fill
				}
				batch = append(batch, r)
			default:
				break fill
			}
		}
		c.run(batch)
	}
}

// errRollback aborts a group's transaction when one of its writes failed.
var errRollback = errors.New("rollback")

// run commits batch. When one write fails, the transaction is rolled back, that
// write gets its error, and the rest run again without it.
func (c *committer) run(batch []*writeReq) {
	for len(batch) > 0 {
		failed, failErr := -1, error(nil)
		err := c.s.db.Update(func(btx *bolt.Tx) error {
			tx := &Tx{Bolt: btx, Now: c.s.now().UTC(), notary: c.s.notary}
			for i, r := range batch {
				if err := safeRun(r.fn, tx); err != nil {
					failed, failErr = i, err
					return errRollback
				}
			}
			return tx.runHooks()
		})
		if failed >= 0 {
			batch[failed].errc <- failErr
			batch = append(batch[:failed:failed], batch[failed+1:]...)
			continue
		}
		if err != nil {
			err = fmt.Errorf("commit: %w", err)
		}
		for _, r := range batch {
			r.errc <- err
		}
		return
	}
}

// safeRun turns a panic in a write into an error for that write alone, so one
// bad request cannot take the other writers of its group, or the server, down.
func safeRun(fn func(tx *Tx) error, tx *Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &Error{Code: EInternal, Msg: fmt.Sprintf("write panicked: %v\n%s", p, debug.Stack())}
		}
	}()
	return fn(tx)
}
