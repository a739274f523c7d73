package access

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/amanat-ledger/amanat/ledger"
)

func ayesha() UserRequest {
	return UserRequest{Login: "ayesha", Display: "عائشہ خان", Roles: []string{RoleCustodian, RoleInvestigator},
		Circles: []string{"lahore"}, Password: "a long enough password"}
}

func TestCreateUserKeepsOnlyTheHash(t *testing.T) {
	e := mustUsers(t, UsersOptions{})
	u := e.create(t, ayesha())
	if u.ID != 1 || u.Login != "ayesha" || u.Display != "عائشہ خان" || u.CreatedBy != "admin:root" ||
		!u.Created.Equal(e.clock.Now()) || u.Disabled != nil {
		t.Fatalf("user = %+v", u)
	}
	if u.Scope.All || u.Scope.String() != "lahore" || !u.HasRole(RoleInvestigator) || u.HasRole(RoleAdmin) {
		t.Fatalf("scope %v, roles %v", u.Scope, u.Roles)
	}
	data, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "argon2") || strings.Contains(string(data), "password") {
		t.Fatalf("a user's JSON shows its password hash: %s", data)
	}
	err = e.store.View(func(tx *ledger.Tx) error {
		if !strings.Contains(string(tx.Get(ledger.AuthUsers, []byte("ayesha"))), `"password":"$argon2id$v=19$`) {
			t.Error("the stored record lacks the PHC hash")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	e.store.Close()
	raw, err := os.ReadFile(e.path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), ayesha().Password) {
		t.Fatal("the store file holds the password in the clear")
	}
}

func TestCreateUserRefusesBadRequests(t *testing.T) {
	for _, tc := range []struct {
		name, field string
		edit        func(*UserRequest)
	}{
		{"no login", "login", func(r *UserRequest) { r.Login = "" }},
		{"a space in the login", "login", func(r *UserRequest) { r.Login = "ayesha khan" }},
		{"a login of 65 characters", "login", func(r *UserRequest) { r.Login = strings.Repeat("a", 65) }},
		{"a login starting with a dot", "login", func(r *UserRequest) { r.Login = ".ayesha" }},
		{"a wallet key as login", "login", func(r *UserRequest) { r.Login = "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ" }},
		{"a control character in the display name", "display", func(r *UserRequest) { r.Display = "Ayesha\aKhan" }},
		{"a right-to-left override in the display name", "display", func(r *UserRequest) { r.Display = "Ayesha\u202eKhan" }},
		{"a display name too long", "display", func(r *UserRequest) { r.Display = strings.Repeat("ع", 101) }},
		{"no role", "roles", func(r *UserRequest) { r.Roles = nil }},
		{"an unknown role", "roles", func(r *UserRequest) { r.Roles = []string{"root"} }},
		{"a role twice", "roles", func(r *UserRequest) { r.Roles = []string{RoleCustodian, RoleCustodian} }},
		{"an upper-case circle", "circles", func(r *UserRequest) { r.Circles = []string{"Lahore"} }},
		{"a short password", "password", func(r *UserRequest) { r.Password = "short" }},
		{"a password with a newline", "password", func(r *UserRequest) { r.Password = "a long enough\npassword" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := mustUsers(t, UsersOptions{})
			before := e.digest(t)
			req := ayesha()
			tc.edit(&req)
			_, err := e.users.CreateUser(t.Context(), req, "admin:root")
			de := wantCode(t, err, ledger.EInvalid)
			if len(de.Fields) != 1 || de.Fields[0].Field != tc.field {
				t.Fatalf("fields %+v, want only %s", de.Fields, tc.field)
			}
			if req.Password != "" && strings.Contains(err.Error(), req.Password) {
				t.Fatal("the error quotes the password")
			}
			if e.digest(t) != before {
				t.Fatal("a refused user was written")
			}
		})
	}
}

func TestLoginIsTakenInAnyCase(t *testing.T) {
	e := mustUsers(t, UsersOptions{})
	e.create(t, ayesha())
	before := e.digest(t)
	for _, login := range []string{"ayesha", "Ayesha", "AYESHA"} {
		req := ayesha()
		req.Login = login
		err := e.store.Write(t.Context(), func(tx *ledger.Tx) error {
			_, err := e.users.Create(tx, req, "admin:root")
			return err
		})
		wantCode(t, err, ledger.EConflict)
	}
	if e.digest(t) != before {
		t.Fatal("a conflicting user was written")
	}
}

func TestGetAndListUsers(t *testing.T) {
	e := mustUsers(t, UsersOptions{})
	e.create(t, ayesha())
	e.create(t, UserRequest{Login: "wang.wei", Display: "王伟", Roles: []string{RoleAuditor}})
	e.create(t, UserRequest{Login: "admin", Roles: []string{RoleAdmin}})
	err := e.store.View(func(tx *ledger.Tx) error {
		u, ok, err := e.users.Get(tx, "Wang.Wei")
		if err != nil || !ok || u.Login != "wang.wei" || !u.Scope.All {
			t.Errorf("Get in another case = %+v, %v, %v", u, ok, err)
		}
		if _, ok, _ := e.users.Get(tx, "nobody"); ok {
			t.Error("Get found an unknown login")
		}
		all, err := e.users.List(tx)
		if err != nil || len(all) != 3 || all[0].Login != "ayesha" || all[1].Login != "wang.wei" || all[2].ID != 3 {
			t.Errorf("List = %+v, %v", all, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDisableAndSetPassword(t *testing.T) {
	e := mustUsers(t, UsersOptions{})
	e.create(t, ayesha())
	if _, err := e.users.Authenticate(t.Context(), "ayesha", ayesha().Password, "10.0.0.1:1"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.users.SetPassword(t.Context(), "ayesha", "short"), ledger.EInvalid)
	wantCode(t, e.users.SetPassword(t.Context(), "nobody", "a new long password"), ledger.ENotFound)
	if err := e.users.SetPassword(t.Context(), "ayesha", "a new long password"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.users.Authenticate(t.Context(), "ayesha", ayesha().Password, "10.0.0.1:1"); err == nil {
		t.Fatal("the old password still works")
	}
	if _, err := e.users.Authenticate(t.Context(), "ayesha", "a new long password", "10.0.0.1:1"); err != nil {
		t.Fatal(err)
	}
	err := e.store.Write(t.Context(), func(tx *ledger.Tx) error {
		u, err := e.users.Disable(tx, "ayesha", "")
		if err != nil || u.Disabled == nil {
			t.Errorf("Disable = %+v, %v", u, err)
		}
		_, err = e.users.Disable(tx, "nobody", "")
		wantCode(t, err, ledger.ENotFound)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.users.Authenticate(t.Context(), "ayesha", "a new long password", "10.0.0.1:1")
	wantCode(t, err, ledger.EUnauthorized)
}

// TestUserMayNotDisableThemselves: the rule both the API and the console
// call. A user who acts may not disable their own account, in any case of
// its login; another user may, and so may the command line (no user).
func TestUserMayNotDisableThemselves(t *testing.T) {
	e := mustUsers(t, UsersOptions{})
	e.create(t, ayesha())
	before := e.digest(t)
	err := e.store.Write(t.Context(), func(tx *ledger.Tx) error {
		for _, by := range []string{"ayesha", "AYESHA", "Ayesha"} {
			_, err := e.users.Disable(tx, "ayesha", by)
			wantCode(t, err, ledger.EConflict)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if e.digest(t) != before {
		t.Fatal("a refused disable wrote")
	}
	err = e.store.Write(t.Context(), func(tx *ledger.Tx) error {
		if u, err := e.users.Disable(tx, "ayesha", "asma"); err != nil || u.Disabled == nil {
			t.Errorf("another admin's disable = %+v, %v", u, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
