package finance

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/ledger"
)

// The wiring (cmd/amanat) opens the custody log with the rate kind; so do
// these tests.
var rateKinds = []ledger.RecordKind{RateRecordKind}

// loggedRates is a store with a custody log and two rates entered through
// a service that logs them: leaves 0 (rate 1) and 1 (rate 2).
func loggedRates(t *testing.T) (path, key string) {
	t.Helper()
	dir := t.TempDir()
	path, key = filepath.Join(dir, "amanat.db"), filepath.Join(dir, "amanat.db.key")
	store, err := ledger.Open(path, ledger.Options{Now: func() time.Time { return time.Date(2025, 6, 3, 9, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	custody, err := chain.New(store, key, rateKinds)
	if err != nil {
		t.Fatal(err)
	}
	svc := New(Config{Records: custody})
	err = store.Write(context.Background(), func(tx *ledger.Tx) error {
		for _, in := range []RateInput{
			{Currency: "USD", Rate: "278.65", Effective: "2025-06-02", Source: "sbp-interbank"},
			{Currency: "CNY", Rate: "38.7412", Effective: "2025-06-02", Source: "sbp-interbank"},
		} {
			if _, err := svc.AddRate(tx, in, "finance:sana"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := custody.Close(); err != nil {
		t.Fatal(err)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	return path, key
}

func verifyRates(t *testing.T, path, key string, change func(btx *bolt.Tx) error) (chain.Report, error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(change); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := ledger.Open(path, ledger.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	return chain.VerifyStore(s, key, rateKinds)
}

func TestRateTamperingIsNamed(t *testing.T) {
	usd := rateKey("USD", "2025-06-02", 1)
	rows := []struct {
		name   string
		change func(t *testing.T, b *bolt.Bucket) error
		want   string
	}{
		{"nothing changed", func(t *testing.T, b *bolt.Bucket) error { return nil }, ""},
		{"one digit of a rate", func(t *testing.T, b *bolt.Bucket) error {
			v := bytes.Clone(b.Get(usd))
			i := bytes.Index(v, []byte("278.65"))
			if i < 0 {
				t.Fatalf("rate not in %q", v)
			}
			v[i+5] = '6'
			return b.Put(usd, v)
		}, "rate 1: leaf hash does not match the log (log leaf 0)"},
		{"a rate's source", func(t *testing.T, b *bolt.Bucket) error {
			k := rateKey("CNY", "2025-06-02", 2)
			return b.Put(k, bytes.Replace(bytes.Clone(b.Get(k)), []byte("sbp-interbank"), []byte("court-order"), 1))
		}, "rate 2: leaf hash does not match the log (log leaf 1)"},
		{"a rate deleted", func(t *testing.T, b *bolt.Bucket) error {
			return b.Delete(usd)
		}, "rate 1: missing from the store (log leaf 0)"},
		{"a rate added by hand", func(t *testing.T, b *bolt.Bucket) error {
			return b.Put(rateKey("USD", "2025-06-03", 3), bytes.Clone(b.Get(usd)))
		}, "rate 3 is not in the log"},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			path, key := loggedRates(t)
			rep, err := verifyRates(t, path, key, func(btx *bolt.Tx) error { return r.change(t, btx.Bucket([]byte(ledger.FinanceRates.Name()))) })
			if r.want == "" {
				if err != nil || rep.Records != 2 || rep.Leaves != 2 {
					t.Fatalf("untouched store: %+v, %v", rep, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), r.want) {
				t.Fatalf("got %v\nwant %q", err, r.want)
			}
		})
	}
}
