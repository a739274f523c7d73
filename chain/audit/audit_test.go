package audit_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/amanat-ledger/amanat/chain/audit"
	"github.com/amanat-ledger/amanat/chain/service"
	"github.com/amanat-ledger/amanat/ledger"
)

// clock is a settable store clock, so that records have known times.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

var day = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

// openAudit is a new store wired as the server wires it, with records
// appended: three by the custodian (two about item 7), two by the auditor,
// one without a token, an hour apart from day on.
func openAudit(t testing.TB) (*service.Service, *clock) {
	t.Helper()
	clk := &clock{now: day}
	svc, err := service.Open(filepath.Join(t.TempDir(), "a.db"), service.Options{Store: ledger.Options{NoSync: true, Now: clk.Now}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	recs := []audit.Record{
		{Actor: "custodian:ayesha", TokenID: 1, Method: "GET", Path: "/v1/items/7", Status: 200, ItemID: 7},
		{Actor: "auditor:zara", TokenID: 2, Method: "GET", Path: "/v1/cases", Status: 200},
		{Actor: "custodian:ayesha", TokenID: 1, Method: "POST", Path: "/v1/items/7/custody", Status: 201, ItemID: 7},
		{Method: "GET", Path: "/v1/items/8", Status: 401, ItemID: 8},
		{Actor: "custodian:ayesha", TokenID: 1, Method: "GET", Path: "/v1/items/9", Status: 404, ItemID: 9},
		{Actor: "auditor:zara", TokenID: 2, Method: "GET", Path: "/v1/audit", Query: "actor=custodian%3Aayesha", Status: 200},
	}
	for i, r := range recs {
		clk.set(day.Add(time.Duration(i) * time.Hour))
		got, err := svc.Audit.Append(context.Background(), r)
		if err != nil {
			t.Fatal(err)
		}
		if got.Seq != uint64(i+1) || !got.At.Equal(clk.Now()) {
			t.Fatalf("record %d stored as seq %d at %v", i, got.Seq, got.At)
		}
	}
	return svc, clk
}

func verify(svc *service.Service) (audit.Report, error) {
	var rep audit.Report
	err := svc.Store.View(func(tx *ledger.Tx) error {
		var err error
		rep, err = svc.Audit.Verify(tx)
		return err
	})
	return rep, err
}

func TestAppendedRecordsVerify(t *testing.T) {
	svc, _ := openAudit(t)
	rep, err := verify(svc)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Records != 6 || rep.Checkpoint != 6 || rep.Root == "" || !strings.HasSuffix(rep.Origin, "/audit") {
		t.Fatalf("report %+v", rep)
	}
	// The custody log is not touched by the audit log.
	if parts, ok := svc.RunChecks(); !ok || !strings.Contains(parts[1].Summary.(interface{ String() string }).String(), "0 leaves") {
		t.Fatalf("checks: %+v", parts)
	}
}

// TestTamperingFailsVerify edits the audit log below the API, as someone
// with the file could, and expects verify to fail naming what was done.
func TestTamperingFailsVerify(t *testing.T) {
	rec := func(n uint64) []byte { return ledger.BE64(n) }
	cases := []struct {
		name   string
		change func(t *testing.T, btx *bolt.Tx) error
		want   string
	}{
		{"nothing changed", func(*testing.T, *bolt.Tx) error { return nil }, ""},
		{"one byte of a record", func(t *testing.T, btx *bolt.Tx) error {
			b := btx.Bucket([]byte("audit.records"))
			v := append([]byte{}, b.Get(rec(2))...)
			i := strings.Index(string(v), "zara")
			v[i] = 'Z'
			return b.Put(rec(2), v)
		}, "audit record 2: its hash does not match"},
		{"a record deleted", func(t *testing.T, btx *bolt.Tx) error {
			return btx.Bucket([]byte("audit.records")).Delete(rec(3))
		}, "audit record 3 is missing"},
		{"two records swapped", func(t *testing.T, btx *bolt.Tx) error {
			b := btx.Bucket([]byte("audit.records"))
			a, c := append([]byte{}, b.Get(rec(2))...), append([]byte{}, b.Get(rec(4))...)
			if err := b.Put(rec(2), c); err != nil {
				return err
			}
			return b.Put(rec(4), a)
		}, "audit record 2 holds the record of sequence number 4"},
		{"the last record removed, the sequence wound back", func(t *testing.T, btx *bolt.Tx) error {
			b := btx.Bucket([]byte("audit.records"))
			if err := b.Delete(rec(6)); err != nil {
				return err
			}
			for i := tlog.StoredHashCount(5); i < tlog.StoredHashCount(6); i++ {
				if err := btx.Bucket([]byte("audit.hashes")).Delete(rec(uint64(i))); err != nil {
					return err
				}
			}
			for _, ix := range []string{"audit.by_actor", "audit.by_time"} {
				c := btx.Bucket([]byte(ix)).Cursor()
				for k, _ := c.First(); k != nil; k, _ = c.Next() {
					if strings.HasSuffix(string(k), string(rec(6))) {
						if err := c.Delete(); err != nil {
							return err
						}
					}
				}
			}
			return b.SetSequence(5)
		}, "signs 6 records but the log holds 5"},
		{"a record edited and the tree rehashed without the key", func(t *testing.T, btx *bolt.Tx) error {
			b := btx.Bucket([]byte("audit.records"))
			v := strings.Replace(string(b.Get(rec(5))), `"status":404`, `"status":200`, 1)
			if err := b.Put(rec(5), []byte(v)); err != nil {
				return err
			}
			return rehash(btx)
		}, "the audit checkpoint's root does not match"},
		{"a key that is no sequence number", func(t *testing.T, btx *bolt.Tx) error {
			return btx.Bucket([]byte("audit.records")).Put([]byte{0xff}, []byte("x"))
		}, "the audit records hold key ff beyond"},
		{"a short key in the hash store", func(t *testing.T, btx *bolt.Tx) error {
			return btx.Bucket([]byte("audit.hashes")).Put([]byte{0xff}, []byte("x"))
		}, "the audit tree stores hash ff beyond"},
		{"the checkpoint removed", func(t *testing.T, btx *bolt.Tx) error {
			return btx.Bucket([]byte("audit.meta")).Delete([]byte("checkpoint"))
		}, "no signed checkpoint"},
		{"a record's actor index entry removed", func(t *testing.T, btx *bolt.Tx) error {
			return btx.Bucket([]byte("audit.by_actor")).Delete(append([]byte("auditor:zara\x00"), rec(6)...))
		}, "audit record 6: missing from the index audit.by_actor"},
		{"an index entry added", func(t *testing.T, btx *bolt.Tx) error {
			return btx.Bucket([]byte("audit.by_item")).Put(append(rec(7), rec(2)...), []byte{})
		}, "the audit index audit.by_item holds 5 entries, the records 4"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			svc, _ := openAudit(t)
			// Below the audit log, through the transaction's bbolt handle.
			if err := svc.Store.Write(t.Context(), func(tx *ledger.Tx) error { return c.change(t, tx.Bolt) }); err != nil {
				t.Fatal(err)
			}
			_, err := verify(svc)
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("untouched log fails: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("verify = %v, want %q", err, c.want)
			}
			if c.want != "" {
				if parts, ok := svc.RunChecks(); ok || parts[len(parts)-1].Name != "audit" {
					t.Fatalf("the store's checks pass a tampered audit log: %+v", parts)
				}
			}
		})
	}
}

// rehash rebuilds the stored tree from the records as they now stand.
func rehash(btx *bolt.Tx) error {
	hb := btx.Bucket([]byte("audit.hashes"))
	var stored []tlog.Hash
	reader := tlog.HashReaderFunc(func(ix []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(ix))
		for i, x := range ix {
			out[i] = stored[x]
		}
		return out, nil
	})
	c := btx.Bucket([]byte("audit.records")).Cursor()
	n := int64(0)
	for k, v := c.First(); k != nil; k, v = c.Next() {
		hs, err := tlog.StoredHashes(n, v, reader)
		if err != nil {
			return err
		}
		stored = append(stored, hs...)
		n++
	}
	for i, h := range stored {
		if err := hb.Put(ledger.BE64(uint64(i)), h[:]); err != nil {
			return err
		}
	}
	return nil
}

