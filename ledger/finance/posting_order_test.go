package finance

import (
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/money"
)

// neverNegative checks custody:item:<item> in cur at every instant a
// posting took effect.
func neverNegative(t testing.TB, s *ledger.Store, item string, cur money.Currency, instants ...time.Time) {
	t.Helper()
	s.View(func(tx *ledger.Tx) error {
		for _, at := range instants {
			b, _, err := tx.BalanceAt(custodyAccount(item), cur, at)
			if err != nil {
				t.Fatal(err)
			}
			if b.Sign() < 0 {
				t.Fatalf("custody:item:%s holds %s %s at %s", item, b, cur.Code, at.Format(time.RFC3339))
			}
		}
		return nil
	})
}

func TestConversionRefusedBeforeLatestPosting(t *testing.T) {
	s, svc, _ := convSetup(t) // item 1: 0.5 BTC and 100 USD since 2 June
	// A count on 8 June finds 10 USD more than the books.
	if _, err := reconcile(s, svc, ReconciliationInput{ItemID: "1", Date: "2025-06-08", Counts: []CountInput{{"USD", "110.00"}}, Explanation: "a note found in the lining"}); err != nil {
		t.Fatal(err)
	}
	in := ConversionInput{ItemID: "1", Sold: []CountInput{{"BTC", "0.5"}, {"USD", "110.00"}}, Proceeds: "15000000", ExecutedAt: "2025-06-05T08:00:00Z", Counterparty: "licensed exchange"}
	before := snapshot(t, s)
	_, err := convert(s, svc, in)
	wantFieldErr(t, err, "executed_at", "before the latest posting to item 1 (2025-06-08T23:59:59.999999999Z)")
	sameSnapshot(t, before, snapshot(t, s))

	in.ExecutedAt = "2025-06-09T08:00:00Z"
	if _, err := convert(s, svc, in); err != nil {
		t.Fatal(err)
	}
	neverNegative(t, s, "1", money.MustLookup("USD"), june(2, 9), june(5, 8), EndOfDay(june(8, 0)), june(9, 8))
}

func TestVarianceRefusedBeforeLatestPosting(t *testing.T) {
	s, _ := mustOpen(t, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
	dir := newDirectory()
	svc := New(Config{Items: dir})
	dir.add(ItemRef{ID: "1", CaseID: "7", Kind: KindCash, SeizedAt: june(2, 9)})
	seize(t, s, "1", "7", june(2, 9), amt(t, "USD", "100.00"))
	postAt(t, s, "1", "7", june(7, 9), amt(t, "USD", "-80.00")) // 80 released on 7 June
	before := snapshot(t, s)
	// A shortfall of 80 posted at the end of 5 June would leave the bag
	// at -60 from 7 June on.
	_, err := reconcile(s, svc, ReconciliationInput{ItemID: "1", Date: "2025-06-05", Counts: []CountInput{{"USD", "20.00"}}, Explanation: "80 missing"})
	wantFieldErr(t, err, "date", "item 1 has a posting after 2025-06-05")
	sameSnapshot(t, before, snapshot(t, s))
	neverNegative(t, s, "1", money.MustLookup("USD"), june(2, 9), EndOfDay(june(5, 0)), june(7, 9))

	// A count that matches posts nothing and may be of any date.
	if r, err := reconcile(s, svc, ReconciliationInput{ItemID: "1", Date: "2025-06-05", Counts: []CountInput{{"USD", "100.00"}}}); err != nil || r.Status != Matched {
		t.Fatalf("a matching count of an earlier date: %+v %v", r, err)
	}
	// A difference dated on or after the latest posting is posted.
	if r, err := reconcile(s, svc, ReconciliationInput{ItemID: "1", Date: "2025-06-07", Counts: []CountInput{{"USD", "15.00"}}, Explanation: "5 missing"}); err != nil || r.TxnID == 0 {
		t.Fatalf("a difference after the latest posting: %+v %v", r, err)
	}
}
