package httpapi

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/amanat-ledger/amanat/chain/access"
)

// TestConsoleUsersPage: the admin creates a user with roles, circles and a
// password; the password is never drawn back nor stored in the clear; a
// token issued to the user is shown once and works; revoking and disabling
// take effect; other roles may not open the page; a bad request is refused
// next to its input with nothing written.
func TestConsoleUsersPage(t *testing.T) {
	ts := formsTestServer(t)
	const pw = "correct horse battery staple 42"
	if rec := ts.page(access.RoleAuditor, http.MethodGet, "/users", nil); rec.Code != http.StatusForbidden {
		t.Fatalf("an auditor opened the users page: %d", rec.Code)
	}
	before := snapshot(t, ts.store)
	bad := ts.page(access.RoleAdmin, http.MethodPost, "/users", url.Values{"login": {"bad login!"}, "roles": {"custodian"}, "password": {pw}})
	if bad.Code != http.StatusUnprocessableEntity || len(fieldErrorsOf(t, bad.Body.String(), "login")) == 0 {
		t.Fatalf("a bad login: %d %s", bad.Code, bad.Body)
	}
	if strings.Contains(bad.Body.String(), pw) {
		t.Fatal("the refused form drew the password back")
	}
	if snapshot(t, ts.store) != before {
		t.Fatal("a refused user wrote")
	}
	rec := ts.page(access.RoleAdmin, http.MethodPost, "/users", url.Values{"login": {"ayesha"}, "display": {"عائشہ خان"},
		"roles": {"custodian", "supervisor"}, "circles": {"lahore, karachi"}, "password": {pw}})
	if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), "user ayesha created") {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	body := rec.Body.String()
	if !strings.Contains(body, "custodian, supervisor") || !strings.Contains(body, "karachi,lahore") || strings.Contains(body, pw) {
		t.Fatalf("the new user's row: %s", body)
	}
	file, err := os.ReadFile(ts.store.Path())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(file, []byte(pw)) {
		t.Fatal("the password is in the store file in the clear")
	}

	issued := ts.page(access.RoleAdmin, http.MethodPost, "/users/ayesha/tokens", url.Values{"name": {"laptop"}, "expires_in_days": {"30"}})
	m := regexp.MustCompile(`<code class="token">([^<]+)</code>`).FindStringSubmatch(issued.Body.String())
	if issued.Code != http.StatusCreated || m == nil {
		t.Fatalf("issue a token: %d %s", issued.Code, issued.Body)
	}
	token := m[1]
	if again := ts.page(access.RoleAdmin, http.MethodGet, "/users", nil); strings.Contains(again.Body.String(), token) {
		t.Fatal("the token is shown again")
	}
	use := func() int {
		req, _ := http.NewRequest(http.MethodGet, "/v1/cases", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		ts.s.Echo().ServeHTTP(rec, req)
		return rec.Code
	}
	if st := use(); st != http.StatusOK {
		t.Fatalf("the issued token answers %d", st)
	}
	id := regexp.MustCompile(`<th scope="row">(\d+)</th><td>laptop</td>`).FindStringSubmatch(issued.Body.String())
	if id == nil {
		t.Fatalf("the token is not listed: %s", issued.Body)
	}
	if rec := ts.page(access.RoleAdmin, http.MethodPost, "/tokens/"+id[1]+"/revoke", url.Values{}); rec.Code != http.StatusOK {
		t.Fatalf("revoke: %d %s", rec.Code, rec.Body)
	}
	if st := use(); st != http.StatusUnauthorized {
		t.Fatalf("a revoked token answers %d", st)
	}
	if rec := ts.page(access.RoleAdmin, http.MethodPost, "/users/ayesha/disable", url.Values{}); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "<strong>disabled</strong>") {
		t.Fatalf("disable: %d %s", rec.Code, rec.Body)
	}
	if rec := ts.page(access.RoleAdmin, http.MethodPost, "/users/nobody/disable", url.Values{}); rec.Code != http.StatusNotFound {
		t.Fatalf("disable an unknown user: %d", rec.Code)
	}
}

// TestConsoleAuditPage: the auditor reads the audit log with the API's
// filters; a bad filter is refused next to its input; a custodian may not.
func TestConsoleAuditPage(t *testing.T) {
	ts := formsTestServer(t)
	mustCreateCase(t, ts.testServer, "FIR 8/2025")
	rec := ts.page(access.RoleAuditor, http.MethodGet, "/audit", nil)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "/v1/cases") {
		t.Fatalf("audit: %d %s", rec.Code, rec.Body)
	}
	if rec := ts.page(access.RoleAuditor, http.MethodGet, "/audit?item=x", nil); rec.Code != http.StatusUnprocessableEntity || len(fieldErrorsOf(t, rec.Body.String(), "item")) != 1 {
		t.Fatalf("a bad item filter: %d %s", rec.Code, rec.Body)
	}
	if rec := ts.page(access.RoleCustodian, http.MethodGet, "/audit", nil); rec.Code != http.StatusForbidden {
		t.Fatalf("a custodian read the audit log: %d", rec.Code)
	}
}
