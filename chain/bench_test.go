package chain

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/amanat-ledger/amanat/chain/log"
	"github.com/amanat-ledger/amanat/ledger"
)

// Benchmarks (docs/benchmarks.md has the figures and the command):
//
//	go test ./chain -run '^$' -bench . -benchtime 3x
//
// Stores built once per process are kept in benchDir and removed by TestMain.

var (
	benchDir  string
	benchOnce sync.Once
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

func benchPath(b *testing.B, name string) string {
	benchOnce.Do(func() {
		d, err := os.MkdirTemp("", "chain-bench-")
		if err != nil {
			b.Fatal(err)
		}
		benchDir = d
	})
	return filepath.Join(benchDir, name)
}

func openBench(b *testing.B, db string, noSync bool) (*ledger.Store, *Custody) {
	b.Helper()
	s, err := ledger.Open(db, ledger.Options{NoSync: noSync, Now: func() time.Time { return t0.Add(365 * 24 * time.Hour) }})
	if err != nil {
		b.Fatal(err)
	}
	c, err := New(s, db+".key", testKinds)
	if err != nil {
		b.Fatal(err)
	}
	return s, c
}

// lifecycle appends, in one write, four entries (seized, transferred,
// received, stored) for each of n new items from first on.
func lifecycle(tx *ledger.Tx, c *Custody, first uint64, n int) error {
	for i := 0; i < n; i++ {
		item := first + uint64(i)
		for _, e := range []Entry{
			{Event: EventSeized, At: t0, To: "SI Bilal", Location: Location{Circle: "islamabad", Building: "G-11 Markaz"}, SealAfter: Seal{Number: fmt.Sprintf("ISB-%d", item), State: SealIntact}},
			{Event: EventTransferred, At: at(60), From: "SI Bilal", To: "Malkhana In-charge Asif", Purpose: "deposit"},
			{Event: EventReceived, At: at(90), Location: Location{Circle: "islamabad", Building: "FIA HQ", Room: "malkhana"}},
			{Event: EventStored, At: at(95), Location: Location{Circle: "islamabad", Building: "FIA HQ", Room: "safe 3"}},
		} {
			e.Item, e.RecordedBy = item, "custodian:bench"
			if _, err := c.Append(tx, e); err != nil {
				return err
			}
		}
	}
	return nil
}

// BenchmarkAppendBatch: durable writes of 1,000 custody entries each (250
// items through seized, transferred, received, stored), with fsync.
func BenchmarkAppendBatch(b *testing.B) {
	db := filepath.Join(b.TempDir(), "append.db")
	s, c := openBench(b, db, false)
	defer s.Close()
	next := uint64(1)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if err := s.Write(context.Background(), func(tx *ledger.Tx) error { return lifecycle(tx, c, next, 250) }); err != nil {
			b.Fatal(err)
		}
		next += 250
	}
	b.ReportMetric(float64(b.N*1000)/time.Since(start).Seconds(), "entries/s")
}

