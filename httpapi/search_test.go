package httpapi

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/chain/access"
)

type searchPage struct {
	Data []struct {
		Kind  string `json:"kind"`
		ID    uint64 `json:"id"`
		Field string `json:"field"`
		Match string `json:"match"`
	} `json:"data"`
	NextCursor *string `json:"next_cursor"`
}

// Search over HTTP: every answer is checked against openapi.yaml by
// testServer.do.
func TestSearchOverHTTP(t *testing.T) {
	ts, _ := newCustodyServer(t)
	at := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody", fmt.Sprintf(`{"event":"transferred","at":%q,"from":"Inspector Ayesha Khan","to":"Malkhana In-charge Asif","purpose":"deposit"}`, at))
	if rec.Code != http.StatusCreated {
		t.Fatalf("transfer: %d %s", rec.Code, rec.Body)
	}
	for _, tt := range []struct{ q, kind, field, match string }{
		{"7/20", "case", "fir", "7/2025"},
		{"cus", "item", "seal", "CUS-1"},
		{"AN", "item", "suspect", "Nguyen Van An"},
		{"c765", "item", "id_number", "C7654321"},
		{"asi", "item", "holder", "Malkhana In-charge Asif"},
	} {
		rec := ts.do(access.RoleInvestigator, http.MethodGet, "/v1/search?q="+tt.q, "")
		var p searchPage
		decode(t, rec, &p)
		if rec.Code != http.StatusOK || len(p.Data) != 1 || p.Data[0].Kind != tt.kind || p.Data[0].ID != 1 || p.Data[0].Field != tt.field || p.Data[0].Match != tt.match || p.NextCursor != nil {
			t.Errorf("q=%s: %d %s", tt.q, rec.Code, rec.Body)
		}
	}

	// "ayesha" is the seizing officer and a holder of item 1: two hits,
	// one a page.
	rec = ts.do(access.RoleAuditor, http.MethodGet, "/v1/search?q=ayesha&limit=1", "")
	var first searchPage
	decode(t, rec, &first)
	if len(first.Data) != 1 || first.NextCursor == nil {
		t.Fatalf("first page: %s", rec.Body)
	}
	rec = ts.do(access.RoleAuditor, http.MethodGet, "/v1/search?q=ayesha&limit=1&cursor="+*first.NextCursor, "")
	var second searchPage
	decode(t, rec, &second)
	if len(second.Data) != 1 || second.NextCursor != nil || second.Data[0].Field == first.Data[0].Field {
		t.Fatalf("second page: %s", rec.Body)
	}

	before := digest(t, ts.store)
	wantProblem(t, ts.do(access.RoleAuditor, http.MethodGet, "/v1/search?q=a", ""), http.StatusUnprocessableEntity, "q")
	wantProblem(t, ts.do(access.RoleAuditor, http.MethodGet, "/v1/search?q=%20%20%20", ""), http.StatusUnprocessableEntity, "q")
	wantProblem(t, ts.do(access.RoleAuditor, http.MethodGet, "/v1/search", ""), http.StatusUnprocessableEntity, "q")
	wantProblem(t, ts.do(access.RoleAuditor, http.MethodGet, "/v1/search?q=cus&cursor=AAAAAAAAAAE", ""), http.StatusUnprocessableEntity, "cursor")
	wantProblem(t, ts.do(access.RoleAdmin, http.MethodGet, "/v1/search?q=cus", ""), http.StatusForbidden, "")
	if digest(t, ts.store) != before {
		t.Fatal("a refused search wrote to the store")
	}
}
