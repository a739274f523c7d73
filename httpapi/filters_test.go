package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/service"
	"github.com/amanat-ledger/amanat/fixtures"
	"github.com/amanat-ledger/amanat/httpapi"
	"github.com/amanat-ledger/amanat/ledger"
)

// demoLister is the demo loaded through a server, and a reader that lists
// every page of a list.
type demoLister struct {
	t     *testing.T
	srv   *httpapi.Server
	token string
}

func newDemoLister(t *testing.T) *demoLister {
	t.Helper()
	svc, err := service.Open(filepath.Join(t.TempDir(), "amanat.db"), service.Options{Store: ledger.Options{NoSync: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	srv, err := httpapi.New(httpapi.Config{Service: svc, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if sum, err := fixtures.Load(context.Background(), srv, svc.Store); err != nil || !sum.Loaded {
		t.Fatalf("load the demo: %v %+v", err, sum)
	}
	token, err := access.CreateToken(svc.Store, access.RoleInvestigator, "filters", "test")
	if err != nil {
		t.Fatal(err)
	}
	return &demoLister{t: t, srv: srv, token: token}
}

// all reads every page of path?query, limit at a time, checking that no
// page is longer than limit and that every page but the last is full.
func (d *demoLister) all(path, query string, limit int) []map[string]any {
	d.t.Helper()
	var out []map[string]any
	cursor := ""
	for pages := 0; ; pages++ {
		q := fmt.Sprintf("%s&limit=%d", query, limit)
		if cursor != "" {
			q += "&cursor=" + cursor
		}
		req := httptest.NewRequest(http.MethodGet, path+"?"+strings.TrimPrefix(q, "&"), nil)
		req.Header.Set("Authorization", "Bearer "+d.token)
		rec := httptest.NewRecorder()
		d.srv.Echo().ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			d.t.Fatalf("GET %s: %d %s", req.URL, rec.Code, rec.Body)
		}
		var page struct {
			Data       []map[string]any `json:"data"`
			NextCursor *string          `json:"next_cursor"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil {
			d.t.Fatal(err)
		}
		if len(page.Data) > limit || page.NextCursor != nil && len(page.Data) != limit {
			d.t.Fatalf("GET %s: a page of %d, limit %d, next %v", req.URL, len(page.Data), limit, page.NextCursor)
		}
		out = append(out, page.Data...)
		if page.NextCursor == nil {
			return out
		}
		if pages > 1000 {
			d.t.Fatal("the cursor never ends")
		}
		cursor = *page.NextCursor
	}
}

func ids(rows []map[string]any) []int {
	out := make([]int, 0, len(rows))
	for _, r := range rows {
		out = append(out, int(r["id"].(float64)))
	}
	return out
}

// TestItemFiltersOnTheDemo checks each filter of GET /v1/items, paged two
// at a time, against the unfiltered list filtered here by the rule the
// description states.
func TestItemFiltersOnTheDemo(t *testing.T) {
	d := newDemoLister(t)
	cases := d.all("/v1/cases", "", 1000)
	caseCircle := map[int]string{}
	for _, c := range cases {
		caseCircle[int(c["id"].(float64))] = c["circle"].(string)
	}
	items := d.all("/v1/items", "", 1000)
	if len(items) < 10 {
		t.Fatalf("the demo has %d items", len(items))
	}
	circleOf := func(it map[string]any) string {
		if c, _ := it["location"].(map[string]any)["circle"].(string); c != "" {
			return c
		}
		return caseCircle[int(it["case_id"].(float64))]
	}
	holds := func(it map[string]any, cur string) bool {
		for _, b := range it["balances"].([]any) {
			b := b.(map[string]any)
			if b["currency"] == cur && strings.Trim(strings.ReplaceAll(b["amount"].(string), ".", ""), "0-") != "" {
				return true
			}
		}
		return false
	}
	seized := func(it map[string]any) time.Time {
		at, err := time.Parse(time.RFC3339, it["seized_at"].(string))
		if err != nil {
			t.Fatal(err)
		}
		return at
	}
	name := func(it map[string]any) string { return it["seized_from"].(map[string]any)["name"].(string) }
	first := items[0]
	mid := seized(items[len(items)/2]).UTC().Format(time.DateOnly)
	midDay, _ := time.Parse(time.DateOnly, mid)
	prefix := strings.ToUpper(name(first)[:3])
	filters := []struct {
		query string
		keep  func(map[string]any) bool
	}{
		{"status=in_custody", func(it map[string]any) bool { return it["status"] == "in_custody" }},
		{"status=forfeited", func(it map[string]any) bool { return it["status"] == "forfeited" }},
		{"status=returned", func(it map[string]any) bool { return it["status"] == "returned" }},
		{"circle=" + circleOf(first), func(it map[string]any) bool { return circleOf(it) == circleOf(first) }},
		{"circle=lahore", func(it map[string]any) bool { return circleOf(it) == "lahore" }},
		{"kind=wallet", func(it map[string]any) bool { return it["kind"] == "wallet" }},
		{"currency=USD", func(it map[string]any) bool { return holds(it, "USD") }},
		{"currency=BTC", func(it map[string]any) bool { return holds(it, "BTC") }},
		{"holder=" + url.QueryEscape(first["holder"].(string)), func(it map[string]any) bool { return it["holder"] == first["holder"] }},
		{"seized_from=" + url.QueryEscape(prefix), func(it map[string]any) bool {
			return strings.HasPrefix(strings.ToLower(name(it)), strings.ToLower(prefix))
		}},
		{"seized_after=" + mid, func(it map[string]any) bool { return !seized(it).Before(midDay) }},
		{"seized_before=" + mid, func(it map[string]any) bool { return seized(it).Before(midDay) }},
		{"currency=USD&status=in_custody&seized_before=" + mid, func(it map[string]any) bool {
			return holds(it, "USD") && it["status"] == "in_custody" && seized(it).Before(midDay)
		}},
	}
	for _, f := range filters {
		t.Run(f.query, func(t *testing.T) {
			var want []int
			for _, it := range items {
				if f.keep(it) {
					want = append(want, int(it["id"].(float64)))
				}
			}
			got := ids(d.all("/v1/items", f.query, 2))
			if !slices.Equal(got, want) {
				t.Fatalf("got items %v, want %v", got, want)
			}
			if len(want) == 0 && !strings.Contains(f.query, "lahore") && !strings.Contains(f.query, "returned") {
				t.Fatalf("the filter selects nothing of the demo, so it tests nothing")
			}
		})
	}
}

// TestCaseFiltersOnTheDemo: circle and the registration dates.
func TestCaseFiltersOnTheDemo(t *testing.T) {
	d := newDemoLister(t)
	all := d.all("/v1/cases", "", 1000)
	created := func(c map[string]any) string { return c["created"].(string)[:10] }
	day := created(all[0])
	for _, f := range []struct {
		query string
		keep  func(map[string]any) bool
	}{
		{"circle=islamabad", func(c map[string]any) bool { return c["circle"] == "islamabad" }},
		{"circle=karachi", func(c map[string]any) bool { return c["circle"] == "karachi" }},
		{"from=" + day, func(c map[string]any) bool { return created(c) >= day }},
		{"to=" + day, func(c map[string]any) bool { return created(c) <= day }},
		{"from=2999-01-01", func(map[string]any) bool { return false }},
		{"circle=islamabad&from=2000-01-01&to=" + day, func(c map[string]any) bool { return c["circle"] == "islamabad" && created(c) <= day }},
	} {
		t.Run(f.query, func(t *testing.T) {
			var want []int
			for _, c := range all {
				if f.keep(c) {
					want = append(want, int(c["id"].(float64)))
				}
			}
			if got := ids(d.all("/v1/cases", f.query, 2)); !slices.Equal(got, want) {
				t.Fatalf("got cases %v, want %v", got, want)
			}
		})
	}
}
