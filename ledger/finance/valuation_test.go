package finance

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/money"
)

var june = func(d int, h int) time.Time { return time.Date(2025, 6, d, h, 0, 0, 0, time.UTC) }

func TestValuationAsOfAroundRateChanges(t *testing.T) {
	s, _ := mustOpen(t, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
	svc := New(Config{})
	seize(t, s, "1", "1", june(3, 10), amt(t, "USD", "1000.00"))
	seize(t, s, "2", "1", june(6, 23), amt(t, "USD", "500.00"))
	addRate(t, s, svc, "USD", "278.50", "2025-06-02", "sbp-interbank")
	addRate(t, s, svc, "USD", "280.25", "2025-06-05", "sbp-interbank")
	tests := []struct {
		name, asOf, amount, rate, effective, pkr string
	}{
		{"before the first seizure nothing is held", "2025-06-02", "", "", "", "0.00"},
		{"the seizure day counts to its end, at the first rate", "2025-06-03", "1000.00", "278.50", "2025-06-02", "278500.00"},
		{"between rate changes the earlier rate holds", "2025-06-04", "1000.00", "278.50", "2025-06-02", "278500.00"},
		{"on the change date the new rate is in force", "2025-06-05", "1000.00", "280.25", "2025-06-05", "280250.00"},
		{"a seizure at 23:00 belongs to its day", "2025-06-06", "1500.00", "280.25", "2025-06-05", "420375.00"},
		{"after the last change it stays in force", "2025-06-30", "1500.00", "280.25", "2025-06-05", "420375.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := value(t, s, svc, tt.asOf, ByCurrency)
			if v.TotalPKR != tt.pkr {
				t.Fatalf("total %s, want %s", v.TotalPKR, tt.pkr)
			}
			if tt.amount == "" {
				if len(v.Rows) != 0 {
					t.Fatalf("rows %+v, want none", v.Rows)
				}
				return
			}
			if len(v.Rows) != 1 {
				t.Fatalf("rows %+v", v.Rows)
			}
			r := v.Rows[0]
			if r.Amount != tt.amount || *r.Rate != tt.rate || *r.RateEffective != tt.effective || *r.RateSource != "sbp-interbank" || *r.PKR != tt.pkr || r.MissingRate {
				t.Fatalf("row %+v rate %s eff %s pkr %s", r, *r.Rate, *r.RateEffective, *r.PKR)
			}
		})
	}
}

func TestValuationRounding(t *testing.T) {
	tests := []struct {
		name, cur, amount, rate, pkr string
	}{
		{"half a paisa rounds away from zero", "USD", "0.01", "0.5", "0.01"},
		{"just under half a paisa rounds down", "USD", "0.01", "0.4999999999", "0.00"},
		{"banker's rounding would give 0.02", "USD", "0.05", "0.5", "0.03"},
		{"half a paisa on a large amount", "USD", "1234567.89", "0.0000000005", "0.00"},
		{"exactly .005 after a big product", "EUR", "100.01", "2.5", "250.03"}, // 250.025
		{"0-decimal dong at a tiny rate", "VND", "123457", "0.0108450000", "1338.89"},
		{"0-decimal yen", "JPY", "1", "1.935", "1.94"},
		{"3-decimal dinar", "KWD", "0.005", "1", "0.01"},
		{"one wei is worth nothing", "ETH", "0.000000000000000001", "900000", "0.00"},
		{"18-decimal ETH rounds on its full product", "ETH", "1.000000000000000001", "1000000.0000000005", "1000000.00"},
		{"ETH half a paisa", "ETH", "0.000000000000005", "1000", "0.00"},
		{"ETH exact half", "ETH", "0.00000005", "100000", "0.01"}, // 0.005
		{"a satoshi at a big rate", "BTC", "0.00000001", "30000000", "0.30"},
		{"very large amount", "IDR", "99999999999999999999999.99", "0.0172", "1720000000000000000000.00"},
		{"very large amount with a long rate", "USD", "9999999999999999.99", "278.6549999999", "2786549999998999997.21"},
		{"USDT micro-units just past half a paisa", "USDT", "0.000018", "280.5", "0.01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := mustOpen(t, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
			svc := New(Config{})
			seize(t, s, "1", "1", june(2, 9), amt(t, tt.cur, tt.amount))
			addRate(t, s, svc, tt.cur, tt.rate, "2025-06-01", "sbp-interbank")
			v := value(t, s, svc, "2025-06-02", ByCurrency)
			if len(v.Rows) != 1 || v.Rows[0].PKR == nil {
				t.Fatalf("rows %+v", v.Rows)
			}
			if got := *v.Rows[0].PKR; got != tt.pkr || v.TotalPKR != tt.pkr {
				t.Fatalf("%s %s × %s = %s (total %s), want %s", tt.amount, tt.cur, tt.rate, got, v.TotalPKR, tt.pkr)
			}
		})
	}
}

