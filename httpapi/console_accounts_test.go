package httpapi

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
		_, err := ts.s.svc.Users.Disable(tx, "lahore-custodian", "")
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

// A user of one circle gets the not-found page for another circle's item
// and case, finds neither in the lists, and its custody form for that item
// is refused as not found, writing nothing.
func TestConsoleKeepsAUserToItsCircles(t *testing.T) {
	ts := accountsServer(t)
	if rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/cases", `{"fir":"88/2025","circle":"islamabad","title":"Islamabad's own"}`); rec.Code != http.StatusCreated {
		t.Fatalf("case: %d %s", rec.Code, rec.Body)
	}
	at := time.Now().UTC().Add(-2 * time.Hour).Format(time.RFC3339)
	if rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", fmt.Sprintf(`{"case_id":1,"seized_at":%q,"location":{"building":"G-11"},
	"seized_from":"A","officer":"Inspector B","items":[{"kind":"cash","seal":"ISB-9","description":"bag","amounts":[{"currency":"USD","amount":"5.00"}]}]}`, at)); rec.Code != http.StatusCreated {
		t.Fatalf("seizure: %d %s", rec.Code, rec.Body)
	}
	b := newBrowser(ts)
	b.login("lahore-custodian", "correct horse battery")
	for _, path := range []string{"/items/1", "/cases/1"} {
		if rec := b.get(path); rec.Code != http.StatusNotFound {
			t.Errorf("lahore's custodian GET %s: %d", path, rec.Code)
		}
	}
	for _, path := range []string{"/cases", "/search?q=88", "/"} {
		if body := b.get(path).Body.String(); strings.Contains(body, "88/2025") || strings.Contains(body, "ISB-9") {
			t.Errorf("lahore's custodian sees Islamabad's case at %s", path)
		}
	}
	before := digest(t, ts.store)
	if rec := b.postForm("/", "/items/1/custody", custodyForm("stored", "location.building", "Lahore malkhana")); rec.Code != http.StatusNotFound {
		t.Errorf("lahore's custodian stores Islamabad's item: %d", rec.Code)
	}
	if digest(t, ts.store) != before {
		t.Fatal("a refused form wrote something")
	}
}
