package httpapi

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/ledger"
)

func TestAlertsOverHTTP(t *testing.T) {
	later := time.Now().Add(48 * time.Hour)
	ts := serveTest(t, openTestService(t, t.TempDir(), ledger.Options{Now: func() time.Time { return later }}))
	rec := ts.do(access.RoleInvestigator, http.MethodGet, "/v1/alerts", "")
	if rec.Code != http.StatusOK || rec.Body.String() != "{\"data\":[],\"next_cursor\":null}\n" {
		t.Fatalf("alerts of an empty store: %d %s", rec.Code, rec.Body)
	}
	caseID := mustCreateCase(t, ts, "20/2025")
	if rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", seizureBody(caseID, "AL")); rec.Code != http.StatusCreated {
		t.Fatalf("seizure: %d %s", rec.Code, rec.Body)
	}
	type alert struct {
		Rule, Currency, Detail string
		ItemID                 uint64 `json:"item_id"`
		Since                  time.Time
	}
	var all []alert
	cursor := ""
	for range 10 {
		path := "/v1/alerts?limit=2"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		rec := ts.do(access.RoleAuditor, http.MethodGet, path, "")
		var page struct {
			Data       []alert
			NextCursor *string `json:"next_cursor"`
		}
		decode(t, rec, &page)
		all = append(all, page.Data...)
		if page.NextCursor == nil {
			break
		}
		cursor = *page.NextCursor
	}
	// Three held currencies without a rate, then both items not deposited
	// two days after their seizure.
	want := []alert{{Rule: "stale-rate", Currency: "BTC"}, {Rule: "stale-rate", Currency: "USD"}, {Rule: "stale-rate", Currency: "VND"},
		{Rule: "not-deposited", ItemID: 1}, {Rule: "not-deposited", ItemID: 2}}
	if len(all) != len(want) {
		t.Fatalf("alerts %+v", all)
	}
	for i, w := range want {
		if all[i].Rule != w.Rule || all[i].Currency != w.Currency || all[i].ItemID != w.ItemID || all[i].Detail == "" || all[i].Since.IsZero() {
			t.Fatalf("alert %d: %+v, want %+v", i, all[i], w)
		}
	}
	wantProblem(t, ts.do(access.RoleAuditor, http.MethodGet, "/v1/alerts?cursor=AAAAAAAAAAE", ""), http.StatusUnprocessableEntity, "cursor")
	wantProblem(t, ts.do(access.RoleAdmin, http.MethodGet, "/v1/alerts", ""), http.StatusForbidden, "")
}
