package access

import (
	"slices"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/ledger"
)

// TestHeldCircles: the circles of enabled users and of live role tokens;
// a disabled user, a revoked or expired token and an HQ scope add none.
func TestHeldCircles(t *testing.T) {
	e := mustUsers(t, UsersOptions{})
	e.create(t, UserRequest{Login: "ayesha", Roles: []string{RoleCustodian}, Circles: []string{"lahore", "karachi"}})
	e.create(t, UserRequest{Login: "gone", Roles: []string{RoleCustodian}, Circles: []string{"quetta"}})
	e.create(t, UserRequest{Login: "hq", Roles: []string{RoleAdmin}})
	tokens := &Tokens{store: e.store}
	err := e.store.Write(t.Context(), func(tx *ledger.Tx) error {
		if _, err := e.users.Disable(tx, "gone", ""); err != nil {
			return err
		}
		for _, c := range []string{"multan", "sukkur", "gilgit"} {
			_, rec, err := tokens.CreateIn(tx, RoleCustodian, c+"-desk", "admin:hq", Scope{Circles: []string{c}})
			if err != nil {
				return err
			}
			if c == "sukkur" {
				if _, err := tokens.Revoke(tx, rec.ID); err != nil {
					return err
				}
			}
		}
		_, _, err := tokens.Issue(tx, TokenRequest{Role: RoleCustodian, Name: "short", Circles: []string{"gilgit", "peshawar"}, TTL: time.Hour}, "admin:hq")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	held := func() []string {
		var out []string
		if err := e.store.View(func(tx *ledger.Tx) error { out, err = HeldCircles(tx); return err }); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got, want := held(), []string{"gilgit", "karachi", "lahore", "multan", "peshawar"}; !slices.Equal(got, want) {
		t.Fatalf("held = %v, want %v", got, want)
	}
	e.clock.Advance(2 * time.Hour) // the short token has expired
	if got, want := held(), []string{"gilgit", "karachi", "lahore", "multan"}; !slices.Equal(got, want) {
		t.Fatalf("held after expiry = %v, want %v", got, want)
	}
}
