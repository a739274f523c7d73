package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/service"
	"github.com/amanat-ledger/amanat/fixtures"
	"github.com/amanat-ledger/amanat/httpapi"
	"github.com/amanat-ledger/amanat/ledger"
)

// TestDemoTotalsAddUpByCircle loads Operation Grey and reads its totals as
// a finance user of each of its five circles and as one of every circle:
// for every grouping of the valuation, the circles' totals add up to HQ's,
// and so do the balances of every item's and case's accounts, currency by
// currency.
func TestDemoTotalsAddUpByCircle(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the whole demo")
	}
	svc, err := service.Open(filepath.Join(t.TempDir(), "amanat.db"), service.Options{Store: ledger.Options{NoSync: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Store.Close() })
	srv, err := httpapi.New(httpapi.Config{Service: svc, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if sum, err := fixtures.Load(context.Background(), srv, svc.Store); err != nil || !sum.Loaded {
		t.Fatalf("demo: %v %+v", err, sum)
	}
	circles := []string{"headquarters", "islamabad", "karachi", "lahore", "rawalpindi"}
	tokens := map[string]string{}
	err = svc.Store.Write(context.Background(), func(tx *ledger.Tx) error {
		for _, c := range append([]string{""}, circles...) {
			scope, err := access.CirclesScope()
			if c != "" {
				scope, err = access.CirclesScope(c)
			}
			if err != nil {
				return err
			}
			if tokens[c], _, err = svc.Tokens.CreateIn(tx, access.RoleFinance, "finance-"+c, "test", scope); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	get := func(circle, path string, v any) {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", "Bearer "+tokens[circle])
		rec := httptest.NewRecorder()
		srv.Echo().ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s GET %s: %d %s", circle, path, rec.Code, rec.Body)
		}
		if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
			t.Fatal(err)
		}
	}
	for _, group := range []string{"currency", "case", "circle", "location"} {
		hq := readValuation(t, func(v any) { get("", "/v1/valuation?as_of=2025-06-08&group_by="+group, v) })
		var parts []valuationSums
		for _, c := range circles {
			mine := readValuation(t, func(v any) { get(c, "/v1/valuation?as_of=2025-06-08&group_by="+group, v) })
			if mine.total.IsZero() {
				t.Fatalf("%s: %s holds nothing", group, c)
			}
			parts = append(parts, mine)
		}
		hq.mustBeSumOf(t, group, parts)
	}
	balances := func(circle string) map[string]decimal.Decimal {
		out := map[string]decimal.Decimal{}
		for cursor := ""; ; {
			var page struct {
				Data []struct{ Account, Currency, Amount string } `json:"data"`
				Next *string                                      `json:"next_cursor"`
			}
			path := "/v1/balances?limit=1000"
			if cursor != "" {
				path += "&cursor=" + cursor
			}
			get(circle, path, &page)
			for _, b := range page.Data {
				if parts := strings.Split(b.Account, ":"); len(parts) == 3 && (parts[1] == "item" || parts[1] == "case") {
					out[b.Currency] = out[b.Currency].Add(decimal.RequireFromString(b.Amount))
				}
			}
			if page.Next == nil {
				return out
			}
			cursor = *page.Next
		}
	}
	hq, sum := balances(""), map[string]decimal.Decimal{}
	for _, c := range circles {
		for cur, amt := range balances(c) {
			sum[cur] = sum[cur].Add(amt)
		}
	}
	for cur, amt := range hq {
		if !sum[cur].Equal(amt) {
			t.Fatalf("balances in %s: the circles add up to %s, HQ has %s", cur, sum[cur], amt)
		}
	}
}

// valuationSums is what a valuation answer adds up to: its PKR total, its
// rows, and the amount held per currency.
type valuationSums struct {
	total  decimal.Decimal
	rows   int
	amount map[string]decimal.Decimal
}

func readValuation(t *testing.T, get func(v any)) valuationSums {
	t.Helper()
	var v struct {
		Total string `json:"total_pkr"`
		Rows  []struct{ Currency, Amount string }
	}
	get(&v)
	out := valuationSums{total: decimal.RequireFromString(v.Total), rows: len(v.Rows), amount: map[string]decimal.Decimal{}}
	for _, r := range v.Rows {
		out.amount[r.Currency] = out.amount[r.Currency].Add(decimal.RequireFromString(r.Amount))
	}
	return out
}

// mustBeSumOf checks that parts add up to s: the amounts held exactly, in
// every currency; the PKR totals exactly when grouped by circle (no row of
// the whole is split among the parts), and otherwise within the per-row
// rounding, a paisa for each row splitting adds.
func (s valuationSums) mustBeSumOf(t *testing.T, group string, parts []valuationSums) {
	t.Helper()
	total, rows, amount := decimal.Zero, 0, map[string]decimal.Decimal{}
	for _, p := range parts {
		total, rows = total.Add(p.total), rows+p.rows
		for cur, a := range p.amount {
			amount[cur] = amount[cur].Add(a)
		}
	}
	for cur, a := range s.amount {
		if !amount[cur].Equal(a) {
			t.Fatalf("by %s: the circles hold %s %s, HQ %s", group, amount[cur], cur, a)
		}
	}
	if len(amount) != len(s.amount) {
		t.Fatalf("by %s: the circles hold %d currencies, HQ %d", group, len(amount), len(s.amount))
	}
	// Each of the whole's rows and of its parts is rounded to the paisa,
	// half away from zero: a row split in two is off by at most a paisa.
	bound := decimal.New(int64(rows-s.rows), -2)
	if group == "circle" {
		bound = decimal.Zero
	}
	if total.Sub(s.total).Abs().GreaterThan(bound) {
		t.Fatalf("by %s: the circles add up to %s PKR, HQ has %s (rounding allows %s)", group, total, s.total, bound)
	}
}
