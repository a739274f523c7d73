package httpapi

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/ledger"
)

// fakeAccounts stands in for user accounts in the console's handler tests:
// one user per role ("test-custodian", password "pw-custodian"), scope all,
// plus any a test adds.
type fakeAccounts struct {
	mu       sync.Mutex
	users    map[string]fakeUser
	sessions map[string]string // token -> login
}

type fakeUser struct {
	password string
	user     consoleUser
	disabled bool
}

func newFakeAccounts() *fakeAccounts {
	f := &fakeAccounts{users: map[string]fakeUser{}, sessions: map[string]string{}}
	for _, role := range access.Roles {
		f.add("test-"+role, "pw-"+role, role, access.AllCircles)
	}
	return f
}

func (f *fakeAccounts) add(login, password, role string, scope access.Scope) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users[login] = fakeUser{password: password, user: consoleUser{Login: login, Display: "User " + login, Role: role, Roles: []string{role}, Scope: scope}}
}

func (f *fakeAccounts) signIn(_ echo.Context, login, password string) (string, consoleUser, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u, ok := f.users[login]
	if !ok || u.password != password || u.disabled {
		return "", consoleUser{}, ledger.Errorf(ledger.EUnauthorized, "no")
	}
	b := make([]byte, 16)
	rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	f.sessions[tok] = login
	return tok, u.user, nil
}

func (f *fakeAccounts) session(_ echo.Context, token string) (consoleUser, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	login, ok := f.sessions[token]
	if !ok || f.users[login].disabled {
		return consoleUser{}, false, nil
	}
	return f.users[login].user, true, nil
}

func (f *fakeAccounts) signOut(_ echo.Context, token string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.sessions, token)
	return nil
}

// consoleServer is a test server whose console signs in fakeAccounts'
// users.
func consoleServer(t testing.TB) (*testServer, *fakeAccounts) {
	t.Helper()
	ts := newTestServer(t)
	f := newFakeAccounts()
	ts.s.accounts = f
	return ts, f
}

// browser is a cookie jar over a test server's router: what a browser
// keeps between console requests.
type browser struct {
	t       testing.TB
	ts      *testServer
	cookies map[string]*http.Cookie
}

func newBrowser(ts *testServer) *browser {
	return &browser{t: ts.t, ts: ts, cookies: map[string]*http.Cookie{}}
}

// send sends one request with the jar's cookies and keeps the cookies the
// answer sets; it follows no redirect.
func (b *browser) send(req *http.Request) *httptest.ResponseRecorder {
	b.t.Helper()
	for _, c := range b.cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	b.ts.s.Echo().ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	return rec
}

func (b *browser) get(path string) *httptest.ResponseRecorder {
	b.t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept", "text/html")
	return b.send(req)
}

// post sends form as a form does; it does not add the CSRF field (postForm
// does).
func (b *browser) post(path string, form url.Values) *httptest.ResponseRecorder {
	b.t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	return b.send(req)
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the CSRF token of the form on page.
func (b *browser) csrf(page string) string {
	b.t.Helper()
	rec := b.get(page)
	m := csrfInput.FindStringSubmatch(rec.Body.String())
	if m == nil {
		b.t.Fatalf("GET %s (%d) has no csrf field: %s", page, rec.Code, rec.Body.String())
	}
	return m[1]
}

// postForm posts form with the CSRF token of the form page (GET) shows.
func (b *browser) postForm(page, action string, form url.Values) *httptest.ResponseRecorder {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", b.csrf(page))
	return b.post(action, form)
}

// login signs in as login with password through the login form and fails
// the test unless it is sent on.
func (b *browser) login(login, password string) {
	b.t.Helper()
	rec := b.postForm("/login", "/login", url.Values{"username": {login}, "password": {password}})
	if rec.Code != http.StatusSeeOther {
		b.t.Fatalf("sign in as %s: %d %s", login, rec.Code, rec.Body.String())
	}
}

// consoleAs is a browser signed in as the fake user of role.
func consoleAs(ts *testServer, role string) *browser {
	b := newBrowser(ts)
	b.login("test-"+role, "pw-"+role)
	return b
}
