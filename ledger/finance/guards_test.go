package finance

import (
	"strings"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/ledger"
)

func TestCheckIDRefusesWhatIsNotAnID(t *testing.T) {
	for _, bad := range []string{"", "0", "00", "01", "-1", "+1", " 1", "1.0", "18446744073709551616", "x"} {
		if err := CheckID(bad); err == nil {
			t.Errorf("CheckID(%q) accepted", bad)
		}
	}
	for _, good := range []string{"1", "7", "18446744073709551615"} {
		if err := CheckID(good); err != nil {
			t.Errorf("CheckID(%q) = %v", good, err)
		}
	}
}

// TestSecondCountOnOneDateBecomesTheLatest: two counts of one item on one
// date are in the order they were recorded; the later one decides whether a
// difference is still open.
func TestSecondCountOnOneDateBecomesTheLatest(t *testing.T) {
	s, _ := mustOpen(t, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
	dir := newDirectory()
	svc := New(Config{Items: dir})
	dir.add(ItemRef{ID: "1", CaseID: "7", SeizedAt: june(2, 9)})
	seize(t, s, "1", "7", june(2, 9), amt(t, "USD", "100.00"))
	if _, err := reconcile(s, svc, ReconciliationInput{ItemID: "1", Date: "2025-06-05", Counts: []CountInput{{"USD", "90.00"}}, Explanation: "one note missing"}); err != nil {
		t.Fatal(err)
	}
	if got := discrepancies(t, s, svc); strings.Join(got, ",") != "item:1" {
		t.Fatalf("open discrepancies %v", got)
	}
	// Recounted the same day: the books now hold the variance, so it matches.
	if r, err := reconcile(s, svc, ReconciliationInput{ItemID: "1", Date: "2025-06-05", Counts: []CountInput{{"USD", "90.00"}}}); err != nil || r.Status != Matched {
		t.Fatalf("recount: %+v %v", r, err)
	}
	if got := discrepancies(t, s, svc); len(got) != 0 {
		t.Fatalf("the same-day recount did not close the difference: %v", got)
	}
}

func TestRateHistoryFilters(t *testing.T) {
	s, _ := mustOpen(t, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
	svc := New(Config{})
	addRate(t, s, svc, "AED", "75.0", "2025-06-02", "sbp-interbank")
	addRate(t, s, svc, "USD", "278.0", "2025-06-02", "exchange-close")
	addRate(t, s, svc, "USD", "278.5", "2025-06-02", "sbp-interbank")
	addRate(t, s, svc, "USD", "279.0", "2025-06-03", "sbp-interbank")
	addRate(t, s, svc, "VND", "0.011", "2025-06-02", "sbp-interbank")
	list := func(f RateFilter) string {
		t.Helper()
		var parts []string
		s.View(func(tx *ledger.Tx) error {
			out, _, err := svc.Rates(tx, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range out {
				parts = append(parts, r.Currency+" "+r.Text+" "+r.Source)
			}
			return nil
		})
		return strings.Join(parts, "; ")
	}
	tests := []struct {
		name string
		f    RateFilter
		want string
	}{
		{"one currency, and no other after it", RateFilter{Currency: "USD"}, "USD 278.0 exchange-close; USD 278.5 sbp-interbank; USD 279.0 sbp-interbank"},
		{"one source", RateFilter{Source: "exchange-close"}, "USD 278.0 exchange-close"},
		{"one currency from one source", RateFilter{Currency: "USD", Source: "sbp-interbank"}, "USD 278.5 sbp-interbank; USD 279.0 sbp-interbank"},
		{"a currency with no rate", RateFilter{Currency: "EUR"}, ""},
		{"everything", RateFilter{}, "AED 75.0 sbp-interbank; USD 278.0 exchange-close; USD 278.5 sbp-interbank; USD 279.0 sbp-interbank; VND 0.011 sbp-interbank"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := list(tt.f); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}
