package access

import (
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/ledger"
)

func (e *userEnv) issue(t testing.TB, req TokenRequest) (string, TokenRecord) {
	t.Helper()
	tokens, err := NewTokens(e.store)
	if err != nil {
		t.Fatal(err)
	}
	var token string
	var rec TokenRecord
	err = e.store.Write(t.Context(), func(tx *ledger.Tx) error {
		token, rec, err = tokens.Issue(tx, req, "admin:root")
		return err
	})
	if err != nil {
		t.Fatalf("issue %+v: %v", req, err)
	}
	return token, rec
}

func TestAUserTokenActsAsTheUserIsNow(t *testing.T) {
	e := mustUsers(t, UsersOptions{})
	e.create(t, ayesha())
	token, rec := e.issue(t, TokenRequest{User: "Ayesha"})
	if rec.User != "ayesha" || rec.Name != "ayesha" || rec.Role != RoleCustodian || !rec.Expires.Equal(e.clock.Now().Add(90*24*time.Hour)) {
		t.Fatalf("record %+v", rec)
	}
	tokens, _ := NewTokens(e.store)
	got, u, ok, err := tokens.LookupUser(token)
	if err != nil || !ok || got.ID != rec.ID || u.Login != "ayesha" || u.Scope.String() != "lahore" {
		t.Fatalf("LookupUser = %+v, %+v, %v, %v", got, u, ok, err)
	}
	// A change of the user's roles and scope applies to the next use.
	err = e.store.Write(t.Context(), func(tx *ledger.Tx) error {
		stored, _, err := getUser(tx, "ayesha")
		stored.Roles, stored.Scope = []string{RoleAuditor}, AllCircles
		if err != nil {
			return err
		}
		return putUser(tx, stored)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, u, ok, _ = tokens.LookupUser(token); !ok || u.Roles[0] != RoleAuditor || !u.Scope.All {
		t.Fatalf("after the change: %+v, %v", u, ok)
	}
}

func TestTokensExpire(t *testing.T) {
	e := mustUsers(t, UsersOptions{})
	e.create(t, ayesha())
	tokens, _ := NewTokens(e.store)
	tokens.TTL = 48 * time.Hour
	var byDefault, byRequest string
	err := e.store.Write(t.Context(), func(tx *ledger.Tx) error {
		var err error
		if byDefault, _, err = tokens.Create(tx, RoleAuditor, "auditor-1", "cli"); err != nil {
			return err
		}
		byRequest, _, err = tokens.Issue(tx, TokenRequest{User: "ayesha", TTL: time.Hour}, "cli")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour - time.Second)
	if _, ok, _ := tokens.Lookup(byRequest); !ok {
		t.Fatal("a token died before its time")
	}
	e.clock.Advance(time.Second)
	if _, ok, _ := tokens.Lookup(byRequest); ok {
		t.Fatal("a token outlived its one hour")
	}
	e.clock.Advance(47 * time.Hour)
	if _, ok, _ := tokens.Lookup(byDefault); ok {
		t.Fatal("a role token outlived the Tokens' TTL")
	}
}

func TestTokensOfBeforeAccountsStillWork(t *testing.T) {
	e := mustUsers(t, UsersOptions{})
	token := TokenPrefix + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	err := e.store.Write(t.Context(), func(tx *ledger.Tx) error {
		return tx.Put(ledger.AuthTokens, []byte(HashToken(token)),
			[]byte(`{"v":1,"id":7,"name":"old-admin","role":"admin","created":"2025-01-01T00:00:00Z","created_by":"cli"}`))
	})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(10 * 365 * 24 * time.Hour)
	tokens, _ := NewTokens(e.store)
	rec, u, ok, err := tokens.LookupUser(token)
	if err != nil || !ok || rec.Role != RoleAdmin || rec.User != "" || u.Login != "" {
		t.Fatalf("an old token: %+v, %+v, %v, %v", rec, u, ok, err)
	}
}

func TestDisablingAUserRevokesItsTokens(t *testing.T) {
	e := mustUsers(t, UsersOptions{})
	e.create(t, ayesha())
	e.create(t, UserRequest{Login: "bilal", Roles: []string{RoleCustodian}})
	mine, _ := e.issue(t, TokenRequest{User: "ayesha", Name: "ayesha-laptop"})
	theirs, _ := e.issue(t, TokenRequest{User: "bilal"})
	tokens, _ := NewTokens(e.store)
	err := e.store.Write(t.Context(), func(tx *ledger.Tx) error { _, err := e.users.Disable(tx, "AYESHA", ""); return err })
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := tokens.Lookup(mine); ok {
		t.Fatal("a disabled user's token still works")
	}
	if _, ok, _ := tokens.Lookup(theirs); !ok {
		t.Fatal("disabling one user revoked another's token")
	}
	err = e.store.View(func(tx *ledger.Tx) error {
		recs, err := tokens.List(tx)
		if err != nil || len(recs) != 2 || recs[0].Revoked == nil || recs[1].Revoked != nil {
			t.Errorf("records after the disable: %+v, %v", recs, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestIssueRefuses(t *testing.T) {
	e := mustUsers(t, UsersOptions{})
	e.create(t, ayesha())
	gone := e.create(t, UserRequest{Login: "gone", Roles: []string{RoleAuditor}})
	if err := e.store.Write(t.Context(), func(tx *ledger.Tx) error { _, err := e.users.Disable(tx, gone.Login, ""); return err }); err != nil {
		t.Fatal(err)
	}
	tokens, _ := NewTokens(e.store)
	before := e.digest(t)
	for _, tc := range []struct {
		name  string
		req   TokenRequest
		code  ledger.Code
		field string
	}{
		{"an unknown user", TokenRequest{User: "nobody"}, ledger.ENotFound, ""},
		{"a disabled user", TokenRequest{User: "gone"}, ledger.EConflict, ""},
		{"a negative lifetime", TokenRequest{User: "ayesha", TTL: -time.Hour}, ledger.EInvalid, "ttl"},
		{"a lifetime over a year", TokenRequest{User: "ayesha", TTL: 367 * 24 * time.Hour}, ledger.EInvalid, "ttl"},
		{"a bad token name", TokenRequest{User: "ayesha", Name: "a b"}, ledger.EInvalid, "name"},
		{"a role token without a role", TokenRequest{Name: "x"}, ledger.EInvalid, "role"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := e.store.Write(t.Context(), func(tx *ledger.Tx) error {
				_, _, err := tokens.Issue(tx, tc.req, "admin:root")
				return err
			})
			de := wantCode(t, err, tc.code)
			if tc.field != "" && (len(de.Fields) != 1 || de.Fields[0].Field != tc.field) {
				t.Fatalf("fields %+v, want %s", de.Fields, tc.field)
			}
		})
	}
	if e.digest(t) != before {
		t.Fatal("a refused token was written")
	}
}

// TestRoleTokenCannotPassForAUser: the books record a role token's writes
// as role:name and a user's as role:login, so the two names never meet: a
// role token may not take a user's login (disabled or not, in any case),
// nor a new user the name of a role token (revoked or not).
func TestRoleTokenCannotPassForAUser(t *testing.T) {
	e := mustUsers(t, UsersOptions{})
	e.create(t, UserRequest{Login: "tariq", Roles: []string{RoleSupervisor}})
	tokens := &Tokens{store: e.store}
	before := e.digest(t)
	for _, name := range []string{"tariq", "TARIQ"} {
		err := e.store.Write(t.Context(), func(tx *ledger.Tx) error {
			_, _, err := tokens.Create(tx, RoleSupervisor, name, "admin:asma")
			return err
		})
		if le := wantCode(t, err, ledger.EInvalid); le.Fields[0].Field != "name" {
			t.Fatalf("role token %q: %+v", name, le)
		}
	}
	if e.digest(t) != before {
		t.Fatal("a refused token wrote")
	}
	var id uint64
	err := e.store.Write(t.Context(), func(tx *ledger.Tx) error {
		_, rec, err := tokens.Create(tx, RoleCustodian, "night-desk", "admin:asma")
		if err == nil {
			_, err = tokens.Revoke(tx, rec.ID)
		}
		id = rec.ID
		return err
	})
	if err != nil || id == 0 {
		t.Fatal(err)
	}
	before = e.digest(t)
	_, err = e.users.CreateUser(t.Context(), UserRequest{Login: "Night-Desk", Roles: []string{RoleCustodian}}, "admin:asma")
	if le := wantCode(t, err, ledger.EConflict); le.Fields[0].Field != "login" {
		t.Fatalf("a user named as a revoked role token: %+v", le)
	}
	if e.digest(t) != before {
		t.Fatal("a refused user wrote")
	}
	// A user's own token may bear their login: it records the user.
	if _, _, err := IssueToken(e.store, TokenRequest{User: "tariq", Name: "tariq"}, "admin:asma"); err != nil {
		t.Fatal(err)
	}
}
