package chain

import (
	"context"
	"errors"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/amanat-ledger/amanat/ledger"
)

// Every inclusion and consistency proof the log gives is accepted by tlog's
// own checkers, against roots the log reports for each size.
func TestProofsAgainstTlog(t *testing.T) {
	l := busyLog(t)
	for i := uint64(3); i <= 8; i++ {
		l.seize(t, i, "1.00")
	}
	err := l.store.View(func(tx *ledger.Tx) error {
		n := l.c.TreeSize(tx)
		cp, err := l.c.StoredCheckpoint(tx)
		if err != nil {
			return err
		}
		if cp.Size != n {
			t.Fatalf("checkpoint %d, tree %d", cp.Size, n)
		}
		roots := map[uint64]tlog.Hash{}
		for size := uint64(1); size <= n; size++ {
			c, err := l.c.ProveConsistency(tx, size, n)
			if err != nil {
				return err
			}
			roots[size] = c.OldRoot
			if c.NewRoot != cp.Root {
				t.Fatalf("root at %d differs from the checkpoint", n)
			}
		}
		for seq := uint64(1); ; seq++ {
			raw := l.c.RawEntry(tx, seq)
			if raw == nil {
				break
			}
			e, _ := DecodeEntry(raw)
			for size := e.LeafIndex + 1; size <= n; size++ {
				p, err := l.c.ProveEntry(tx, seq, size)
				if err != nil {
					return err
				}
				if p.Root != roots[size] || p.LeafHash != tlog.RecordHash(raw) {
					t.Fatalf("entry %d at size %d: root or leaf differ", seq, size)
				}
				if err := tlog.CheckRecord(p.Hashes, int64(size), roots[size], int64(e.LeafIndex), p.LeafHash); err != nil {
					t.Fatalf("entry %d at size %d: %v", seq, size, err)
				}
			}
			if _, err := l.c.ProveEntry(tx, seq, e.LeafIndex); ledger.ErrorCode(err) != ledger.EInvalid {
				t.Fatalf("a tree without the leaf must be refused, got %v", err)
			}
		}
		for id := uint64(1); id <= tx.LastTransactionID(); id++ {
			p, err := l.c.ProveTransaction(tx, id, 0)
			if err != nil {
				return err
			}
			if err := tlog.CheckRecord(p.Hashes, int64(p.TreeSize), cp.Root, int64(p.LeafIndex), tlog.RecordHash(tx.RawTransaction(id))); err != nil {
				t.Fatalf("transaction %d: %v", id, err)
			}
		}
		for old := uint64(1); old <= n; old++ {
			for new := old; new <= n; new++ {
				c, err := l.c.ProveConsistency(tx, old, new)
				if err != nil {
					return err
				}
				if err := tlog.CheckTree(c.Hashes, int64(new), roots[new], int64(old), roots[old]); err != nil {
					t.Fatalf("consistency %d..%d: %v", old, new, err)
				}
			}
		}
		// Refusals name the parameter.
		for _, bad := range []struct {
			old, new uint64
			field    string
		}{{0, n, "old"}, {n, n - 1, "old"}, {1, n + 1, "new"}} {
			_, err := l.c.ProveConsistency(tx, bad.old, bad.new)
			var le *ledger.Error
			if !errors.As(err, &le) || len(le.Fields) != 1 || le.Fields[0].Field != bad.field {
				t.Errorf("consistency %d..%d: %v, want field %s", bad.old, bad.new, err, bad.field)
			}
		}
		if _, err := l.c.ProveEntry(tx, 999, 0); ledger.ErrorCode(err) != ledger.ENotFound {
			t.Errorf("unknown entry: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Ledger transactions posted without any custody entry are leaves too, and
// their commit is signed at once (the ledger hands the notary its Tx); a new
// process backfills transactions posted while no custody log was installed.
func TestLedgerOnlyCommitsAreLogged(t *testing.T) {
	l := mustOpen(t)
	l.seize(t, 1, "5.00")
	if err := l.store.Write(ctxb, func(tx *ledger.Tx) error { _, err := postSeizure(tx, 2, "6.00"); return err }); err != nil {
		t.Fatal(err)
	}
	rep := l.mustVerify(t)
	if rep.Leaves != 3 || rep.Transactions != 2 || rep.Unsigned != 0 || rep.Checkpoint != 3 {
		t.Fatalf("report %+v", rep)
	}
	cp, err := l.c.Checkpoint(ctxb)
	if err != nil || cp.Size != 3 {
		t.Fatalf("checkpoint %+v %v", cp, err)
	}
	if rep := l.mustVerify(t); rep.Unsigned != 0 || rep.Checkpoint != 3 {
		t.Fatalf("after signing: %+v", rep)
	}

	// A process that posts without the custody log installed...
	l.close(t)
	s, err := ledger.Open(l.db, ledger.Options{Now: func() time.Time { return l.now }, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write(ctxb, func(tx *ledger.Tx) error { _, err := postSeizure(tx, 3, "7.00"); return err }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := verifyFile(t, l); err == nil {
		t.Fatal("a transaction missing from the log must fail verification")
	}
	// ...is caught up by the next New.
	l.open(t)
	if rep := l.mustVerify(t); rep.Leaves != 4 || rep.Unsigned != 0 {
		t.Fatalf("after backfill: %+v", rep)
	}
}

var ctxb = context.Background()

// A caller with the ledger transaction at hand gets its commit signed at once.
func TestLogTransactionSigns(t *testing.T) {
	l := mustOpen(t)
	l.seize(t, 1, "5.00")
	err := l.store.Write(ctxb, func(tx *ledger.Tx) error {
		// What the ledger's Post does.
		return l.c.log.LogTransaction(tx, 99, []byte("amanat-txn/1\nid 99\n"))
	})
	if err != nil {
		t.Fatal(err)
	}
	var cp Checkpoint
	if err := l.store.View(func(tx *ledger.Tx) (err error) { cp, err = l.c.StoredCheckpoint(tx); return }); err != nil || cp.Size != 3 {
		t.Fatalf("checkpoint %d, %v: want the commit signed", cp.Size, err)
	}
}
