package ledger

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/ledger/money"
)

// Benchmarks of the ledger; docs/benchmarks.md has the command and figures.

func benchStore(b *testing.B, opt Options) *Store {
	b.Helper()
	return mustOpenAt(b, filepath.Join(b.TempDir(), "bench.db"), opt)
}

func reportRate(b *testing.B, n float64, unit string) {
	b.ReportMetric(n/b.Elapsed().Seconds(), unit)
}

// BenchmarkPostDurable commits one transaction at a time, each with its own fsync.
func BenchmarkPostDurable(b *testing.B) {
	s := benchStore(b, Options{})
	txn := seize(b, 1, 1, "USD", "10.00", day)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Write(context.Background(), func(tx *Tx) error { _, err := tx.Post(txn); return err }); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, float64(b.N), "txns/s")
}

// BenchmarkPostBatch1000 commits 1,000 two-posting transactions in one write.
func BenchmarkPostBatch1000(b *testing.B) {
	s := benchStore(b, Options{})
	txns := make([]Transaction, 1000)
	for i := range txns {
		txns[i] = seize(b, i%100+1, i%10+1, "BTC", "0.00012345", day)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := s.Write(context.Background(), func(tx *Tx) error {
			for _, t := range txns {
				if _, err := tx.Post(t); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, float64(b.N*2000), "postings/s")
}

// BenchmarkConcurrentWriters32 has 32 writers commit one transaction each at a
// time; group commit lets them share fsyncs.
func BenchmarkConcurrentWriters32(b *testing.B) {
	s := benchStore(b, Options{})
	txn := seize(b, 1, 1, "USD", "10.00", day)
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	per := b.N/32 + 1
	for w := 0; w < 32; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < per; i++ {
				if err := s.Write(context.Background(), func(tx *Tx) error { _, err := tx.Post(txn); return err }); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	reportRate(b, float64(per*32), "txns/s")
}

// BenchmarkBalance reads one current balance in its own read transaction.
func BenchmarkBalance(b *testing.B) {
	s := benchStore(b, Options{NoSync: true})
	for i := 1; i <= 100; i++ {
		post(b, s, seize(b, i, 1, "USD", "10.00", day))
	}
	usd := money.MustLookup("USD")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := s.View(func(tx *Tx) error {
			_, err := tx.Balance("custody:item:50", usd)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

var (
	bigOnce sync.Once
	bigPath string
	bigErr  error
)

const bigTxns = 1_000_000 // each posts to the hot account and to one of 1,000 cases

// bigStore builds, once per benchmark run, a store whose account
// custody:item:1 has 1,000,000 postings (2,000,000 postings in all).
func bigStore(b *testing.B) *Store {
	bigOnce.Do(func() {
		dir, err := os.MkdirTemp("", "amanat-bench-")
		if err != nil {
			bigErr = err
			return
		}
		bigPath = filepath.Join(dir, "big.db")
		s, err := Open(bigPath, Options{NoSync: true})
		if err != nil {
			bigErr = err
			return
		}
		defer s.Close()
		usd := money.MustLookup("USD")
		one, _ := money.ParseAmount(usd, "1.00", money.Positive)
		for start := 0; start < bigTxns && bigErr == nil; start += 10_000 {
			bigErr = s.Write(context.Background(), func(tx *Tx) error {
				for i := start; i < start+10_000; i++ {
					_, err := tx.Post(Transaction{
						Effective: day.Add(time.Duration(i) * time.Second),
						Actor:     "custodian:bench",
						Postings:  []Posting{{Account: "custody:item:1", Amount: one}, {Account: fmt.Sprintf("seized:case:%d", i%1000), Amount: one.Neg()}},
					})
					if err != nil {
						return err
					}
				}
				return nil
			})
		}
	})
	if bigErr != nil {
		b.Fatal(bigErr)
	}
	return mustOpenAt(b, bigPath, Options{ReadOnly: true})
}

// BenchmarkBalanceAsOf1M reads an as-of balance of an account with 1,000,000
// postings at random instants: one seek in the history index.
func BenchmarkBalanceAsOf1M(b *testing.B) {
	s := bigStore(b)
	usd := money.MustLookup("USD")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		at := day.Add(time.Duration((i*7919)%bigTxns) * time.Second)
		err := s.View(func(tx *Tx) error {
			_, _, err := tx.BalanceAt("custody:item:1", usd, at)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify2M runs the checker over the 2,000,000 postings of the big store.
func BenchmarkVerify2M(b *testing.B) {
	s := bigStore(b)
	b.ReportAllocs()
	b.ResetTimer()
	var postings uint64
	for i := 0; i < b.N; i++ {
		r, err := s.Verify()
		if err != nil {
			b.Fatal(err)
		}
		postings += r.Postings
	}
	reportRate(b, float64(postings), "postings/s")
}
