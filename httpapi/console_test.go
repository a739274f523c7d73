package httpapi

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/amanat-ledger/amanat/chain/access"
)

func TestConsoleNeedsASession(t *testing.T) {
	ts, _ := consoleServer(t)
	b := newBrowser(ts)
	for path, want := range map[string]string{
		"/":        "/login",
		"/?page=2": "/login?next=" + url.QueryEscape("/?page=2"),
	} {
		rec := b.get(path)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != want {
			t.Errorf("GET %s: %d to %q, want 303 to %q", path, rec.Code, rec.Header().Get("Location"), want)
		}
	}
	// A POST without a session never reaches its handler.
	if rec := b.post("/logout", url.Values{}); rec.Code != http.StatusSeeOther {
		t.Errorf("POST /logout without a session: %d", rec.Code)
	}
}

func TestConsoleLoginSetsASessionCookieAndGoesOn(t *testing.T) {
	ts, _ := consoleServer(t)
	b := newBrowser(ts)
	rec := b.postForm("/login", "/login", url.Values{"username": {"test-auditor"}, "password": {"pw-auditor"}, "next": {"/cases?x=1"}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/cases?x=1" {
		t.Fatalf("sign in: %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	ck := b.cookies[sessionCookie]
	if ck == nil {
		t.Fatal("no session cookie")
	}
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Secure {
		t.Errorf("session cookie %+v: want HttpOnly, SameSite=Lax, Path=/, not Secure without TLS", ck)
	}
	if _, ok := b.cookies[csrfCookie]; ok {
		t.Error("the login form's CSRF cookie outlives the sign-in")
	}
	page := b.get("/")
	if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), "User test-auditor") {
		t.Fatalf("dashboard after sign-in: %d %s", page.Code, page.Body.String())
	}
	for _, h := range []string{"Content-Security-Policy", "X-Frame-Options", "Cache-Control"} {
		if page.Header().Get(h) == "" {
			t.Errorf("console page lacks %s", h)
		}
	}
	if strings.Contains(page.Body.String(), ck.Value) {
		t.Error("the page shows the session token")
	}
}

func TestConsoleSessionCookieIsSecureUnderTLS(t *testing.T) {
	ts, _ := consoleServer(t)
	ts.s.tls = true
	b := consoleAs(ts, access.RoleAuditor)
	if ck := b.cookies[sessionCookie]; ck == nil || !ck.Secure {
		t.Fatalf("session cookie under TLS: %+v", ck)
	}
}

func TestConsoleLoginRefusals(t *testing.T) {
	ts, f := consoleServer(t)
	f.users["test-disabled"] = fakeUser{password: "pw", disabled: true}
	var first string
	for _, c := range []struct{ name, user, pass string }{
		{"wrong password", "test-auditor", "nope"},
		{"no such user", "nobody", "pw-auditor"},
		{"disabled", "test-disabled", "pw"},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := newBrowser(ts)
			rec := b.postForm("/login", "/login", url.Values{"username": {c.user}, "password": {c.pass}})
			if rec.Code != http.StatusUnauthorized || b.cookies[sessionCookie] != nil {
				t.Fatalf("%d, session %v", rec.Code, b.cookies[sessionCookie])
			}
			body := rec.Body.String()
			if !strings.Contains(body, loginFailed) {
				t.Errorf("page does not say %q: %s", loginFailed, body)
			}
			msg := body[strings.Index(body, "<main"):]
			msg = strings.ReplaceAll(msg, c.user, "USER")
			msg = csrfInput.ReplaceAllString(msg, "CSRF")
			if first == "" {
				first = msg
			} else if msg != first {
				t.Errorf("failures read differently:\n%s\n%s", first, msg)
			}
		})
	}
}

func TestConsoleLoginNeedsItsCSRFToken(t *testing.T) {
	ts, _ := consoleServer(t)
	b := newBrowser(ts)
	b.get("/login")
	for name, token := range map[string]string{"none": "", "another": "x" + b.cookies[csrfCookie].Value} {
		rec := b.post("/login", url.Values{"username": {"test-auditor"}, "password": {"pw-auditor"}, "csrf": {token}})
		if rec.Code != http.StatusForbidden || b.cookies[sessionCookie] != nil {
			t.Errorf("csrf %s: %d, session %v", name, rec.Code, b.cookies[sessionCookie])
		}
	}
}