func TestListThroughIndexes(t *testing.T) {
	svc, _ := openAudit(t)
	list := func(f audit.Filter) []uint64 {
		t.Helper()
		var out []uint64
		for {
			var recs []audit.Record
			var next []byte
			err := svc.Store.View(func(tx *ledger.Tx) error {
				var err error
				recs, next, err = audit.List(tx, f)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if f.Limit > 0 && len(recs) > f.Limit {
				t.Fatalf("page of %d, limit %d", len(recs), f.Limit)
			}
			for _, r := range recs {
				out = append(out, r.Seq)
			}
			if next == nil {
				return out
			}
			f.After = next
		}
	}
	cases := []struct {
		name string
		f    audit.Filter
		want []uint64
	}{
		{"everything", audit.Filter{}, []uint64{1, 2, 3, 4, 5, 6}},
		{"everything, two a page", audit.Filter{Limit: 2}, []uint64{1, 2, 3, 4, 5, 6}},
		{"one actor", audit.Filter{Actor: "custodian:ayesha", Limit: 1}, []uint64{1, 3, 5}},
		{"an actor's name alone is not an actor", audit.Filter{Actor: "ayesha"}, nil},
		{"one item", audit.Filter{Item: 7, Limit: 1}, []uint64{1, 3}},
		{"an item the unauthenticated asked for", audit.Filter{Item: 8}, []uint64{4}},
		{"from", audit.Filter{From: day.Add(3 * time.Hour), Limit: 2}, []uint64{4, 5, 6}},
		{"to (exclusive)", audit.Filter{To: day.Add(2 * time.Hour), Limit: 1}, []uint64{1, 2}},
		{"from and to", audit.Filter{From: day.Add(time.Hour), To: day.Add(4 * time.Hour)}, []uint64{2, 3, 4}},
		{"actor and time", audit.Filter{Actor: "custodian:ayesha", From: day.Add(time.Hour)}, []uint64{3, 5}},
		{"item and actor", audit.Filter{Item: 7, Actor: "auditor:zara"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := list(c.f)
			if len(got) != len(c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Fatalf("got %v, want %v", got, c.want)
				}
			}
		})
	}
	err := svc.Store.View(func(tx *ledger.Tx) error {
		_, _, err := audit.List(tx, audit.Filter{Item: 7, After: []byte("x")})
		return err
	})
	if ledger.ErrorCode(err) != ledger.EInvalid {
		t.Fatalf("a foreign cursor: %v", err)
	}
}

// TestConcurrentAppendsShareCommits appends from many goroutines at once:
// every record lands once, in a tree that verifies.
func TestConcurrentAppendsShareCommits(t *testing.T) {
	svc, _ := openAudit(t)
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := svc.Audit.Append(context.Background(), audit.Record{Actor: "investigator:bilal", Method: "GET", Path: "/v1/items", Status: 200}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	rep, err := verify(svc)
	if err != nil || rep.Records != 56 || rep.Checkpoint != 56 {
		t.Fatalf("after concurrent appends: %+v, %v", rep, err)
	}
}

// TestAStoreRolledBackLosesNoReadsUnseen puts an older copy of the store
// file back after more reads were recorded: the custody log, to which reads
// add nothing, cannot tell, but the audit log's witness file can.
func TestAStoreRolledBackLosesNoReadsUnseen(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "a.db")
	svc, err := service.Open(db, service.Options{Store: ledger.Options{NoSync: true}})
	if err != nil {
		t.Fatal(err)
	}
	read := func(n int) {
		for range n {
			if _, err := svc.Audit.Append(context.Background(), audit.Record{Actor: "investigator:bilal", Method: "GET", Path: "/v1/items/1", Status: 200, ItemID: 1}); err != nil {
				t.Fatal(err)
			}
		}
	}
	read(3)
	var old bytes.Buffer
	if err := svc.Store.View(func(tx *ledger.Tx) error { _, err := tx.WriteTo(&old); return err }); err != nil {
		t.Fatal(err)
	}
	read(4)
	if err := svc.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "a.db.audit.checkpoint")); err != nil {
		t.Fatalf("no witness file: %v", err)
	}
	check := func() ([]ledger.CheckResult, bool) {
		t.Helper()
		ro, err := service.Open(db, service.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer ro.Close()
		return ro.RunChecks()
	}
	if parts, ok := check(); !ok || !strings.Contains(fmt.Sprint(parts[2].Summary), "witness checkpoint of 7 records") {
		t.Fatalf("before the rollback: %+v", parts)
	}
	if err := os.WriteFile(db, old.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	parts, ok := check()
	if ok || parts[1].Name != "custody" || !parts[1].OK || parts[2].Name != "audit" ||
		!strings.Contains(parts[2].Error, "the audit log was rolled back: the witness checkpoint") || !strings.Contains(parts[2].Error, "signs 7 records, the store holds 3") {
		t.Fatalf("after the rollback: %+v", parts)
	}
}
