package finance

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/ledger"
)

func reconcile(s *ledger.Store, svc *Service, in ReconciliationInput) (Reconciliation, error) {
	var r Reconciliation
	err := s.Write(context.Background(), func(tx *ledger.Tx) error {
		var err error
		r, err = svc.Reconcile(tx, in, "finance:test")
		return err
	})
	return r, err
}

func discrepancies(t testing.TB, s *ledger.Store, svc *Service) []string {
	var out []string
	s.View(func(tx *ledger.Tx) error {
		list, _, err := svc.Discrepancies(tx, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range list {
			out = append(out, r.subject())
		}
		return nil
	})
	return out
}

func TestReconciliation(t *testing.T) {
	s, _ := mustOpen(t, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
	dir := newDirectory()
	svc := New(Config{Items: dir})
	dir.add(ItemRef{ID: "1", CaseID: "7", Location: "malkhana"})
	dir.add(ItemRef{ID: "2", CaseID: "7", Location: "malkhana"})
	seize(t, s, "1", "7", june(2, 9), amt(t, "USD", "1500.00"), amt(t, "EUR", "200.00"))
	seize(t, s, "2", "7", june(2, 9), amt(t, "USD", "100.00"))

	r, err := reconcile(s, svc, ReconciliationInput{ItemID: "1", Date: "2025-06-03", Counts: []CountInput{{"USD", "1500"}, {"EUR", "200.00"}}})
	if err != nil || r.Status != Matched || r.TxnID != 0 || r.Lines[0].Difference != "0.00" {
		t.Fatalf("a match is recorded as such: %+v %v", r, err)
	}

	before := snapshot(t, s)
	_, err = reconcile(s, svc, ReconciliationInput{ItemID: "1", Date: "2025-06-04", Counts: []CountInput{{"USD", "1450.00"}}})
	if e, ok := err.(*ledger.Error); !ok || e.Fields[0].Field != "explanation" {
		t.Fatalf("a difference without an explanation: %v", err)
	}
	sameSnapshot(t, before, snapshot(t, s))

	r, err = reconcile(s, svc, ReconciliationInput{ItemID: "1", Date: "2025-06-04", Method: "count", Counts: []CountInput{{"USD", "1450.00"}}, Explanation: "one 50-dollar note missing from the bag"})
	if err != nil || r.Status != Difference || r.Lines[0].Difference != "-50.00" || r.Lines[0].Books != "1500.00" || r.TxnID == 0 {
		t.Fatalf("difference: %+v %v", r, err)
	}
	if got := balance(t, s, "custody:item:1", "USD"); got != "1450.00" {
		t.Fatalf("custody after variance %s", got)
	}
	if got := balance(t, s, "variance:item:1", "USD"); got != "50.00" {
		t.Fatalf("variance %s", got)
	}
	s.View(func(tx *ledger.Tx) error {
		txn, _ := tx.Transaction(r.TxnID)
		if txn.Reverses != 0 || !strings.Contains(txn.Memo, "50-dollar") || txn.Effective != EndOfDay(day(t, "2025-06-04")) {
			t.Fatalf("variance transaction %+v", txn)
		}
		// The seizure transaction is untouched.
		first, _ := tx.Transaction(1)
		if first.Postings[0].Amount.String() != "1500.00" {
			t.Fatalf("seizure edited: %+v", first)
		}
		return nil
	})
	if got := discrepancies(t, s, svc); strings.Join(got, ",") != "item:1" {
		t.Fatalf("open discrepancies %v", got)
	}

	// A location count: the books are the sum of its items.
	r, err = reconcile(s, svc, ReconciliationInput{Location: "malkhana", Date: "2025-06-05", Counts: []CountInput{{"USD", "1540.00"}}, Explanation: "count disagrees; items to be recounted"})
	if err != nil || r.Status != Difference || r.Lines[0].Books != "1550.00" || r.TxnID != 0 {
		t.Fatalf("location: %+v %v", r, err)
	}
	if got := discrepancies(t, s, svc); strings.Join(got, ",") != "item:1,location:malkhana" {
		t.Fatalf("open discrepancies %v", got)
	}
	// An older count does not reopen or close a newer one.
	if _, err := reconcile(s, svc, ReconciliationInput{Location: "malkhana", Date: "2025-06-01", Counts: []CountInput{{"USD", "0"}}}); err != nil {
		t.Fatal(err)
	}
	// A later matching count of the item closes its discrepancy.
	if r, err := reconcile(s, svc, ReconciliationInput{ItemID: "1", Date: "2025-06-06", Counts: []CountInput{{"USD", "1450.00"}}}); err != nil || r.Status != Matched {
		t.Fatalf("recount: %+v %v", r, err)
	}
	if got := discrepancies(t, s, svc); strings.Join(got, ",") != "location:malkhana" {
		t.Fatalf("open discrepancies %v", got)
	}
	s.View(func(tx *ledger.Tx) error {
		all, more, _ := svc.Reconciliations(tx, ReconFilter{Limit: 2})
		if len(all) != 2 || !more || all[0].ID != 1 {
			t.Fatalf("page %+v %v", all, more)
		}
		diffs, _, _ := svc.Reconciliations(tx, ReconFilter{Status: Difference})
		if len(diffs) != 2 {
			t.Fatalf("differences %+v", diffs)
		}
		return nil
	})
}

func TestReconciliationRefusals(t *testing.T) {
	s, _ := mustOpen(t, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
	dir := newDirectory()
	svc := New(Config{Items: dir})
	dir.add(ItemRef{ID: "1", CaseID: "7", Location: "malkhana"})
	seize(t, s, "1", "7", june(2, 9), amt(t, "USD", "1500.00"))
	good := ReconciliationInput{ItemID: "1", Date: "2025-06-03", Counts: []CountInput{{"USD", "1500.00"}}}
	tests := []struct {
		name, field, reason string
		edit                func(*ReconciliationInput)
	}{
		{"neither item nor location", "item_id", "item_id or location", func(r *ReconciliationInput) { r.ItemID = "" }},
		{"both", "location", "not both", func(r *ReconciliationInput) { r.Location = "malkhana" }},
		{"unknown item", "item_id", "does not exist", func(r *ReconciliationInput) { r.ItemID = "5" }},
		{"unknown location", "location", "no item", func(r *ReconciliationInput) { r.ItemID, r.Location = "", "vault-9" }},
		{"future date", "date", "future", func(r *ReconciliationInput) { r.Date = "2025-07-02" }},
		{"bad date", "date", "YYYY-MM-DD", func(r *ReconciliationInput) { r.Date = "03-06-2025" }},
		{"no counts", "counts", "at least one", func(r *ReconciliationInput) { r.Counts = nil }},
		{"negative count", "counts[0].amount", "negative", func(r *ReconciliationInput) { r.Counts = []CountInput{{"USD", "-1"}} }},
		{"counted twice", "counts[1].currency", "twice", func(r *ReconciliationInput) { r.Counts = []CountInput{{"USD", "1"}, {"USD", "1"}} }},
		{"too many places", "counts[0].amount", "at most 2", func(r *ReconciliationInput) { r.Counts = []CountInput{{"USD", "1.001"}} }},
		{"unknown method", "method", "not one of", func(r *ReconciliationInput) { r.Method = "guess" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := snapshot(t, s)
			in := good
			tt.edit(&in)
			_, err := reconcile(s, svc, in)
			e, ok := err.(*ledger.Error)
			if !ok || e.Code != ledger.EInvalid || e.Fields[0].Field != tt.field || !strings.Contains(e.Fields[0].Reason, tt.reason) {
				t.Fatalf("err %v, want %s: %s", err, tt.field, tt.reason)
			}
			sameSnapshot(t, before, snapshot(t, s))
		})
	}
}
