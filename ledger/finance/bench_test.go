package finance

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/money"
)

// BenchmarkValuation values 100,000 items holding 50 currencies (one
// currency each, 2,000 items per currency, 500 cases), as of a past date
// (as-of balances, one history seek per item) and as of today (current
// balances), grouped by currency and by case.
func BenchmarkValuation(b *testing.B) {
	const items, ncur, cases = 100_000, 50, 500
	s, err := ledger.Open(filepath.Join(b.TempDir(), "amanat.db"), ledger.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var curs []money.Currency
	for _, c := range money.All() {
		if c.Code != money.PKR.Code && len(curs) < ncur {
			curs = append(curs, c)
		}
	}
	dir := newDirectory()
	svc := New(Config{Items: dir})
	seized := time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)
	for start := 0; start < items; start += 5000 {
		err := s.Write(context.Background(), func(tx *ledger.Tx) error {
			for i := start; i < start+5000; i++ {
				cur := curs[i%ncur]
				a, _ := money.New(cur, decimal.New(int64(i)*7919+1, -cur.Scale))
				id, cs := fmt.Sprint(i+1), fmt.Sprint(i%cases+1)
				_, err := tx.Post(ledger.Transaction{Effective: seized, Actor: "custodian:bench", Postings: []ledger.Posting{
					{Account: "custody:item:" + id, Amount: a}, {Account: "seized:case:" + cs, Amount: a.Neg()}}})
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	for i := 0; i < items; i++ {
		id := fmt.Sprint(i + 1)
		dir.items[id] = ItemRef{ID: id, CaseID: fmt.Sprint(i%cases + 1), Circle: "islamabad"}
	}
	for _, c := range curs {
		addRate(b, s, svc, c.Code, "123.4567", "2025-06-01", "sbp-interbank")
	}
	for _, bm := range []struct {
		name, asOf, group string
	}{
		{"past/currency", "2025-06-10", ByCurrency},
		{"past/case", "2025-06-10", ByCase},
		{"today/currency", FormatDate(time.Now()), ByCurrency},
	} {
		b.Run(bm.name, func(b *testing.B) {
			asOf := day(b, bm.asOf)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				var v Valuation
				if err := s.View(func(tx *ledger.Tx) (err error) { v, err = svc.Value(tx, asOf, bm.group); return err }); err != nil {
					b.Fatal(err)
				}
				if len(v.MissingRates) != 0 || len(v.Rows) < ncur {
					b.Fatalf("valuation %d rows, missing %v", len(v.Rows), v.MissingRates)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/valuation")
			b.ReportMetric(float64(items)*float64(b.N)/b.Elapsed().Seconds(), "items/s")
		})
	}
}
