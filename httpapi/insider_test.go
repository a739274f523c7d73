package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/ledger"
)

// The new writes of users, tokens and custody as a careless or dishonest
// holder of a valid token would use them. Each test names what the insider
// tries and proves it is refused with nothing written.

// A scoped admin, by user token or by role token, can make no user and no
// token at all, let alone one wider than itself: every write of accounts is
// for an admin of every circle.
func TestInsiderScopedAdminCannotWidenItself(t *testing.T) {
	ts, _, _ := newUsersServer(t)
	ts.addUser("lahore-admin", []string{access.RoleAdmin}, "lahore")
	ts.addUser("ayesha", []string{access.RoleCustodian}, "lahore")
	roleKey := ts.scoped(access.RoleAdmin, "lahore")
	before := snapshot(t, ts.store)
	for _, as := range []string{"lahore-admin", roleKey} {
		for _, w := range []struct{ path, body string }{
			{"/v1/users", `{"login":"wide","roles":["admin"]}`},                            // every circle
			{"/v1/users", `{"login":"narrow","roles":["custodian"],"circles":["lahore"]}`}, // even its own
			{"/v1/users/ayesha/tokens", `{"name":"ayesha-2"}`},
			{"/v1/users/lahore-admin/tokens", `{"name":"me-again"}`},
			{"/v1/tokens", `{"role":"admin","name":"wide-admin"}`},
			{"/v1/users/ayesha/disable", ""},
			{"/v1/users/ayesha/password", `{"password":"a password of my choosing"}`},
		} {
			wantProblem(t, ts.do(as, http.MethodPost, w.path, w.body), http.StatusForbidden, "")
		}
	}
	if snapshot(t, ts.store) != before {
		t.Fatal("a scoped admin's refused write wrote")
	}
}

// A login or display name is recorded as who acted and shown on every page:
// it may not carry a wallet's secret, any more than a description may.
func TestInsiderNamesCarryNoWalletSecret(t *testing.T) {
	ts, _, _ := newUsersServer(t)
	const (
		seed = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
		wif  = "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ"
		xprv = "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi"
	)
	before := snapshot(t, ts.store)
	for _, tc := range []struct{ name, body, field string }{
		{"a seed phrase as display", fmt.Sprintf(`{"login":"x1","display":%q,"roles":["custodian"]}`, seed), "display"},
		{"a WIF as display", fmt.Sprintf(`{"login":"x2","display":%q,"roles":["custodian"]}`, "key "+wif), "display"},
		{"an xprv as display", fmt.Sprintf(`{"login":"x3","display":%q,"roles":["custodian"]}`, xprv), "display"},
		{"a WIF as login", fmt.Sprintf(`{"login":%q,"roles":["custodian"]}`, wif), "login"},
		{"an xprv as login", fmt.Sprintf(`{"login":%q,"roles":["custodian"]}`, xprv), "login"},
		{"a seed phrase as password", fmt.Sprintf(`{"login":"x4","roles":["custodian"],"password":%q}`, seed), "password"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := wantProblem(t, ts.do(access.RoleAdmin, http.MethodPost, "/v1/users", tc.body), http.StatusUnprocessableEntity, tc.field)
			if strings.Contains(p.Detail, "abandon") || strings.Contains(fmt.Sprint(p.Errors), wif) {
				t.Fatalf("the refusal repeats the secret: %+v", p)
			}
		})
	}
	if snapshot(t, ts.store) != before {
		t.Fatal("a refused user wrote")
	}
	// A token's name is recorded as who acted too.
	ts.addUser("ayesha", []string{access.RoleCustodian}, "lahore")
	wantProblem(t, ts.do(access.RoleAdmin, http.MethodPost, "/v1/users/ayesha/tokens", fmt.Sprintf(`{"name":%q}`, wif)), http.StatusUnprocessableEntity, "name")
	wantProblem(t, ts.do(access.RoleAdmin, http.MethodPost, "/v1/tokens", fmt.Sprintf(`{"role":"custodian","name":%q}`, wif)), http.StatusUnprocessableEntity, "name")
}

