package httpapi

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/service"
)

// lockedBuffer is a log sink for concurrent handlers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// newUsersServer is a test server whose server and user logs both go to
// the returned buffer, with cheap password hashes.
func newUsersServer(t *testing.T) (*testServer, *lockedBuffer, string) {
	t.Helper()
	logs := &lockedBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	path := filepath.Join(t.TempDir(), "api.db")
	svc, err := service.Open(path, service.Options{Users: access.UsersOptions{
		Password: access.PasswordParams{Time: 1, MemoryKiB: 64, Threads: 1, SaltLen: 16, KeyLen: 32}, Log: log}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Store.Close() })
	ts := serveTest(t, svc)
	if ts.s, err = New(Config{Service: svc, Logger: log}); err != nil {
		t.Fatal(err)
	}
	return ts, logs, path
}

const farahPassword = "Farah's console passphrase 7"

func TestUserAdminAPI(t *testing.T) {
	ts, logs, path := newUsersServer(t)
	body := fmt.Sprintf(`{"login":"farah","display":"فرح ناز","roles":["finance","auditor"],"circles":["lahore"],"password":%q}`, farahPassword)
	rec := ts.do(access.RoleAdmin, http.MethodPost, "/v1/users", body)
	if rec.Code != http.StatusCreated || strings.Contains(rec.Body.String(), "argon2") || strings.Contains(rec.Body.String(), farahPassword) {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	var u userJSON
	decode(t, rec, &u)
	if u.Login != "farah" || u.CreatedBy != "admin:test-admin" || u.AllCircles || strings.Join(u.Circles, ",") != "lahore" || u.Disabled != nil {
		t.Fatalf("user %+v", u)
	}
	wantProblem(t, ts.do(access.RoleAdmin, http.MethodPost, "/v1/users", strings.Replace(body, `"farah"`, `"Farah"`, 1)), http.StatusConflict, "")

	rec = ts.do(access.RoleAdmin, http.MethodGet, "/v1/users", "")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"login":"farah"`) {
		t.Fatalf("list: %d %s", rec.Code, rec.Body)
	}
	if rec := ts.do(access.RoleAdmin, http.MethodGet, "/v1/users/FARAH", ""); rec.Code != http.StatusOK {
		t.Fatalf("get in another case: %d %s", rec.Code, rec.Body)
	}
	wantProblem(t, ts.do(access.RoleAdmin, http.MethodGet, "/v1/users/nobody", ""), http.StatusNotFound, "")

	rec = ts.do(access.RoleAdmin, http.MethodPost, "/v1/users/farah/tokens", `{"name":"farah-laptop","expires_in_days":30}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("token: %d %s", rec.Code, rec.Body)
	}
	var tok tokenJSON
	decode(t, rec, &tok)
	if !strings.HasPrefix(tok.Token, access.TokenPrefix) || tok.User == nil || *tok.User != "farah" || tok.Expires == nil || tok.Name != "farah-laptop" {
		t.Fatalf("token answer %s", rec.Body)
	}
	ts.tokens["farah"] = tok.Token
	if rec := ts.do("farah", http.MethodGet, "/v1/rates", ""); rec.Code != http.StatusOK {
		t.Fatalf("farah's token: %d %s", rec.Code, rec.Body)
	}
	wantProblem(t, ts.do(access.RoleAdmin, http.MethodPost, "/v1/users/farah/tokens", `{"expires_in_days":400}`), http.StatusUnprocessableEntity, "expires_in_days")
	wantProblem(t, ts.do(access.RoleAdmin, http.MethodPost, "/v1/users/nobody/tokens", `{}`), http.StatusNotFound, "")
	rec = ts.do(access.RoleAdmin, http.MethodGet, "/v1/tokens", "")
	if !strings.Contains(rec.Body.String(), `"user":"farah"`) || strings.Contains(rec.Body.String(), tok.Token) {
		t.Fatalf("token list: %s", rec.Body)
	}

	wantProblem(t, ts.do(access.RoleAdmin, http.MethodPost, "/v1/users/farah/password", `{"password":"short"}`), http.StatusUnprocessableEntity, "password")
	if rec := ts.do(access.RoleAdmin, http.MethodPost, "/v1/users/farah/password", `{"password":"a second long passphrase"}`); rec.Code != http.StatusOK {
		t.Fatalf("password: %d %s", rec.Code, rec.Body)
	}
	if _, err := ts.s.svc.Users.Authenticate(t.Context(), "farah", "a second long passphrase", "10.1.1.1:9"); err != nil {
		t.Fatalf("the new password: %v", err)
	}
	if _, err := ts.s.svc.Users.Authenticate(t.Context(), "farah", farahPassword, "10.1.1.1:9"); err == nil {
		t.Fatal("the old password still works")
	}
	session, _, err := ts.s.svc.Users.StartSession(t.Context(), access.User{Login: "farah"}, "10.1.1.1:9")
	if err != nil {
		t.Fatal(err)
	}

	rec = ts.do(access.RoleAdmin, http.MethodPost, "/v1/users/farah/disable", "")
	decode(t, rec, &u)
	if rec.Code != http.StatusOK || u.Disabled == nil {
		t.Fatalf("disable: %d %s", rec.Code, rec.Body)
	}
	wantProblem(t, ts.do("farah", http.MethodGet, "/v1/rates", ""), http.StatusUnauthorized, "")
	if _, _, ok, _ := ts.s.svc.Users.Session(t.Context(), session); ok {
		t.Fatal("a disabled user's session still works")
	}
	wantProblem(t, ts.do(access.RoleAdmin, http.MethodPost, "/v1/users/farah/tokens", `{}`), http.StatusConflict, "")

	// Passwords are nowhere in the clear: not in the log, not in the file.
	if out := logs.String(); strings.Contains(out, farahPassword) || strings.Contains(out, "a second long passphrase") ||
		!strings.Contains(out, "login failed") {
		t.Fatalf("the log:\n%s", out)
	}
	ts.store.Close()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{farahPassword, "a second long passphrase", tok.Token, session} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Fatalf("the store file holds %q", secret)
		}
	}
}

func TestUserAdminRefusals(t *testing.T) {
	ts, _, _ := newUsersServer(t)
	ts.addUser("asma", []string{access.RoleAdmin})
	before := snapshot(t, ts.store)
	for _, tc := range []struct{ name, body, field string }{
		{"no login", `{"roles":["custodian"]}`, "login"},
		{"no role", `{"login":"x"}`, "roles"},
		{"a bad circle", `{"login":"x","roles":["custodian"],"circles":["Lahore City"]}`, "circles"},
		{"a short password", `{"login":"x","roles":["custodian"],"password":"123"}`, "password"},
		{"an unknown field", `{"login":"x","roles":["custodian"],"scope":"all"}`, "scope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantProblem(t, ts.do("asma", http.MethodPost, "/v1/users", tc.body), http.StatusUnprocessableEntity, tc.field)
		})
	}
	wantProblem(t, ts.do("asma", http.MethodPost, "/v1/users", `{"login":"x","roles":["custodian"],"password":"long enough password"}`,
		"Idempotency-Key", "u-1"), http.StatusUnprocessableEntity, "Idempotency-Key")
	wantProblem(t, ts.do("asma", http.MethodPost, "/v1/users/asma/disable", ""), http.StatusConflict, "")
	if snapshot(t, ts.store) != before {
		t.Fatal("a refused request wrote")
	}
	if rec := ts.do("asma", http.MethodGet, "/v1/users", ""); rec.Code != http.StatusOK {
		t.Fatalf("asma after the refusals: %d", rec.Code)
	}
}