func TestValuationMissingRateIsNullNotZero(t *testing.T) {
	s, _ := mustOpen(t, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
	svc := New(Config{})
	seize(t, s, "1", "1", june(2, 9), amt(t, "USD", "100.00"), amt(t, "KES", "5000.00"))
	seize(t, s, "2", "1", june(2, 9), amt(t, "PKR", "1000.50"))
	addRate(t, s, svc, "USD", "280", "2025-06-01", "sbp-interbank")
	addRate(t, s, svc, "KES", "2.15", "2025-06-03", "sbp-interbank") // too late for the 2nd
	v := value(t, s, svc, "2025-06-02", ByCurrency)
	if v.Complete || strings.Join(v.MissingRates, ",") != "KES" || !strings.Contains(v.Note, "excludes") || !strings.Contains(v.Note, "KES") {
		t.Fatalf("valuation %+v should say its total excludes KES", v)
	}
	if v.TotalPKR != "29000.50" {
		t.Fatalf("total %s", v.TotalPKR)
	}
	for _, r := range v.Rows {
		switch r.Currency {
		case "KES":
			if !r.MissingRate || r.PKR != nil || r.Rate != nil || r.Amount != "5000.00" {
				t.Fatalf("KES row %+v", r)
			}
		case "PKR":
			if *r.PKR != "1000.50" || *r.Rate != "1" {
				t.Fatalf("PKR row %+v", r)
			}
		}
	}
	if v := value(t, s, svc, "2025-06-03", ByCurrency); !v.Complete || v.TotalPKR != "39750.50" {
		t.Fatalf("with the KES rate: %+v", v)
	}
}

func TestValuationGroups(t *testing.T) {
	s, _ := mustOpen(t, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
	dir := newDirectory()
	svc := New(Config{Items: dir})
	dir.add(ItemRef{ID: "1", CaseID: "10", Circle: "islamabad", Location: "islamabad:malkhana"})
	dir.add(ItemRef{ID: "2", CaseID: "10", Circle: "islamabad", Location: "islamabad:malkhana"})
	dir.add(ItemRef{ID: "3", CaseID: "9", Circle: "lahore", Location: "lahore:safe-1"})
	seize(t, s, "1", "10", june(2, 9), amt(t, "USD", "0.01"))
	seize(t, s, "2", "10", june(2, 9), amt(t, "USD", "0.01"))
	seize(t, s, "3", "9", june(2, 9), amt(t, "USD", "0.01"), amt(t, "BTC", "0.5"))
	seize(t, s, "4", "11", june(2, 9), amt(t, "USD", "0.01")) // not in the directory
	addRate(t, s, svc, "USD", "0.5", "2025-06-01", "sbp-interbank")
	addRate(t, s, svc, "BTC", "30000000", "2025-06-01", "exchange-close")

	// Rounding is per row: 4 × 0.005 rounds to 0.01 in one row, to 0.01
	// each in separate rows.
	tests := []struct {
		group string
		rows  []string
		total string
	}{
		{ByCurrency, []string{"|BTC|0.50000000|15000000.00", "|USD|0.04|0.02"}, "15000000.02"},
		{ByCase, []string{"9|BTC|0.50000000|15000000.00", "9|USD|0.01|0.01", "10|USD|0.02|0.01", "unknown|USD|0.01|0.01"}, "15000000.03"},
		{ByCircle, []string{"islamabad|USD|0.02|0.01", "lahore|BTC|0.50000000|15000000.00", "lahore|USD|0.01|0.01", "unknown|USD|0.01|0.01"}, "15000000.03"},
		{ByLocation, []string{"islamabad:malkhana|USD|0.02|0.01", "lahore:safe-1|BTC|0.50000000|15000000.00", "lahore:safe-1|USD|0.01|0.01", "unknown|USD|0.01|0.01"}, "15000000.03"},
	}
	for _, tt := range tests {
		t.Run(tt.group, func(t *testing.T) {
			v := value(t, s, svc, "2025-06-02", tt.group)
			var got []string
			for _, r := range v.Rows {
				got = append(got, fmt.Sprintf("%s%s%s|%s|%s|%s", r.CaseID, r.Circle, r.Location, r.Currency, r.Amount, *r.PKR))
			}
			if strings.Join(got, "\n") != strings.Join(tt.rows, "\n") || v.TotalPKR != tt.total {
				t.Fatalf("rows\n%s\ntotal %s; want\n%s\ntotal %s", strings.Join(got, "\n"), v.TotalPKR, strings.Join(tt.rows, "\n"), tt.total)
			}
		})
	}
	err := s.View(func(tx *ledger.Tx) error {
		_, err := svc.Value(tx, day(t, "2025-06-02"), "fir")
		return err
	})
	if e, ok := err.(*ledger.Error); !ok || e.Fields[0].Field != "group_by" {
		t.Fatalf("bad group_by: %v", err)
	}
}

func TestValuationToday(t *testing.T) {
	// As of a date that has not ended, current balances are read directly.
	now := time.Date(2025, 6, 5, 12, 0, 0, 0, time.UTC)
	s, _ := mustOpen(t, now)
	svc := New(Config{})
	seize(t, s, "1", "1", june(5, 11), amt(t, "USD", "10.00"))
	addRate(t, s, svc, "USD", "280", "2025-06-05", "sbp-interbank")
	for _, d := range []string{"2025-06-05", "2025-06-06", "2030-01-01"} {
		if v := value(t, s, svc, d, ByCurrency); v.TotalPKR != "2800.00" {
			t.Fatalf("%s: %+v", d, v)
		}
	}
	if v := value(t, s, svc, "2025-06-04", ByCurrency); v.TotalPKR != "0.00" {
		t.Fatalf("the day before: %+v", v)
	}
}

// TestValuationProperties checks, over random holdings and rates, that each
// row is amount × rate rounded half away from zero to 0.01, and that the
// total is exactly the sum of the rounded rows that have a rate.
func TestValuationProperties(t *testing.T) {
	codes := []string{"USD", "VND", "ETH", "BTC", "KWD", "JPY", "USDT"}
	rapid.Check(t, func(rt *rapid.T) {
		s, _ := mustOpen(t, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
		dir := newDirectory()
		svc := New(Config{Items: dir})
		n := rapid.IntRange(1, 12).Draw(rt, "items")
		for i := 1; i <= n; i++ {
			id := fmt.Sprint(i)
			cur := money.MustLookup(rapid.SampledFrom(codes).Draw(rt, "cur"))
			units := rapid.Int64Range(1, 1<<62).Draw(rt, "units")
			d := decimal.New(units, -rapid.Int32Range(0, cur.Scale).Draw(rt, "places"))
			a, err := money.New(cur, d)
			if err != nil {
				rt.Fatal(err)
			}
			dir.add(ItemRef{ID: id, CaseID: fmt.Sprint(rapid.IntRange(1, 3).Draw(rt, "case"))})
			seize(t, s, id, "1", june(2, 9), a)
		}
		rates := map[string]decimal.Decimal{}
		for _, c := range codes {
			if rapid.Bool().Draw(rt, "rated") {
				r := decimal.New(rapid.Int64Range(1, 1<<39).Draw(rt, "rate"), -rapid.Int32Range(0, RatePlaces).Draw(rt, "rplaces"))
				rates[c] = r
				addRate(t, s, svc, c, r.String(), "2025-06-01", "sbp-interbank")
			}
		}
		group := rapid.SampledFrom([]string{ByCurrency, ByCase}).Draw(rt, "group")
		v := value(t, s, svc, "2025-06-02", group)
		sum := decimal.Zero
		for _, r := range v.Rows {
			rate, ok := rates[r.Currency]
			if !ok {
				if !r.MissingRate || r.PKR != nil {
					rt.Fatalf("row %+v has no rate but is not marked missing", r)
				}
				continue
			}
			amount := decimal.RequireFromString(r.Amount)
			exact := amount.Mul(rate)
			// Half away from zero, by hand: the amount is positive.
			want := exact.Mul(decimal.NewFromInt(100)).Add(decimal.RequireFromString("0.5")).Floor().Div(decimal.NewFromInt(100))
			got := decimal.RequireFromString(*r.PKR)
			if !got.Equal(want) {
				rt.Fatalf("%s %s × %s = %s, want %s", r.Amount, r.Currency, rate, got, want)
			}
			sum = sum.Add(got)
		}
		if !decimal.RequireFromString(v.TotalPKR).Equal(sum) {
			rt.Fatalf("total %s, sum of rows %s", v.TotalPKR, sum)
		}
		if v.Complete != (len(v.MissingRates) == 0) {
			rt.Fatalf("complete %v with missing %v", v.Complete, v.MissingRates)
		}
	})
}

func TestCompareSeizure(t *testing.T) {
	s, _ := mustOpen(t, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
	dir := newDirectory()
	svc := New(Config{Items: dir})
	dir.add(ItemRef{ID: "1", CaseID: "7", SeizedAt: june(2, 9)})
	dir.add(ItemRef{ID: "2", CaseID: "7", SeizedAt: june(3, 9)})
	dir.add(ItemRef{ID: "3", CaseID: "8", SeizedAt: june(3, 9)})
	seize(t, s, "1", "7", june(2, 9), amt(t, "BTC", "1.00000000"))
	seize(t, s, "2", "7", june(3, 9), amt(t, "USD", "100.00"))
	seize(t, s, "3", "8", june(3, 9), amt(t, "KES", "100.00"))
	addRate(t, s, svc, "BTC", "29000000", "2025-06-01", "exchange-close")
	addRate(t, s, svc, "BTC", "31000000", "2025-06-20", "exchange-close")
	addRate(t, s, svc, "USD", "280", "2025-06-01", "sbp-interbank")
	addRate(t, s, svc, "KES", "2.1", "2025-06-10", "sbp-interbank")
	var c SeizureComparison
	if err := s.View(func(tx *ledger.Tx) (err error) {
		c, err = svc.CompareSeizure(tx, day(t, "2025-06-30"), "")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(c.Items) != 3 || *c.Items[0].AtSeizure.PKR != "29000000.00" || *c.Items[0].Current.PKR != "31000000.00" || *c.Items[0].SeizedOn != "2025-06-02" {
		t.Fatalf("item 1: %+v", c.Items[0])
	}
	if !c.Items[2].AtSeizure.MissingRate || *c.Items[2].Current.PKR != "210.00" {
		t.Fatalf("item 3: %+v", c.Items[2])
	}
	want := []CaseValue{
		{CaseID: "7", AtSeizurePKR: "29028000.00", CurrentPKR: "31028000.00"},
		{CaseID: "8", AtSeizurePKR: "0.00", AtSeizureMissing: true, CurrentPKR: "210.00"},
	}
	if fmt.Sprint(c.Cases) != fmt.Sprint(want) {
		t.Fatalf("cases %+v, want %+v", c.Cases, want)
	}
}

func TestPriceHoldings(t *testing.T) {
	s, _ := mustOpen(t, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
	svc := New(Config{})
	addRate(t, s, svc, "USD", "0.5", "2025-06-01", "sbp-interbank")
	s.View(func(tx *ledger.Tx) error {
		// Each holding rounds on its own: 0.005 + 0.005 → 0.01 + 0.01.
		total, missing, err := svc.PriceHoldings(tx, []money.Amount{amt(t, "USD", "0.01"), amt(t, "USD", "0.01"), amt(t, "PKR", "1.00")}, june(2, 23))
		if err != nil || missing != nil || total.String() != "1.02" {
			t.Fatalf("total %v missing %v err %v", total, missing, err)
		}
		total, missing, _ = svc.PriceHoldings(tx, []money.Amount{amt(t, "USD", "1.00"), amt(t, "BTC", "1")}, june(2, 23))
		if total != nil || strings.Join(missing, ",") != "BTC" {
			t.Fatalf("a missing rate gives no total: %v %v", total, missing)
		}
		_, missing, _ = svc.PriceHoldings(tx, []money.Amount{amt(t, "USD", "1.00")}, time.Date(2025, 5, 31, 23, 0, 0, 0, time.UTC))
		if strings.Join(missing, ",") != "USD" {
			t.Fatalf("before the rate: %v", missing)
		}
		return nil
	})
}

// locatingDirectory knows where items were over time: item 1 moved from the
// scene to the malkhana on 4 June.
type locatingDirectory struct{ *directory }

func (d locatingDirectory) LocationAt(_ *ledger.Tx, id string, at time.Time) (string, error) {
	if id != "1" {
		return d.items[id].Location, nil
	}
	if at.Before(june(4, 0)) {
		return "scene:f-11", nil
	}
	return "islamabad:malkhana", nil
}

// TestValuationByLocationAsOfAPastDate: an item counts where it was on the
// date asked, not where it is now.
func TestValuationByLocationAsOfAPastDate(t *testing.T) {
	s, _ := mustOpen(t, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
	dir := locatingDirectory{newDirectory()}
	svc := New(Config{Items: dir})
	dir.add(ItemRef{ID: "1", CaseID: "10", Circle: "islamabad", Location: "islamabad:malkhana"})
	seize(t, s, "1", "10", june(2, 9), amt(t, "USD", "10.00"))
	addRate(t, s, svc, "USD", "280", "2025-06-01", "sbp-interbank")
	for date, want := range map[string]string{"2025-06-03": "scene:f-11", "2025-06-05": "islamabad:malkhana"} {
		v := value(t, s, svc, date, ByLocation)
		if len(v.Rows) != 1 || v.Rows[0].Location != want {
			t.Errorf("as of %s: rows %+v, want the item at %s", date, v.Rows, want)
		}
	}
}
