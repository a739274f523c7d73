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

func TestDatesStartIn1970(t *testing.T) {
	if _, err := ParseDate("1970-01-01"); err != nil {
		t.Fatalf("1970-01-01: %v", err)
	}
	if _, err := ParseDate("1969-12-31"); err == nil {
		t.Fatal("1969-12-31 accepted")
	}
	in := ConversionInput{ItemID: "1", Sold: []CountInput{{"BTC", "0.5"}}, Proceeds: "1", Counterparty: "x"}
	in.ExecutedAt = "1970-01-01T00:00:00Z"
	if _, err := CheckConversion(in); err != nil {
		t.Fatalf("executed at the first instant of 1970: %v", err)
	}
	in.ExecutedAt = "1969-12-31T23:59:59Z"
	_, err := CheckConversion(in)
	wantFieldErr(t, err, "executed_at", "before 1970")
}

// TestLessIDOrder: ids sort as numbers, before any key that is not one;
// other keys sort as text.
func TestLessIDOrder(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"2", "10", true},
		{"10", "2", false},
		{"7", "7", false},
		{"7", "-1", true}, // an id before text, though "-" sorts before digits
		{"-1", "7", false},
		{"a", "b", true},
		{"b", "a", false},
		{"a", "a", false},
	}
	for _, tt := range tests {
		if got := lessID(tt.a, tt.b); got != tt.want {
			t.Errorf("lessID(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestConversionsPage(t *testing.T) {
	s, svc, _ := convSetup(t)
	svc.items.(*directory).add(ItemRef{ID: "2", CaseID: "7", SeizedAt: june(2, 9)})
	seize(t, s, "2", "7", june(2, 9), amt(t, "USD", "50.00"))
	first, err := convert(s, svc, ConversionInput{ItemID: "1", Sold: []CountInput{{"BTC", "0.5"}, {"USD", "100"}}, Proceeds: "15000000", ExecutedAt: "2025-06-10T08:00:00Z", Counterparty: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := convert(s, svc, ConversionInput{ItemID: "2", Sold: []CountInput{{"USD", "50"}}, Proceeds: "14000", ExecutedAt: "2025-06-10T08:00:00Z", Counterparty: "x"}); err != nil {
		t.Fatal(err)
	}
	s.View(func(tx *ledger.Tx) error {
		if out, more, _ := svc.Conversions(tx, 0, 1); len(out) != 1 || !more {
			t.Errorf("limit 1: %d, more %v", len(out), more)
		}
		if out, more, _ := svc.Conversions(tx, 0, 0); len(out) != 2 || more {
			t.Errorf("no limit given: %d, more %v", len(out), more)
		}
		if out, _, _ := svc.Conversions(tx, first.ID, 10); len(out) != 1 || out[0].ItemID != "2" {
			t.Errorf("after the first: %+v", out)
		}
		return nil
	})
}

// TestRatesByDate: one rate per currency and date, up to and including the
// date asked.
func TestRatesByDate(t *testing.T) {
	s, _ := mustOpen(t, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
	svc := New(Config{})
	addRate(t, s, svc, "AED", "75.0", "2025-06-02", "sbp-interbank")
	addRate(t, s, svc, "USD", "278.0", "2025-06-02", "sbp-interbank")
	addRate(t, s, svc, "USD", "279.0", "2025-06-03", "sbp-interbank")
	addRate(t, s, svc, "USD", "280.0", "2025-06-04", "sbp-interbank")
	var got []string
	s.View(func(tx *ledger.Tx) error {
		return svc.RatesByDate(tx, day(t, "2025-06-03"), func(r Rate) error {
			got = append(got, r.Currency+" "+r.Effective)
			return nil
		})
	})
	if want := "AED 2025-06-02; USD 2025-06-02; USD 2025-06-03"; strings.Join(got, "; ") != want {
		t.Fatalf("got %q, want %q", strings.Join(got, "; "), want)
	}
}

func TestReconciliationsFilters(t *testing.T) {
	s, _ := mustOpen(t, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
	dir := newDirectory()
	svc := New(Config{Items: dir})
	dir.add(ItemRef{ID: "1", CaseID: "7", Location: "malkhana", SeizedAt: june(2, 9)})
	dir.add(ItemRef{ID: "2", CaseID: "7", Location: "safe", SeizedAt: june(2, 9)})
	seize(t, s, "1", "7", june(2, 9), amt(t, "USD", "100.00"))
	seize(t, s, "2", "7", june(2, 9), amt(t, "USD", "50.00"))
	for _, in := range []ReconciliationInput{
		{ItemID: "1", Date: "2025-06-03", Counts: []CountInput{{"USD", "100.00"}}},
		{ItemID: "2", Date: "2025-06-03", Counts: []CountInput{{"USD", "40.00"}}, Explanation: "short"},
		{Location: "malkhana", Date: "2025-06-04", Counts: []CountInput{{"USD", "100.00"}}},
		{Location: "safe", Date: "2025-06-04", Counts: []CountInput{{"USD", "30.00"}}, Explanation: "short again"},
	} {
		if _, err := reconcile(s, svc, in); err != nil {
			t.Fatal(err)
		}
	}
	list := func(f ReconFilter) string {
		var out []string
		s.View(func(tx *ledger.Tx) error {
			rs, _, err := svc.Reconciliations(tx, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rs {
				out = append(out, r.subject())
			}
			return nil
		})
		return strings.Join(out, ",")
	}
	for f, want := range map[ReconFilter]string{
		{ItemID: "1"}:          "item:1",
		{Location: "malkhana"}: "location:malkhana",
		{Status: Difference}:   "item:2,location:safe",
		{}:                     "item:1,item:2,location:malkhana,location:safe",
	} {
		if got := list(f); got != want {
			t.Errorf("%+v: %s, want %s", f, got, want)
		}
	}
	s.View(func(tx *ledger.Tx) error {
		all, more, _ := svc.Discrepancies(tx, 0, 0)
		if len(all) != 2 || more {
			t.Fatalf("no limit given: %+v %v", all, more)
		}
		if page, more, _ := svc.Discrepancies(tx, 0, 1); len(page) != 1 || !more {
			t.Errorf("limit 1: %+v %v", page, more)
		}
		if rest, _, _ := svc.Discrepancies(tx, all[0].ID, 10); len(rest) != 1 || rest[0].ID != all[1].ID {
			t.Errorf("after the first: %+v", rest)
		}
		return nil
	})
}

// TestValuationAsOfAFutureDate reads the current balances, page by page.
func TestValuationAsOfAFutureDate(t *testing.T) {
	s, _ := mustOpen(t, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
	svc := New(Config{})
	seize(t, s, "1", "7", june(2, 9), amt(t, "USD", "10.00"))
	seize(t, s, "2", "7", june(2, 9), amt(t, "USD", "5.00"))
	addRate(t, s, svc, "USD", "280", "2025-06-01", "sbp-interbank")
	v := value(t, s, svc, "2025-07-05", ByCurrency)
	if v.TotalPKR != "4200.00" || len(v.Rows) != 1 || v.Rows[0].Items != 2 {
		t.Fatalf("as of a future date: %+v", v)
	}
}

// TestValuationOfADayLeavesOutAPostingJustAfterMidnight: the ledger takes
// postings up to a minute ahead; one effective just after midnight is not
// in the day that is ending.
func TestValuationOfADayLeavesOutAPostingJustAfterMidnight(t *testing.T) {
	s, _ := mustOpen(t, time.Date(2025, 6, 5, 23, 59, 30, 0, time.UTC))
	svc := New(Config{})
	seize(t, s, "1", "7", june(5, 10), amt(t, "USD", "10.00"))
	seize(t, s, "1", "7", time.Date(2025, 6, 6, 0, 0, 20, 0, time.UTC), amt(t, "USD", "5.00"))
	addRate(t, s, svc, "USD", "280", "2025-06-01", "sbp-interbank")
	if v := value(t, s, svc, "2025-06-05", ByCurrency); v.TotalPKR != "2800.00" {
		t.Fatalf("as of 5 June: %+v", v)
	}
}

// lostDirectory does not know where item 2 was: it counts as unknown.
type lostDirectory struct{ *directory }

func (d lostDirectory) LocationAt(_ *ledger.Tx, id string, _ time.Time) (string, error) {
	if id == "2" {
		return "", ledger.Errorf(ledger.ENotFound, "item 2 has no custody entry")
	}
	return d.items[id].Location, nil
}

func TestValuationByLocationOfAnItemWithNoLocation(t *testing.T) {
	s, _ := mustOpen(t, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
	dir := lostDirectory{newDirectory()}
	svc := New(Config{Items: dir})
	dir.add(ItemRef{ID: "1", CaseID: "7", Location: "malkhana"})
	dir.add(ItemRef{ID: "2", CaseID: "7", Location: "malkhana"})
	seize(t, s, "1", "7", june(2, 9), amt(t, "USD", "10.00"))
	seize(t, s, "2", "7", june(2, 9), amt(t, "USD", "5.00"))
	v := value(t, s, svc, "2025-06-03", ByLocation)
	var got []string
	for _, r := range v.Rows {
		got = append(got, r.Location+" "+r.Amount)
	}
	if strings.Join(got, "; ") != "malkhana 10.00; unknown 5.00" {
		t.Fatalf("rows %v", got)
	}
}

func TestCompareSeizureOfOneCase(t *testing.T) {
	s, _ := mustOpen(t, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
	dir := newDirectory()
	svc := New(Config{Items: dir})
	dir.add(ItemRef{ID: "1", CaseID: "7", SeizedAt: june(2, 9)})
	dir.add(ItemRef{ID: "2", CaseID: "8", SeizedAt: june(2, 9)})
	seize(t, s, "1", "7", june(2, 9), amt(t, "USD", "10.00"))
	seize(t, s, "2", "8", june(2, 9), amt(t, "USD", "5.00"))
	s.View(func(tx *ledger.Tx) error {
		c, err := svc.CompareSeizure(tx, day(t, "2025-06-05"), "8")
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Items) != 1 || c.Items[0].ItemID != "2" || len(c.Cases) != 1 || c.Cases[0].CaseID != "8" {
			t.Fatalf("case 8 only: %+v", c)
		}
		return nil
	})
}

// TestEveryLineNamesItsCurrencyAndAmount: a sold or counted line without a
// currency, with an unknown one or without an amount is refused by its
// full path.
func TestEveryLineNamesItsCurrencyAndAmount(t *testing.T) {
	tests := []struct {
		line          CountInput
		field, reason string
	}{
		{CountInput{"", "1"}, "[0].currency", "is required"},
		{CountInput{"XYZ", "1"}, "[0].currency", "unknown currency"},
		{CountInput{"USD", ""}, "[0].amount", "is required"},
	}
	for _, tt := range tests {
		_, err := CheckConversion(ConversionInput{ItemID: "1", Sold: []CountInput{tt.line}, Proceeds: "1", ExecutedAt: "2025-06-10T08:00:00Z", Counterparty: "x"})
		wantFieldErr(t, err, "sold"+tt.field, tt.reason)
		_, err = CheckReconciliation(ReconciliationInput{ItemID: "1", Date: "2025-06-10", Counts: []CountInput{tt.line}})
		wantFieldErr(t, err, "counts"+tt.field, tt.reason)
	}
}

func TestAllRatesInKeyOrder(t *testing.T) {
	s, _ := mustOpen(t, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
	svc := New(Config{})
	var got []string
	collect := func(r Rate) error { got = append(got, r.Currency+" "+r.Effective+" "+r.Text); return nil }
	s.View(func(tx *ledger.Tx) error { return AllRates(tx, collect) })
	if len(got) != 0 {
		t.Fatalf("rates in an empty store: %v", got)
	}
	addRate(t, s, svc, "USD", "279.0", "2025-06-03", "sbp-interbank")
	addRate(t, s, svc, "USD", "278.0", "2025-06-02", "sbp-interbank")
	addRate(t, s, svc, "AED", "75.0", "2025-06-04", "sbp-interbank")
	s.View(func(tx *ledger.Tx) error { return AllRates(tx, collect) })
	if want := "AED 2025-06-04 75.0; USD 2025-06-02 278.0; USD 2025-06-03 279.0"; strings.Join(got, "; ") != want {
		t.Fatalf("got %q, want %q", strings.Join(got, "; "), want)
	}
}
