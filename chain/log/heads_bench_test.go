package log

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/amanat-ledger/amanat/ledger"
)

// Benchmarks of the head commitment (docs/benchmarks.md has the figures):
//
//	go test ./chain/log -run '^$' -bench Head -benchtime 3x
//
// BenchmarkHeadAppend compares an entry-sized leaf appended alone with the
// same leaf and its head update, in a commitment of 1,000,000 items; the
// other two measure the proof at 1,000,000 items.

const benchItems = 1_000_000

// headsStore is a store whose head commitment holds benchItems items (one
// entry each), built in batches.
func headsStore(b *testing.B) (*ledger.Store, *Log) {
	b.Helper()
	dir := b.TempDir()
	store, err := ledger.Open(filepath.Join(dir, "heads.db"), ledger.Options{NoSync: true, Now: func() time.Time { return time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC) }})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	l, err := Open(store, filepath.Join(dir, "heads.db.key"), nil, Options{WitnessPath: "-"})
	if err != nil {
		b.Fatal(err)
	}
	const batch = 20_000
	for first := uint64(1); first <= benchItems; first += batch {
		err := store.Write(context.Background(), func(tx *ledger.Tx) error {
			if first == 1 {
				if err := BuildHeads(tx, func(uint64) (uint64, error) { return 0, nil }); err != nil {
					return err
				}
			}
			for item := first; item < first+batch; item++ {
				if err := noteEntry(tx, item, item, tlog.Hash{byte(item)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return store, l
}

// entryLeaf is about the size of a custody entry's canonical bytes.
var entryLeaf = []byte(strings.Repeat("amanat-custody/1 seq 1 item 1 event transferred\n", 12))

func BenchmarkHeadAppend(b *testing.B) {
	store, _ := headsStore(b)
	const perWrite = 1000
	// Untimed writes of leaves first: the first writes after the build are
	// slower, and would make the leaf alone look dearer than it is.
	for i := 0; i < 10; i++ {
		if err := store.Write(context.Background(), func(tx *ledger.Tx) error {
			for k := 0; k < perWrite; k++ {
				if _, _, err := AppendLeaf(tx, KindCustody, uint64(k), entryLeaf); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	// Which item each entry of a write is of: none (the leaf alone), the
	// last 250 items (a seizure's lifecycle: 4 entries each, as
	// chain.BenchmarkAppendBatch writes), or anywhere in the tree.
	for _, c := range []struct {
		name string
		item func(i, k int) uint64
	}{
		{"leaf_only", nil},
		{"leaf_and_head_recent_items", func(_, k int) uint64 { return benchItems - uint64(k%250) }},
		{"leaf_and_head_random_items", func(i, k int) uint64 { return uint64(i*perWrite+k)*7919%benchItems + 1 }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				err := store.Write(context.Background(), func(tx *ledger.Tx) error {
					for k := 0; k < perWrite; k++ {
						leaf, h, err := AppendLeaf(tx, KindCustody, uint64(k), entryLeaf)
						if err != nil {
							return err
						}
						if c.item == nil {
							continue
						}
						if err := noteEntry(tx, c.item(i, k), leaf, h); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*perWrite), "ns/entry")
		})
	}
}

// BenchmarkHeadProve1M: a head's inclusion proof at 1,000,000 items, and
// its size.
func BenchmarkHeadProve1M(b *testing.B) {
	store, _ := headsStore(b)
	var p HeadProof
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := store.View(func(tx *ledger.Tx) error {
			var err error
			p, err = ProveHead(tx, uint64(i)*7919%benchItems+1)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(p.Hashes)), "hashes")
	b.ReportMetric(float64(len(p.Hashes)*(64+3)), "proof-json-bytes")
}

// BenchmarkHeadCheck1M: checking a head's proof at 1,000,000 items, as a
// bundle's check does.
func BenchmarkHeadCheck1M(b *testing.B) {
	store, _ := headsStore(b)
	var p HeadProof
	if err := store.View(func(tx *ledger.Tx) error {
		var err error
		p, err = ProveHead(tx, 765_432)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := tlog.CheckRecord(p.Hashes, int64(p.HeadsSize), p.Root, int64(p.Leaf), tlog.RecordHash(p.Canonical)); err != nil {
			b.Fatal(err)
		}
	}
}
