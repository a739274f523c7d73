package finance

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/money"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func mustOpen(t testing.TB, now time.Time) (*ledger.Store, *clock) {
	t.Helper()
	c := &clock{t: now}
	s, err := ledger.Open(filepath.Join(t.TempDir(), "amanat.db"), ledger.Options{Now: c.now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, c
}

// directory is a real in-memory item register for tests.
type directory struct {
	mu    sync.Mutex
	items map[string]ItemRef
}

func newDirectory() *directory { return &directory{items: map[string]ItemRef{}} }

func (d *directory) add(r ItemRef) { d.mu.Lock(); d.items[r.ID] = r; d.mu.Unlock() }

func (d *directory) Item(_ *ledger.Tx, id string) (ItemRef, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	r, ok := d.items[id]
	if !ok {
		return ItemRef{}, ledger.Errorf(ledger.ENotFound, "item %s not found", id)
	}
	return r, nil
}

func (d *directory) Items(_ *ledger.Tx) ([]ItemRef, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	// In no particular order: finance must not depend on one.
	out := make([]ItemRef, 0, len(d.items))
	for _, r := range d.items {
		out = append(out, r)
	}
	return out, nil
}

// custodyLog records conversion events in the custody log's entries bucket,
// inside the transaction, as the real custody log does (in its own format:
// no custody log is open beside it).
type custodyLog struct{ refuse error }

func (c *custodyLog) RecordConversion(tx *ledger.Tx, ev ConversionEvent) (string, error) {
	if c.refuse != nil {
		return "", c.refuse
	}
	seq, err := tx.NextSequence(ledger.ChainEntries)
	if err != nil {
		return "", err
	}
	if err := tx.Put(ledger.ChainEntries, ledger.BE64(seq), []byte(fmt.Sprintf("converted item %s txn %d", ev.ItemID, ev.TxnID))); err != nil {
		return "", err
	}
	return strconv.FormatUint(seq, 10), nil
}

func amt(t testing.TB, code, text string) money.Amount {
	t.Helper()
	a, err := money.ParseAmount(money.MustLookup(code), text, money.Signed)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func day(t testing.TB, s string) time.Time {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// seize posts a seizure of amounts into item's custody account at `at`.
func seize(t testing.TB, s *ledger.Store, item, caseID string, at time.Time, amounts ...money.Amount) {
	t.Helper()
	var posts []ledger.Posting
	for _, a := range amounts {
		posts = append(posts,
			ledger.Posting{Account: "custody:item:" + item, Amount: a},
			ledger.Posting{Account: "seized:case:" + caseID, Amount: a.Neg()})
	}
	err := s.Write(context.Background(), func(tx *ledger.Tx) error {
		_, err := tx.Post(ledger.Transaction{Effective: at, Actor: "custodian:test", Memo: "seizure", Postings: posts})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func addRate(t testing.TB, s *ledger.Store, svc *Service, cur, rate, eff, src string) Rate {
	t.Helper()
	var r Rate
	err := s.Write(context.Background(), func(tx *ledger.Tx) error {
		var err error
		r, err = svc.AddRate(tx, RateInput{Currency: cur, Rate: rate, Effective: eff, Source: src}, "finance:test")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func value(t testing.TB, s *ledger.Store, svc *Service, asOf, groupBy string) Valuation {
	t.Helper()
	var v Valuation
	if err := s.View(func(tx *ledger.Tx) error {
		var err error
		v, err = svc.Value(tx, day(t, asOf), groupBy)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return v
}

// snapshot is every key and value of the file, to prove a refused write
// changed nothing.
func snapshot(t testing.TB, s *ledger.Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := s.DB().View(func(btx *bolt.Tx) error {
		return btx.ForEach(func(name []byte, b *bolt.Bucket) error {
			out[string(name)+"/seq"] = strconv.FormatUint(b.Sequence(), 10)
			return b.ForEach(func(k, v []byte) error {
				out[string(name)+"/"+string(k)] = string(v)
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameSnapshot(t testing.TB, before, after map[string]string) {
	t.Helper()
	if len(before) != len(after) {
		t.Fatalf("store changed: %d records before, %d after", len(before), len(after))
	}
	for k, v := range before {
		if after[k] != v {
			t.Fatalf("store changed at %q", k)
		}
	}
}
