package chain

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/money"
)

// testLog is a store with its custody log, in a temporary directory.
type testLog struct {
	dir   string
	db    string
	key   string
	store *ledger.Store
	c     *Custody
	now   time.Time
}

var t0 = time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)

func mustOpen(t testing.TB) *testLog {
	t.Helper()
	dir := t.TempDir()
	l := &testLog{dir: dir, db: filepath.Join(dir, "amanat.db"), key: filepath.Join(dir, "amanat.db.key"), now: t0.Add(30 * 24 * time.Hour)}
	l.open(t)
	return l
}

func (l *testLog) open(t testing.TB) {
	t.Helper()
	s, err := ledger.Open(l.db, ledger.Options{Now: func() time.Time { return l.now }, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewWithOptions(s, l.key, testKinds, Options{})
	if err != nil {
		s.Close()
		t.Fatal(err)
	}
	l.store, l.c = s, c
	t.Cleanup(func() { l.close(t) })
}

func (l *testLog) close(t testing.TB) {
	t.Helper()
	if l.store == nil {
		return
	}
	if err := l.c.Close(); err != nil {
		t.Error(err)
	}
	if err := l.store.Close(); err != nil {
		t.Error(err)
	}
	l.store, l.c = nil, nil
}

// append records entries in one write and fails the test on error.
func (l *testLog) append(t testing.TB, es ...Entry) []Entry {
	t.Helper()
	out, err := l.tryAppend(es...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (l *testLog) tryAppend(es ...Entry) ([]Entry, error) {
	var out []Entry
	err := l.store.Write(context.Background(), func(tx *ledger.Tx) error {
		out = out[:0]
		for _, e := range es {
			got, err := l.c.Append(tx, e)
			if err != nil {
				return err
			}
			out = append(out, got)
		}
		return nil
	})
	return out, err
}

// seize posts the seizure's ledger transaction and the item's first entry in
// one write, as the seizures package does.
func (l *testLog) seize(t testing.TB, item uint64, amount string) (Entry, ledger.Transaction) {
	t.Helper()
	var e Entry
	var txn ledger.Transaction
	err := l.store.Write(context.Background(), func(tx *ledger.Tx) error {
		var err error
		if txn, err = postSeizure(tx, item, amount); err != nil {
			return err
		}
		e, err = l.c.Append(tx, seizedEntry(item, txn.ID))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return e, txn
}

// postSeizure posts the ledger side of a seizure of amount USD.
func postSeizure(tx *ledger.Tx, item uint64, amount string) (ledger.Transaction, error) {
	usd := money.MustLookup("USD")
	a, err := money.ParseAmount(usd, amount, money.Positive)
	if err != nil {
		return ledger.Transaction{}, err
	}
	return tx.Post(ledger.Transaction{
		Effective: t0, Actor: "custodian:asma", Memo: "seizure",
		Links:    []ledger.Link{{Kind: "item", Ref: fmt.Sprint(item)}},
		Postings: []ledger.Posting{{Account: fmt.Sprintf("custody:item:%d", item), Amount: a}, {Account: "seized:case:1", Amount: a.Neg()}},
	})
}

func seizedEntry(item, txn uint64) Entry {
	return Entry{Item: item, Event: EventSeized, At: t0, RecordedBy: "custodian:asma", To: "SI Bilal",
		Location:  Location{Circle: "islamabad", Building: "Plot 12, I-9", Room: "raid site"},
		SealAfter: Seal{Number: "FIA-ISB-0001", State: SealIntact}, LedgerTxn: txn,
		Attachments: []Attachment{{Name: "seizure-memo.pdf", SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}}
}

func (l *testLog) verify(t tb) (Report, error) {
	t.Helper()
	var rep Report
	err := l.store.View(func(tx *ledger.Tx) error {
		var err error
		rep, err = l.c.Verify(tx)
		return err
	})
	return rep, err
}

func (l *testLog) mustVerify(t testing.TB) Report {
	t.Helper()
	rep, err := l.verify(t)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return rep
}

func (l *testLog) state(t tb, item uint64) ItemState {
	t.Helper()
	var st ItemState
	if err := l.store.View(func(tx *ledger.Tx) error {
		var err error
		st, err = l.c.State(tx, item)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return st
}

// at is minutes after the seizure.
func at(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }

// tb is what the helpers need of a *testing.T or a *rapid.T.
type tb interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}
