package evidence

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/ledger"
)

func (f *fixture) search(t testing.TB, q string, after []byte, limit int) ([]Hit, []byte) {
	t.Helper()
	var hits []Hit
	var next []byte
	err := f.store.View(func(tx *ledger.Tx) error {
		var err error
		hits, next, err = f.reg.Search(tx, q, after, limit)
		return err
	})
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	return hits, next
}

func hasHit(hits []Hit, kind string, id uint64, field string) bool {
	for _, h := range hits {
		if h.Kind == kind && h.ID == id && h.Field == field {
			return true
		}
	}
	return false
}

func TestSearchFindsEachIdentifier(t *testing.T) {
	f := raided(t)
	tests := []struct {
		q     string
		kind  string
		id    uint64
		field string
	}{
		{"112/2025", HitCase, 1, "fir"},
		{"112", HitCase, 1, "fir"},
		{"isb-0002", HitItem, 2, "seal"},
		{"ISB", HitItem, 1, "seal"},
		{"li wei", HitItem, 1, "suspect"},
		{"wei", HitItem, 2, "suspect"},
		{"e12345678", HitItem, 1, "id_number"},
		{"E12", HitItem, 2, "id_number"},
		{"cn", HitItem, 1, "nationality"},
		{"tr7nhq", HitItem, 2, "address"},
		{"khan", HitItem, 1, "officer"},
		{"ayesha", HitItem, 1, "holder"},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			hits, _ := f.search(t, tt.q, nil, 100)
			if !hasHit(hits, tt.kind, tt.id, tt.field) {
				t.Fatalf("%q found %+v, not %s %d by %s", tt.q, hits, tt.kind, tt.id, tt.field)
			}
		})
	}
}

