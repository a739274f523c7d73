package httpapi

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/service"
	"github.com/amanat-ledger/amanat/ledger"
)

// accountsServer is a test server whose console signs in the store's own
// user accounts, with one user: lahore-custodian (scope lahore).
func accountsServer(t *testing.T) *testServer {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := service.Open(filepath.Join(t.TempDir(), "api.db"), service.Options{Store: ledger.Options{NoSync: true},
		Users: access.UsersOptions{Password: access.PasswordParams{Time: 1, MemoryKiB: 64, Threads: 1, SaltLen: 16, KeyLen: 32}, MaxFailures: 3, Log: quiet}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Store.Close() })
	if _, err := svc.Users.CreateUser(context.Background(), access.UserRequest{Login: "lahore-custodian", Display: "لاہور محافظ",
		Roles: []string{access.RoleCustodian}, Circles: []string{"lahore"}, Password: "correct horse battery"}, "test"); err != nil {
		t.Fatal(err)
	}
	return serveTest(t, svc)
}

func TestConsoleSignsInTheStoresAccounts(t *testing.T) {
	ts := accountsServer(t)
	b := newBrowser(ts)
	b.login("lahore-custodian", "correct horse battery")
	token := b.cookies[sessionCookie].Value
	if !strings.HasPrefix(token, access.SessionPrefix) {
		t.Fatalf("session cookie %q is not a session token", token)
	}
	page := b.get("/")
	if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), `<span dir="auto">لاہور محافظ</span>`) || !strings.Contains(page.Body.String(), "custodian, lahore") {
		t.Fatalf("dashboard: %d %s", page.Code, page.Body.String())
	}
	b.postForm("/", "/logout", nil)
	if _, _, live, err := ts.s.svc.Users.Session(context.Background(), token); err != nil || live {
		t.Fatalf("after logout the session is live: %v %v", live, err)
	}
}

func TestConsoleDisabledUserIsSentToLogin(t *testing.T) {
	ts := accountsServer(t)
	b := newBrowser(ts)
	b.login("lahore-custodian", "correct horse battery")
	if err := ts.store.Write(context.Background(), func(tx *ledger.Tx) error {
		_, err := ts.s.svc.Users.Disable(tx, "lahore-custodian")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	rec := b.get("/cases")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login?next=%2Fcases" {
		t.Fatalf("a disabled user's page: %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	if page := b.get("/login?next=%2Fcases"); !strings.Contains(page.Body.String(), "Your session has ended") {
		t.Error("the login page does not say the session ended")
	}
	rec = b.postForm("/login", "/login", url.Values{"username": {"lahore-custodian"}, "password": {"correct horse battery"}})
	if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), loginFailed) {
		t.Errorf("a disabled user signs in: %d", rec.Code)
	}
}

func TestConsoleLockedLoginSaysWhenToRetry(t *testing.T) {
	ts := accountsServer(t)
	b := newBrowser(ts)
	for range 3 {
		if rec := b.postForm("/login", "/login", url.Values{"username": {"lahore-custodian"}, "password": {"wrong"}}); rec.Code != http.StatusUnauthorized {
			t.Fatalf("a wrong password: %d", rec.Code)
		}
	}
	// Locked now: even the right password is not tried.
	rec := b.postForm("/login", "/login", url.Values{"username": {"lahore-custodian"}, "password": {"correct horse battery"}})
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), "try again in 15m0s") {
		t.Fatalf("locked login: %d Retry-After %q: %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body.String())
	}
	if b.cookies[sessionCookie] != nil {
		t.Fatal("a locked login got a session")
	}
}

// A user with two roles acts in the one each page needs, as the API does,
// and still may not approve their own proposal.
func TestConsoleUserWithTwoRoles(t *testing.T) {
	ts, _ := newApprovalServer(t)
	if _, err := ts.s.svc.Users.CreateUser(context.Background(), access.UserRequest{Login: "zainab", Roles: []string{access.RoleCustodian, access.RoleSupervisor},
		Password: "correct horse battery"}, "test"); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(ts)
	b.login("zainab", "correct horse battery")
	if page := b.get("/items/1").Body.String(); !strings.Contains(page, `id="form-returned"`) {
		t.Fatal("a custodian and supervisor is offered no custody form")
	}
	rec := b.postForm("/items/1", "/items/1/custody", custodyForm("returned", "to", "Nguyen Van An", "court_order_id", "1", "remarks", "to the owner"))
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("proposal: %d %s", rec.Code, rec.Body.String())
	}
	if page := b.get("/approvals").Body.String(); !strings.Contains(page, "Approve proposal 1") {
		t.Fatal("a supervisor is offered no approve button")
	}
	rec = b.postForm("/approvals", "/approvals/1/approve", nil)
	if rec.Code != http.StatusForbidden || !strings.Contains(pageText(rec.Body.String()), "may not decide it") {
		t.Fatalf("approving one's own proposal: %d %s", rec.Code, pageText(rec.Body.String()))
	}
}