// verifyStore is a store of n leaves: custody lifecycles and, every fifth
// leaf, a ledger transaction.
func verifyStore(b *testing.B, n int) (*ledger.Store, *Custody) {
	db := benchPath(b, fmt.Sprintf("verify-%d.db", n))
	_, statErr := os.Stat(db)
	s, c := openBench(b, db, true)
	if statErr == nil {
		return s, c
	}
	item := uint64(1)
	for leaves := 0; leaves < n; {
		err := s.Write(context.Background(), func(tx *ledger.Tx) error {
			for k := 0; k < 200; k++ {
				if _, err := postSeizure(tx, item, "100.00"); err != nil {
					return err
				}
				if err := lifecycle(tx, c, item, 1); err != nil {
					return err
				}
				item++
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		leaves += 200 * 5
	}
	return s, c
}

func BenchmarkVerify(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("leaves=%d", n), func(b *testing.B) {
			s, c := verifyStore(b, n)
			defer s.Close()
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			var leaves uint64
			for i := 0; i < b.N; i++ {
				rep, err := func() (Report, error) {
					var rep Report
					err := s.View(func(tx *ledger.Tx) error { var err error; rep, err = c.Verify(tx); return err })
					return rep, err
				}()
				if err != nil {
					b.Fatal(err)
				}
				leaves += rep.Leaves
			}
			b.ReportMetric(float64(leaves)/time.Since(start).Seconds(), "leaves/s")
		})
	}
}

// BenchmarkInclusionProof: the proof of one custody entry in a log of
// 1,000,000 leaves (the entry sits in the middle), read from bbolt.
func BenchmarkInclusionProof(b *testing.B) {
	const n = 1_000_000
	db := benchPath(b, "proof.db")
	_, statErr := os.Stat(db)
	s, c := openBench(b, db, true)
	defer s.Close()
	if statErr != nil {
		// Leaves stand in for ledger transactions (the proof does not read
		// records); one real custody entry sits at leaf n/2.
		data := []byte("amanat-txn/1\nid 0\n")
		for done := 0; done < n; {
			err := s.Write(context.Background(), func(tx *ledger.Tx) error {
				for k := 0; k < 10_000 && done+k < n; k++ {
					if done+k == n/2 {
						if _, err := c.Append(tx, seizedEntry(1, 0)); err != nil {
							return err
						}
						continue
					}
					if _, _, err := log.AppendLeaf(tx, log.KindTransaction, uint64(done+k+1), data); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			done += 10_000
		}
	}
	var size uint64
	s.View(func(tx *ledger.Tx) error { size = c.TreeSize(tx); return nil })
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := s.View(func(tx *ledger.Tx) error {
			p, err := c.ProveEntry(tx, 1, size)
			if err != nil {
				return err
			}
			if i == 0 {
				return tlog.CheckRecord(p.Hashes, int64(p.TreeSize), p.Root, int64(p.LeafIndex), p.LeafHash)
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/proof")
}

// itemRecords stores and logs n item records (about 300 bytes each, the size
// of a small evidence item) from first on, in tx.
func itemRecords(tx *ledger.Tx, c *Custody, first uint64, n int) error {
	b, err := tx.Bolt.CreateBucketIfNotExists(bucketTestItems)
	if err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		id := first + uint64(i)
		data := fmt.Appendf([]byte{1}, `{"id":%d,"case_id":1,"kind":"cash","seal":"ISB-%d","description":"brown envelope of banknotes, counted at the raid site","seized_from":{"name":"Li Wei","nationality":"CN","id_type":"passport","id_number":"E12345678"},"amounts":[{"currency":"USD","amount":"1500.00"}]}`, id, id)
		if err := b.Put(be64(id), data); err != nil {
			return err
		}
		if err := c.LogRecord(tx, testItemKind, id, data); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkLogRecordBatch: durable writes of 1,000 item records each, every
// one stored and logged (leaf, record index, tree hashes), one checkpoint
// signed per write.
func BenchmarkLogRecordBatch(b *testing.B) {
	db := filepath.Join(b.TempDir(), "records.db")
	s, c := openBench(b, db, false)
	defer s.Close()
	next := uint64(1)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if err := s.Write(context.Background(), func(tx *ledger.Tx) error { return itemRecords(tx, c, next, 1000) }); err != nil {
			b.Fatal(err)
		}
		next += 1000
	}
	b.ReportMetric(float64(b.N*1000)/time.Since(start).Seconds(), "records/s")
}

// BenchmarkVerifyRecords: Verify of a store where each item has its record,
// its seizure transaction and four custody entries (one leaf in six a
// record), as a store of evidence items looks.
func BenchmarkVerifyRecords(b *testing.B) {
	const n = 600_000
	db := benchPath(b, "verify-records.db")
	_, statErr := os.Stat(db)
	s, c := openBench(b, db, true)
	defer s.Close()
	if statErr != nil {
		item := uint64(1)
		for leaves := 0; leaves < n; leaves += 200 * 6 {
			err := s.Write(context.Background(), func(tx *ledger.Tx) error {
				for k := 0; k < 200; k++ {
					if err := itemRecords(tx, c, item, 1); err != nil {
						return err
					}
					if _, err := postSeizure(tx, item, "100.00"); err != nil {
						return err
					}
					if err := lifecycle(tx, c, item, 1); err != nil {
						return err
					}
					item++
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	var leaves uint64
	for i := 0; i < b.N; i++ {
		var rep Report
		if err := s.View(func(tx *ledger.Tx) error { var err error; rep, err = c.Verify(tx); return err }); err != nil {
			b.Fatal(err)
		}
		if rep.Records != n/6 {
			b.Fatalf("%d records, want %d", rep.Records, n/6)
		}
		leaves += rep.Leaves
	}
	b.ReportMetric(float64(leaves)/time.Since(start).Seconds(), "leaves/s")
}
