package finance

import (
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/ledger"
)

// TestWithin: a desk within a directory of some items values only theirs,
// by every grouping, and refuses to count any other item as one that does
// not exist; the whole desk values everything.
func TestWithin(t *testing.T) {
	s, _ := mustOpen(t, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
	all := newDirectory()
	svc := New(Config{Items: all})
	all.add(ItemRef{ID: "1", CaseID: "10", Circle: "islamabad", Location: "islamabad/malkhana"})
	all.add(ItemRef{ID: "2", CaseID: "9", Circle: "lahore", Location: "lahore/safe-1"})
	seize(t, s, "1", "10", june(2, 9), amt(t, "USD", "10.00"))
	seize(t, s, "2", "9", june(2, 9), amt(t, "USD", "30.00"))
	seize(t, s, "3", "11", june(2, 9), amt(t, "USD", "50.00")) // in no directory
	addRate(t, s, svc, "USD", "2", "2025-06-01", "sbp-interbank")
	mine := newDirectory()
	mine.add(ItemRef{ID: "1", CaseID: "10", Circle: "islamabad", Location: "islamabad/malkhana"})
	scoped := svc.Within(mine)
	for _, group := range []string{ByCurrency, ByCase, ByCircle, ByLocation} {
		if v := value(t, s, scoped, "2025-06-02", group); v.TotalPKR != "20.00" || len(v.Rows) != 1 {
			t.Fatalf("%s within: total %s, %d rows", group, v.TotalPKR, len(v.Rows))
		}
		if v := value(t, s, svc, "2025-06-02", group); v.TotalPKR != "180.00" {
			t.Fatalf("%s whole: total %s", group, v.TotalPKR)
		}
	}
	before := snapshot(t, s)
	err := s.Write(t.Context(), func(tx *ledger.Tx) error {
		_, err := scoped.Reconcile(tx, ReconciliationInput{ItemID: "2", Date: "2025-06-20", Method: "count", Counts: []CountInput{{Currency: "USD", Amount: "30.00"}}}, "finance:x")
		return err
	})
	if e, ok := err.(*ledger.Error); !ok || e.Fields[0].Field != "item_id" {
		t.Fatalf("a count of an item outside: %v", err)
	}
	sameSnapshot(t, before, snapshot(t, s))
}