// A custody entry's holders, on-chain transaction id and new seal are found
// once the entry is recorded, in the same write.
func TestSearchFindsWhatCustodyEntriesName(t *testing.T) {
	f := raided(t)
	if hits, _ := f.search(t, "asif", nil, 100); len(hits) != 0 {
		t.Fatalf("before the transfer: %+v", hits)
	}
	err := f.store.Write(context.Background(), func(tx *ledger.Tx) error {
		_, err := f.reg.Record(tx, chain.Entry{Item: 1, Event: chain.EventTransferred, At: testNow.Add(-time.Hour),
			RecordedBy: "custodian:ayesha", From: "Inspector Ayesha Khan", To: "Malkhana In-charge Asif", Purpose: "deposit"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	hits, _ := f.search(t, "asi", nil, 100)
	if len(hits) != 1 || !hasHit(hits, HitItem, 1, "holder") || hits[0].Match != "Malkhana In-charge Asif" {
		t.Fatalf("after the transfer: %+v", hits)
	}
}

// One hit per (kind, id, field): "Li Wei" is indexed as "li wei", "li" and
// "wei", and "li" is a prefix of two of them.
func TestSearchDeduplicatesPerField(t *testing.T) {
	f := raided(t)
	hits, _ := f.search(t, "li", nil, 100)
	seen := map[string]bool{}
	for _, h := range hits {
		k := fmt.Sprint(h.Kind, h.ID, h.Field)
		if seen[k] {
			t.Fatalf("%s twice in %+v", k, hits)
		}
		seen[k] = true
	}
	if !seen["item1suspect"] || !seen["item2suspect"] {
		t.Fatalf("hits %+v", hits)
	}
}

func TestSearchPages(t *testing.T) {
	f := raided(t)
	all, next := f.search(t, "isb", nil, 100)
	if next != nil || len(all) < 2 {
		t.Fatalf("one page: %+v %x", all, next)
	}
	var paged []Hit
	var after []byte
	for {
		page, nx := f.search(t, "isb", after, 1)
		paged = append(paged, page...)
		if nx == nil {
			break
		}
		after = nx
	}
	if fmt.Sprint(paged) != fmt.Sprint(all) {
		t.Fatalf("paged %+v, whole %+v", paged, all)
	}
}

func TestSearchNormalisesUnicode(t *testing.T) {
	f := mustOpen(t)
	f.createCase(t, "112/2025")
	req := validSeizure()
	// "Café" decomposed (e + combining acute) and an Urdu name.
	req.SeizedFrom.Name = "Cafe\u0301 عمران خان"
	if _, err := f.register(t, req); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"CAF\u00c9", "café", "عمران", "خان"} {
		if hits, _ := f.search(t, q, nil, 100); !hasHit(hits, HitItem, 1, "suspect") {
			t.Errorf("%q found %+v", q, hits)
		}
	}
}

func TestSearchRefusesShortQueries(t *testing.T) {
	f := raided(t)
	for _, q := range []string{"", "a", "   ", " a ", "\u00e9"} {
		err := f.store.View(func(tx *ledger.Tx) error {
			_, _, err := f.reg.Search(tx, q, nil, 100)
			return err
		})
		if fieldsOf(t, err)["q"] == "" {
			t.Errorf("%q: %v", q, err)
		}
	}
}

// An old store, written before the index, is indexed once when it opens.
func TestSearchIndexIsBackfilledOnOpen(t *testing.T) {
	f := raided(t)
	path := f.store.Path()
	if err := f.custody.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.store.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(btx *bolt.Tx) error { return btx.DeleteBucket([]byte(ledger.SearchTerms.Name())) }); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	store, err := ledger.Open(path, ledger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	custody, err := chain.New(store, f.keyPath, RecordKinds())
	if err != nil {
		t.Fatal(err)
	}
	defer custody.Close()
	reg, err := New(context.Background(), store, custody)
	if err != nil {
		t.Fatal(err)
	}
	g := &fixture{store: store, custody: custody, reg: reg}
	for _, q := range []string{"112/", "isb-0001", "wei", "ayesha"} {
		if hits, _ := g.search(t, q, nil, 100); len(hits) == 0 {
			t.Errorf("%q found nothing after the backfill", q)
		}
	}
}

// BenchmarkSearch1M is a prefix query over 1,000,000 index entries that
// finds up to 100 hits.
func BenchmarkSearch1M(b *testing.B) {
	store, err := ledger.Open(filepath.Join(b.TempDir(), "amanat.db"), ledger.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	if err := store.Write(context.Background(), func(tx *ledger.Tx) error { return tx.Create() }); err != nil {
		b.Fatal(err)
	}
	const total, batch = 1_000_000, 50_000
	for start := 0; start < total; start += batch {
		err := store.Write(context.Background(), func(tx *ledger.Tx) error {
			for i := start; i < start+batch; i++ {
				// Seals RWP-000000 .. RWP-999999 of items 1..1,000,000.
				if err := indexText(tx, kindItem, uint64(i+1), "seal", fmt.Sprintf("RWP-%06d", i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	reg := &Registry{}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		// "rwp-1234" matches the 100 seals RWP-123400 .. RWP-123499.
		q := fmt.Sprintf("rwp-%04d", i%10000)
		err := store.View(func(tx *ledger.Tx) error {
			hits, _, err := reg.Search(tx, q, nil, 100)
			if err == nil && len(hits) != 100 {
				err = fmt.Errorf("%q found %d", q, len(hits))
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// A reseal's new seal number is found, in the same write as the entry.
func TestSearchFindsANewSeal(t *testing.T) {
	f := raided(t)
	at := time.Date(2025, 6, 3, 11, 0, 0, 0, time.UTC)
	for _, e := range []chain.Entry{
		{Item: 1, Event: chain.EventUnsealed, At: at, RecordedBy: "custodian:ayesha", Remarks: "opened before two witnesses"},
		{Item: 1, Event: chain.EventResealed, At: at.Add(time.Minute), RecordedBy: "custodian:ayesha", SealAfter: chain.Seal{Number: "FIA-ISB-0777", State: chain.SealIntact}},
	} {
		err := f.store.Write(context.Background(), func(tx *ledger.Tx) error {
			_, err := f.reg.Record(tx, e)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	hits, _ := f.search(t, "fia-isb-07", nil, 100)
	if len(hits) != 1 || !hasHit(hits, HitItem, 1, "seal") || hits[0].Match != "FIA-ISB-0777" {
		t.Fatalf("after the reseal: %+v", hits)
	}
}
