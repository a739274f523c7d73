package finance

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/ledger"
)

func TestCheckRateRefusesBadInput(t *testing.T) {
	good := RateInput{Currency: "USD", Rate: "278.6500", Effective: "2025-06-02", Source: "sbp-interbank"}
	tests := []struct {
		name   string
		edit   func(*RateInput)
		field  string
		reason string
	}{
		{"currency is required", func(r *RateInput) { r.Currency = "" }, "currency", "required"},
		{"lower-case code", func(r *RateInput) { r.Currency = "usd" }, "currency", "upper case"},
		{"unknown currency", func(r *RateInput) { r.Currency = "XYZ" }, "currency", "unknown"},
		{"PKR has no rate to enter", func(r *RateInput) { r.Currency = "PKR" }, "currency", "reporting currency"},
		{"zero rate", func(r *RateInput) { r.Rate = "0" }, "rate", "greater than zero"},
		{"negative rate", func(r *RateInput) { r.Rate = "-1" }, "rate", "negative"},
		{"exponent", func(r *RateInput) { r.Rate = "2.7e2" }, "rate", "exponent"},
		{"eleven places", func(r *RateInput) { r.Rate = "0.00000000001" }, "rate", "at most 10"},
		{"date with slashes", func(r *RateInput) { r.Effective = "2025/06/02" }, "effective", "YYYY-MM-DD"},
		{"impossible date", func(r *RateInput) { r.Effective = "2025-02-30" }, "effective", "YYYY-MM-DD"},
		{"short date", func(r *RateInput) { r.Effective = "2025-6-2" }, "effective", "YYYY-MM-DD"},
		{"source with spaces", func(r *RateInput) { r.Source = "State Bank" }, "source", "lower-case"},
		{"source missing", func(r *RateInput) { r.Source = "" }, "source", "required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := good
			tt.edit(&in)
			_, err := CheckRate(in)
			var e *ledger.Error
			if err == nil || !asError(err, &e) || e.Code != ledger.EInvalid {
				t.Fatalf("CheckRate(%+v) = %v, want an invalid-input error", in, err)
			}
			if len(e.Fields) != 1 || e.Fields[0].Field != tt.field || !strings.Contains(e.Fields[0].Reason, tt.reason) {
				t.Fatalf("fields %+v, want %s containing %q", e.Fields, tt.field, tt.reason)
			}
		})
	}
	if _, err := CheckRate(good); err != nil {
		t.Fatal(err)
	}
	if r, err := CheckRate(RateInput{Currency: "VND", Rate: "0.0108450000", Effective: "2025-06-02", Source: "sbp-interbank"}); err != nil || r.Text != "0.0108450000" {
		t.Fatalf("ten places: %+v %v", r, err)
	}
}

func asError(err error, target **ledger.Error) bool {
	e, ok := err.(*ledger.Error)
	if ok {
		*target = e
	}
	return ok
}

func TestRateInForce(t *testing.T) {
	s, _ := mustOpen(t, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
	svc := New(Config{})
	addRate(t, s, svc, "USD", "278.0000", "2025-06-02", "exchange-close")
	addRate(t, s, svc, "USD", "278.6500", "2025-06-02", "sbp-interbank")
	addRate(t, s, svc, "USD", "279.1000", "2025-06-05", "court-order")
	addRate(t, s, svc, "USD", "280.0000", "2025-06-05", "court-order") // supersedes the entry above
	addRate(t, s, svc, "USD", "281.0000", "2025-06-05", "some-exchange")
	addRate(t, s, svc, "EUR", "300.0000", "2025-06-03", "sbp-interbank")
	tests := []struct {
		name   string
		cur    string
		on     string
		source string
		want   string // "" for no rate
	}{
		{"before the first rate there is none", "USD", "2025-06-01", "", ""},
		{"on its effective date a rate is in force", "USD", "2025-06-02", "", "278.6500"},
		{"the preferred source wins a tie", "USD", "2025-06-03", "", "278.6500"},
		{"a later date supersedes", "USD", "2025-06-05", "", "280.0000"},
		{"a later entry of the same source supersedes", "USD", "2025-06-30", "", "280.0000"},
		{"an unlisted source ranks after listed ones", "USD", "2025-06-06", "", "280.0000"},
		{"asked by source", "USD", "2025-06-06", "exchange-close", "278.0000"},
		{"asked by an unlisted source", "USD", "2025-06-06", "some-exchange", "281.0000"},
		{"a source with no rate", "USD", "2025-06-06", "nobody", ""},
		{"other currencies are apart", "EUR", "2025-06-02", "", ""},
		{"currency never rated", "GBP", "2025-06-30", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.View(func(tx *ledger.Tx) error {
				r, ok, err := svc.RateInForce(tx, tt.cur, day(t, tt.on), tt.source)
				if err != nil {
					t.Fatal(err)
				}
				if tt.want == "" {
					if ok {
						t.Fatalf("rate %s in force, want none", r.Text)
					}
					return nil
				}
				if !ok || r.Text != tt.want {
					t.Fatalf("rate %q (ok %v), want %s", r.Text, ok, tt.want)
				}
				return nil
			})
		})
	}
}

