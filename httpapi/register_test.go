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

// TestRegisterWithoutARateSaysSo: an item whose currency has no rate on the
// date has no value (null), never a partial or zero one, and names the
// currency.
func TestRegisterWithoutARateSaysSo(t *testing.T) {
	ts := newTestServer(t)
	caseID := mustCreateCase(t, ts, "1/2026")
	if rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", seizureBody(caseID, "REG")); rec.Code != http.StatusCreated {
		t.Fatalf("seizure: %d %s", rec.Code, rec.Body)
	}
	if rec := ts.do(access.RoleFinance, http.MethodPost, "/v1/rates", `{"currency":"USD","rate":"280.00","effective":"2020-01-01","source":"sbp-interbank"}`); rec.Code != http.StatusCreated {
		t.Fatalf("rate: %d %s", rec.Code, rec.Body)
	}
	rec := ts.do(access.RoleAuditor, http.MethodGet, "/v1/register", "")
	var page struct {
		Data []struct {
			Seal         string   `json:"seal"`
			Holdings     []any    `json:"holdings"`
			ValuePKR     *string  `json:"value_pkr"`
			MissingRates []string `json:"missing_rates"`
		} `json:"data"`
	}
	decode(t, rec, &page)
	if len(page.Data) != 2 {
		t.Fatalf("%d rows: %s", len(page.Data), rec.Body)
	}
	for _, r := range page.Data {
		if r.ValuePKR != nil || len(r.MissingRates) != 1 || len(r.Holdings) == 0 {
			t.Fatalf("%s: value %v, missing %v", r.Seal, r.ValuePKR, r.MissingRates)
		}
	}
	if got := page.Data[0].MissingRates[0] + " " + page.Data[1].MissingRates[0]; got != "VND BTC" {
		t.Errorf("missing rates %q, want VND BTC", got)
	}
}
