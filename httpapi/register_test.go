package httpapi

import (
	"net/http"
	"testing"

	"github.com/amanat-ledger/amanat/chain/access"
)

// TestRegisterRefusesBadQueries: a date that is none, a date after today
// (the store cannot say how it will stand), a foreign cursor and an unknown
// parameter are 422 naming the parameter; readers may read, no token may not.
func TestRegisterRefusesBadQueries(t *testing.T) {
	ts := newTestServer(t)
	for _, q := range []struct{ query, field string }{
		{"as_of=2025-13-01", "as_of"},
		{"as_of=2999-01-01", "as_of"},
		{"cursor=AAAA", "cursor"},
		{"since=2025-01-01", "since"},
	} {
		wantProblem(t, ts.do(access.RoleAuditor, http.MethodGet, "/v1/register?"+q.query, ""), http.StatusUnprocessableEntity, q.field)
	}
	if rec := ts.do("", http.MethodGet, "/v1/register", ""); rec.Code != http.StatusUnauthorized {
		t.Errorf("without a token: %d", rec.Code)
	}
	for _, role := range access.Readers {
		rec := ts.do(role, http.MethodGet, "/v1/register?as_of=2025-06-01", "")
		if rec.Code != http.StatusOK || rec.Body.String() != "{\"data\":[],\"next_cursor\":null}\n" {
			t.Errorf("%s: %d %s", role, rec.Code, rec.Body)
		}
	}
}