func TestRateHistoryPagesInStableOrder(t *testing.T) {
	s, _ := mustOpen(t, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
	svc := New(Config{})
	for _, d := range []string{"2025-06-03", "2025-06-01", "2025-06-02"} {
		addRate(t, s, svc, "USD", "280", d, "sbp-interbank")
		addRate(t, s, svc, "AED", "76", d, "sbp-interbank")
	}
	var got []string
	var after []byte
	for {
		var page []Rate
		var next []byte
		s.View(func(tx *ledger.Tx) (err error) {
			page, next, err = svc.Rates(tx, RateFilter{After: after, Limit: 4})
			return err
		})
		for _, r := range page {
			got = append(got, r.Currency+" "+r.Effective)
		}
		if next == nil {
			break
		}
		after = next
	}
	want := "AED 2025-06-01,AED 2025-06-02,AED 2025-06-03,USD 2025-06-01,USD 2025-06-02,USD 2025-06-03"
	if strings.Join(got, ",") != want {
		t.Fatalf("history %v, want %s", got, want)
	}
	s.View(func(tx *ledger.Tx) error {
		page, _, _ := svc.Rates(tx, RateFilter{Currency: "USD", Limit: 10})
		if len(page) != 3 || page[0].Actor != "finance:test" {
			t.Fatalf("USD history %+v", page)
		}
		return nil
	})
}

func TestRatesByDateChoosesLikeRateInForce(t *testing.T) {
	s, _ := mustOpen(t, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
	svc := New(Config{})
	addRate(t, s, svc, "USD", "1", "2025-06-02", "exchange-close")
	addRate(t, s, svc, "USD", "2", "2025-06-02", "sbp-interbank")
	addRate(t, s, svc, "USD", "3", "2025-06-02", "exchange-close")
	addRate(t, s, svc, "USD", "4", "2025-06-04", "zz")
	addRate(t, s, svc, "USD", "5", "2025-06-04", "zz")
	addRate(t, s, svc, "BTC", "30000000", "2025-06-09", "exchange-close")
	var got []string
	s.View(func(tx *ledger.Tx) error {
		return svc.RatesByDate(tx, day(t, "2025-06-05"), func(r Rate) error {
			got = append(got, r.Currency+" "+r.Effective+" "+r.Text)
			want, _, _ := svc.RateInForce(tx, r.Currency, day(t, r.Effective), "")
			if want.ID != r.ID {
				t.Errorf("RatesByDate chose %d, RateInForce %d", r.ID, want.ID)
			}
			return nil
		})
	})
	if strings.Join(got, ",") != "USD 2025-06-02 2,USD 2025-06-04 5" {
		t.Fatalf("got %v", got)
	}
}

func TestAddRateRefusalWritesNothing(t *testing.T) {
	s, _ := mustOpen(t, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
	svc := New(Config{})
	addRate(t, s, svc, "USD", "280", "2025-06-01", "sbp-interbank")
	before := snapshot(t, s)
	err := s.Write(context.Background(), func(tx *ledger.Tx) error {
		_, err := svc.AddRate(tx, RateInput{Currency: "USD", Rate: "1e3", Effective: "2025-06-02", Source: "sbp-interbank"}, "finance:test")
		return err
	})
	if ledger.ErrorCode(err) != ledger.EInvalid {
		t.Fatalf("err %v", err)
	}
	sameSnapshot(t, before, snapshot(t, s))
}