// rawDo sends a request without the suite's OpenAPI check (the insider's
// request is one no client should send), with a token and headers.
func rawDo(ts *testServer, as, method, target, contentType, body string, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if as != "" {
		req.Header.Set("Authorization", "Bearer "+ts.tokens[as])
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	ts.s.Echo().ServeHTTP(rec, req)
	return rec
}

// A password travels only in a body: a query string is kept by browser
// history, proxies and logs. Neither the API nor the console's forms take
// one there, not even where the form reader would fall back on it, and the
// audit log keeps no trace of its value.
func TestInsiderNoPasswordInAQueryString(t *testing.T) {
	ts := accountsServer(t)
	const pw = "correct horse battery"
	q := "?password=" + url.QueryEscape(pw)
	for _, r := range []struct{ as, target, contentType, body string }{
		{access.RoleAdmin, "/v1/users" + q, "application/json", `{"login":"qs-user","roles":["custodian"]}`},
		{access.RoleAdmin, "/v1/users/lahore-custodian/password" + q, "application/json", `{}`},
		{access.RoleAdmin, "/v1/users/lahore-custodian/password?PassWord=x", "application/json", `{"password":"a second long passphrase"}`},
	} {
		rec := rawDo(ts, r.as, http.MethodPost, r.target, r.contentType, r.body)
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(strings.ToLower(rec.Body.String()), "password") {
			t.Fatalf("POST %s: %d %s", r.target, rec.Code, rec.Body)
		}
		for _, c := range rec.Result().Cookies() {
			if c.Name == sessionCookie && c.Value != "" {
				t.Fatalf("POST %s signed in", r.target)
			}
		}
	}
	// The console's login form, with its CSRF token in the body as a
	// browser sends it, and the credentials in the query.
	for _, target := range []string{"/login?username=lahore-custodian&password=" + url.QueryEscape(pw), "/login" + q} {
		b := newBrowser(ts)
		form := url.Values{"csrf": {b.csrf("/login")}}
		if !strings.Contains(target, "username") {
			form.Set("username", "lahore-custodian")
		}
		rec := b.post(target, form)
		if rec.Code != http.StatusUnprocessableEntity || b.cookies[sessionCookie] != nil {
			t.Fatalf("POST %s: %d, session %v: %s", target, rec.Code, b.cookies[sessionCookie], rec.Body)
		}
	}
	// The audit log was written (each refusal is recorded), the accounts
	// were not: the password of lahore-custodian is unchanged.
	if _, err := ts.s.svc.Users.Authenticate(context.Background(), "lahore-custodian", pw, "10.0.0.9:1"); err != nil {
		t.Fatalf("the password changed: %v", err)
	}
	var users []byte
	_ = ts.store.View(func(tx *ledger.Tx) error {
		return tx.ForEach(ledger.AuthUsers, func(k, v []byte) error { users = append(users, v...); return nil })
	})
	if strings.Contains(string(users), "qs-user") {
		t.Fatal("a user was made from a request with a password in its query")
	}
	for _, row := range auditRows(t, ts, "") {
		if strings.Contains(row.Query, url.QueryEscape(pw)) || strings.Contains(row.Query, pw) {
			t.Fatalf("the audit log keeps a password: %+v", row)
		}
	}
}

// The audit record says who acted and from where as the server knows it:
// the token's actor and the connection's address. Headers a client sets
// (X-Forwarded-For, X-Real-IP, Forwarded, X-Request-Id) change neither, nor
// does a client choose the record's request id.
func TestInsiderCannotForgeTheAuditRecord(t *testing.T) {
	ts := newTestServer(t)
	ts.addUser("ayesha", []string{access.RoleInvestigator}, "lahore")
	forged := []string{
		"X-Forwarded-For", "203.0.113.7", "X-Real-IP", "203.0.113.8", "Forwarded", "for=203.0.113.9",
		"X-Request-Id", "req-of-someone-else", "X-Actor", "auditor:hq-auditor", "X-Remote-User", "hq-admin",
	}
	rec := rawDo(ts, "ayesha", http.MethodGet, "/v1/cases", "", "", forged...)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /v1/cases: %d %s", rec.Code, rec.Body)
	}
	id := rec.Header().Get(echo.HeaderXRequestID)
	if id == "" || id == "req-of-someone-else" {
		t.Fatalf("the answer's request id %q is the client's", id)
	}
	// A long id would otherwise be stored with every request.
	if rec := rawDo(ts, "ayesha", http.MethodGet, "/v1/cases", "", "", "X-Request-Id", strings.Repeat("r", 60000)); len(rec.Header().Get(echo.HeaderXRequestID)) > 64 {
		t.Fatalf("a client's long request id is kept")
	}
	var row *auditJSON
	for _, r := range auditRows(t, ts, "") {
		if r.Path == "/v1/cases" && r.Method == http.MethodGet && r.RequestID == id {
			row = &r
		}
		if r.RequestID == "req-of-someone-else" {
			t.Fatalf("a record carries the client's request id: %+v", r)
		}
	}
	if row == nil {
		t.Fatalf("no audit record with request id %q", id)
	}
	if row.Actor != "investigator:ayesha" || row.Remote != "192.0.2.1:1234" {
		t.Fatalf("audit record %+v: want actor investigator:ayesha from httptest's 192.0.2.1:1234", *row)
	}
}

