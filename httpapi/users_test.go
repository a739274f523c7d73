package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/ledger"
)

// addUser makes a user without a password and a token of theirs, which
// ts.do sends for login.
func (ts *testServer) addUser(login string, roles []string, circles ...string) {
	ts.t.Helper()
	users, err := access.NewUsers(ts.store, access.UsersOptions{})
	if err != nil {
		ts.t.Fatal(err)
	}
	if _, err := users.CreateUser(ts.t.Context(), access.UserRequest{Login: login, Roles: roles, Circles: circles}, "test"); err != nil {
		ts.t.Fatal(err)
	}
	tok, _, err := access.IssueToken(ts.store, access.TokenRequest{User: login}, "test")
	if err != nil {
		ts.t.Fatal(err)
	}
	ts.tokens[login] = tok
}

func TestAUserTokenRecordsTheRoleItActsIn(t *testing.T) {
	ts := newTestServer(t)
	ts.addUser("ayesha", []string{access.RoleInvestigator, access.RoleCustodian})
	ts.addUser("reader", []string{access.RoleInvestigator})
	rec := ts.do("ayesha", http.MethodPost, "/v1/cases", `{"fir":"7/2025","circle":"islamabad","operation":"Grey","title":"Call centre, G-11"}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("create case: %d %s", rec.Code, rec.Body.String())
	}
	var c struct {
		CreatedBy string `json:"created_by"`
	}
	decode(t, rec, &c)
	if c.CreatedBy != "custodian:ayesha" {
		t.Fatalf("created_by %q, want custodian:ayesha: the role the write was allowed for and the login", c.CreatedBy)
	}
	p := wantProblem(t, ts.do("reader", http.MethodPost, "/v1/cases", `{"fir":"8/2025","circle":"islamabad","operation":"Grey","title":"x"}`), http.StatusForbidden, "")
	if p.Detail == "" {
		t.Fatal("no detail")
	}
	if rec := ts.do("reader", http.MethodGet, "/v1/cases", ""); rec.Code != http.StatusOK {
		t.Fatalf("a reader reading: %d", rec.Code)
	}
}

func TestDisablingAUserRefusesItsTokenAtOnce(t *testing.T) {
	ts := newTestServer(t)
	ts.addUser("ayesha", []string{access.RoleInvestigator}, "lahore")
	if rec := ts.do("ayesha", http.MethodGet, "/v1/cases", ""); rec.Code != http.StatusOK {
		t.Fatalf("before the disable: %d %s", rec.Code, rec.Body.String())
	}
	users, _ := access.NewUsers(ts.store, access.UsersOptions{})
	err := ts.store.Write(t.Context(), func(tx *ledger.Tx) error { _, err := users.Disable(tx, "ayesha", ""); return err })
	if err != nil {
		t.Fatal(err)
	}
	wantProblem(t, ts.do("ayesha", http.MethodGet, "/v1/cases", ""), http.StatusUnauthorized, "")
}

func TestActorForUser(t *testing.T) {
	ts := newTestServer(t)
	u := access.User{Login: "bilal", Roles: []string{access.RoleSupervisor, access.RoleCustodian}, Scope: access.Scope{Circles: []string{"lahore"}}}
	a := ts.s.actorForUser(u, 9)
	if a.String() != "supervisor:bilal" || a.SessionID != 9 || a.TokenID != 0 || a.User != "bilal" || a.Scope.String() != "lahore" {
		t.Fatalf("actor %+v (%s)", a, a)
	}
}

func TestOneUserWithBothRolesCannotApproveTheirOwnProposal(t *testing.T) {
	ts, _ := newApprovalServer(t)
	ts.addUser("bilal", []string{access.RoleCustodian, access.RoleSupervisor})
	rec := ts.do("bilal", http.MethodPost, "/v1/items/1/custody", returnBody())
	if rec.Code != http.StatusAccepted {
		t.Fatalf("proposal: %d %s", rec.Code, rec.Body)
	}
	var a approvalJSON
	decode(t, rec, &a)
	if a.ProposedBy != "custodian:bilal" {
		t.Fatalf("proposed_by %q, want custodian:bilal", a.ProposedBy)
	}
	p := wantProblem(t, ts.do("bilal", http.MethodPost, fmt.Sprintf("/v1/approvals/%d/approve", a.ApprovalID), ""), http.StatusForbidden, "")
	if !strings.Contains(p.Detail, "supervisor:bilal proposed") && !strings.Contains(p.Detail, "may not decide") {
		t.Fatalf("detail %q", p.Detail)
	}
}

func TestSessionActor(t *testing.T) {
	ts, _, _ := newUsersServer(t)
	ts.addUser("zainab", []string{access.RoleCustodian}, "lahore")
	users := ts.s.svc.Users
	token, sess, err := users.StartSession(t.Context(), access.User{Login: "zainab"}, "10.0.0.5:1")
	if err != nil {
		t.Fatal(err)
	}
	a, ok, err := ts.s.sessionActor(t.Context(), token)
	if err != nil || !ok || a.String() != "custodian:zainab" || a.SessionID != sess.ID || a.TokenID != 0 || a.Scope.String() != "lahore" {
		t.Fatalf("actor %+v %v %v", a, ok, err)
	}
	if err := users.EndSession(t.Context(), token); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := ts.s.sessionActor(t.Context(), token); ok || err != nil {
		t.Fatalf("an ended session: %v %v", ok, err)
	}
}