func TestConsolePostsNeedTheSessionsCSRFToken(t *testing.T) {
	ts, f := consoleServer(t)
	b := consoleAs(ts, access.RoleAuditor)
	other := consoleAs(ts, access.RoleFinance)
	for name, token := range map[string]string{"none": "", "another session's": other.csrf("/")} {
		rec := b.post("/logout", url.Values{"csrf": {token}})
		if rec.Code != http.StatusForbidden {
			t.Errorf("logout with %s token: %d", name, rec.Code)
		}
	}
	if len(f.sessions) != 2 {
		t.Fatalf("a refused logout ended a session: %d left", len(f.sessions))
	}
}

func TestConsoleLogoutEndsTheSession(t *testing.T) {
	ts, f := consoleServer(t)
	b := consoleAs(ts, access.RoleAuditor)
	token := b.cookies[sessionCookie].Value
	rec := b.postForm("/", "/logout", nil)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login" {
		t.Fatalf("logout: %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	if _, live := f.sessions[token]; live {
		t.Fatal("the session is live on the server after logout")
	}
	if page := b.get("/login"); !strings.Contains(page.Body.String(), "You are signed out.") {
		t.Errorf("login page after logout: %s", page.Body.String())
	}
	// The old cookie, replayed, is no longer a session.
	b.cookies[sessionCookie] = &http.Cookie{Name: sessionCookie, Value: token}
	if rec := b.get("/"); rec.Code != http.StatusSeeOther {
		t.Errorf("old cookie after logout: %d", rec.Code)
	}
}

func TestConsoleEndedSessionSaysSo(t *testing.T) {
	ts, f := consoleServer(t)
	b := consoleAs(ts, access.RoleAuditor)
	f.users["test-auditor"] = fakeUser{password: "pw-auditor", disabled: true}
	rec := b.get("/?x=1")
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login?next=") {
		t.Fatalf("disabled user's page: %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	if page := b.get(rec.Header().Get("Location")); !strings.Contains(page.Body.String(), "Your session has ended") {
		t.Errorf("login page does not say the session ended: %s", page.Body.String())
	}
}

func TestLocalPath(t *testing.T) {
	for next, want := range map[string]string{
		"":                      "/",
		"/cases/3":              "/cases/3",
		"/search?q=a%20b":       "/search?q=a%20b",
		"//evil.example/":       "/",
		"/\\evil.example":       "/",
		"https://evil.example/": "/",
		"cases":                 "/",
		"/login?next=/x":        "/",
		"/%0d%0aSet-Cookie:x":   "/%0d%0aSet-Cookie:x",
		"/\r\nLocation: x":      "/",
		"javascript:alert(1)":   "/",
	} {
		if got := localPath(next); got != want {
			t.Errorf("localPath(%q) = %q, want %q", next, got, want)
		}
	}
}

func TestConsoleLeavesTheAPIAlone(t *testing.T) {
	ts, _ := consoleServer(t)
	wantProblem(t, ts.do(access.RoleAuditor, http.MethodGet, "/v1/nope", ""), http.StatusNotFound, "")
	wantProblem(t, ts.do(access.RoleAuditor, http.MethodDelete, "/v1/cases", ""), http.StatusMethodNotAllowed, "")
	wantProblem(t, ts.do("", http.MethodGet, "/v1/cases", ""), http.StatusUnauthorized, "")
	b := consoleAs(ts, access.RoleAuditor)
	if rec := b.get("/no-such-page"); rec.Code != http.StatusNotFound || !strings.Contains(rec.Header().Get("Content-Type"), "text/html") {
		t.Errorf("unknown console page: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	if rec := b.get("/static/console.css"); rec.Code != http.StatusOK {
		t.Errorf("stylesheet: %d", rec.Code)
	}
}