// A disabled user's console session and tokens stop at their very next
// request, a write included, though the session was open and in use.
func TestInsiderDisabledUsersSessionStopsAtOnce(t *testing.T) {
	ts := accountsServer(t)
	tok, _, err := access.IssueToken(ts.store, access.TokenRequest{User: "lahore-custodian"}, "test")
	if err != nil {
		t.Fatal(err)
	}
	ts.tokens["lahore-custodian"] = tok
	b := newBrowser(ts)
	b.login("lahore-custodian", "correct horse battery")
	if rec := b.get("/cases"); rec.Code != http.StatusOK {
		t.Fatalf("before the disable: %d", rec.Code)
	}
	csrf := b.csrf("/seizures/new")
	if rec := ts.do("lahore-custodian", http.MethodGet, "/v1/cases", ""); rec.Code != http.StatusOK {
		t.Fatalf("the token before the disable: %d", rec.Code)
	}
	if rec := ts.do(access.RoleAdmin, http.MethodPost, "/v1/users/lahore-custodian/disable", ""); rec.Code != http.StatusOK {
		t.Fatalf("disable: %d %s", rec.Code, rec.Body)
	}
	before := snapshot(t, ts.store)
	if rec := b.get("/cases"); rec.Code != http.StatusSeeOther {
		t.Fatalf("a disabled user's next page: %d", rec.Code)
	}
	// A form the page drew before the disable, sent after it.
	rec := b.post("/seizures/new", url.Values{"csrf": {csrf}, "case_id": {"1"}, "officer": {"Inspector Ayesha Khan"}})
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login") {
		t.Fatalf("a disabled user's form: %d %s", rec.Code, rec.Body)
	}
	wantProblem(t, ts.do("lahore-custodian", http.MethodPost, "/v1/cases", `{"fir":"78/2026","circle":"lahore","title":"after the disable"}`), http.StatusUnauthorized, "")
	if snapshot(t, ts.store) != before {
		t.Fatal("a disabled user's request wrote")
	}
}

// A transfer to a circle nobody has would hide the item from its own
// circle: it is refused (422 naming location.circle and the known circles),
// for HQ too, with nothing written. A circle of a user is taken.
func TestInsiderTransferToACircleNobodyHas(t *testing.T) {
	ts := newTestServer(t)
	rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", seizureBody(mustCreateCase(t, ts, "5/2026"), "INS"))
	var rc receipt
	decode(t, rec, &rc)
	item := rc.ItemIDs[0]
	ts.addUser("lahore-custodian", []string{access.RoleCustodian}, "lahore")
	before := snapshot(t, ts.store)
	body := func(circle string) string {
		return fmt.Sprintf(`{"event":"transferred","at":%q,"from":"Inspector Ayesha Khan","to":"Malkhana In-charge","location":{"circle":%q,"building":"malkhana"}}`,
			time.Now().UTC().Add(-30*time.Minute).Format(time.RFC3339), circle)
	}
	p := wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, fmt.Sprintf("/v1/items/%d/custody", item), body("lahroe")), http.StatusUnprocessableEntity, "location.circle")
	if !strings.Contains(fmt.Sprint(p.Errors), "known circles are islamabad, lahore") {
		t.Fatalf("the refusal does not list the known circles: %+v", p.Errors)
	}
	if snapshot(t, ts.store) != before {
		t.Fatal("a refused transfer wrote")
	}
	if rec := ts.do(access.RoleCustodian, http.MethodPost, fmt.Sprintf("/v1/items/%d/custody", item), body("lahore")); rec.Code != http.StatusCreated {
		t.Fatalf("a transfer to a circle a user holds: %d %s", rec.Code, rec.Body)
	}
}

// An admin who makes a role token named as a supervisor's login would sign
// as that supervisor in the books (supervisor:tariq), approvals included:
// refused, and so is a user named as an existing role token.
func TestInsiderRoleTokenCannotSignAsAPerson(t *testing.T) {
	ts, _, _ := newUsersServer(t)
	ts.addUser("tariq", []string{access.RoleSupervisor})
	before := snapshot(t, ts.store)
	wantProblem(t, ts.do(access.RoleAdmin, http.MethodPost, "/v1/tokens", `{"role":"supervisor","name":"Tariq"}`), http.StatusUnprocessableEntity, "name")
	wantProblem(t, ts.do(access.RoleAdmin, http.MethodPost, "/v1/users", `{"login":"test-custodian","roles":["custodian"]}`), http.StatusConflict, "login")
	if snapshot(t, ts.store) != before {
		t.Fatal("a refused write wrote")
	}
}

// The console's disable is the API's: an admin signed in to the console
// cannot disable their own account either (access.Users.Disable's rule).
func TestInsiderConsoleAdminCannotDisableThemselves(t *testing.T) {
	ts := accountsServer(t)
	if _, err := ts.s.svc.Users.CreateUser(context.Background(), access.UserRequest{Login: "asma", Roles: []string{access.RoleAdmin},
		Password: "Asma's long passphrase"}, "test"); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(ts)
	b.login("asma", "Asma's long passphrase")
	before := snapshot(t, ts.store)
	rec := b.postForm("/users", "/users/ASMA/disable", nil)
	if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "your own account") {
		t.Fatalf("the console disabled its own admin: %d %s", rec.Code, rec.Body)
	}
	if snapshot(t, ts.store) != before {
		t.Fatal("a refused disable wrote")
	}
	if rec := b.postForm("/users", "/users/lahore-custodian/disable", nil); rec.Code != http.StatusOK {
		t.Fatalf("disable another user: %d %s", rec.Code, rec.Body)
	}
}
