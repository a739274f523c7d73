package ledger

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/ledger/money"
)

func mustOpen(t testing.TB) *Store {
	t.Helper()
	return mustOpenAt(t, filepath.Join(t.TempDir(), "ledger.db"), Options{})
}

func mustOpenAt(t testing.TB, path string, opt Options) *Store {
	t.Helper()
	s, err := Open(path, opt)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func amt(t testing.TB, code, text string) money.Amount {
	t.Helper()
	a, err := money.ParseAmount(money.MustLookup(code), text, money.Signed)
	if err != nil {
		t.Fatalf("amount %s %s: %v", text, code, err)
	}
	return a
}

// seize is the ledger side of a seizure: item holds the amount in trust for the case.
func seize(t testing.TB, item, kase int, code, text string, at time.Time) Transaction {
	t.Helper()
	a := amt(t, code, text)
	return Transaction{
		Effective: at,
		Actor:     "custodian:test",
		Memo:      "seizure",
		Postings: []Posting{
			{Account: itemAccount(item), Amount: a},
			{Account: caseAccount(kase), Amount: a.Neg()},
		},
	}
}

func itemAccount(n int) string { return "custody:item:" + itoa(n) }
func caseAccount(n int) string { return "seized:case:" + itoa(n) }

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func post(t testing.TB, s *Store, txn Transaction) Transaction {
	t.Helper()
	var out Transaction
	err := s.Write(context.Background(), func(tx *Tx) error {
		var err error
		out, err = tx.Post(txn)
		return err
	})
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	return out
}

func mustVerify(t testing.TB, s *Store) Report {
	t.Helper()
	r, err := s.Verify()
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return r
}

var day = time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)
