package access

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/ledger"
)

func TestAuthenticateFailuresReadTheSame(t *testing.T) {
	e := mustUsers(t, UsersOptions{MaxFailures: 100})
	e.create(t, ayesha())
	e.create(t, UserRequest{Login: "tokens-only", Roles: []string{RoleAuditor}})
	gone := e.create(t, UserRequest{Login: "gone", Roles: []string{RoleAuditor}, Password: "gone's long password"})
	if err := e.store.Write(t.Context(), func(tx *ledger.Tx) error { _, err := e.users.Disable(tx, gone.Login, ""); return err }); err != nil {
		t.Fatal(err)
	}
	u, err := e.users.Authenticate(t.Context(), "Ayesha", ayesha().Password, "10.0.0.1:5000")
	if err != nil || u.Login != "ayesha" {
		t.Fatalf("the right password in another case of the login: %+v, %v", u, err)
	}
	var first string
	for _, tc := range []struct{ name, login, pw string }{
		{"a wrong password", "ayesha", "not her password at all"},
		{"an unknown login", "nobody", ayesha().Password},
		{"a user without a password", "tokens-only", ""},
		{"a disabled user with the right password", "gone", "gone's long password"},
		{"an overlong login", strings.Repeat("x", 500), "whatever password"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.users.Authenticate(t.Context(), tc.login, tc.pw, "10.0.0.2:6000")
			de := wantCode(t, err, ledger.EUnauthorized)
			if first == "" {
				first = de.Error()
			}
			if de.Error() != first {
				t.Fatalf("answer %q differs from %q", de.Error(), first)
			}
		})
	}
	log := e.log.String()
	if !strings.Contains(log, "login=nobody") || !strings.Contains(log, "address=10.0.0.2") || strings.Count(log, "login failed") != 5 {
		t.Fatalf("failures not logged with login and address:\n%s", log)
	}
	for _, pw := range []string{"not her password at all", "gone's long password", ayesha().Password} {
		if strings.Contains(log, pw) {
			t.Fatalf("the log holds a password:\n%s", log)
		}
	}
}

func TestFailedLoginsLockTheLogin(t *testing.T) {
	e := mustUsers(t, UsersOptions{})
	e.create(t, ayesha())
	// Five failures from five addresses: the login, not any address, locks.
	for i := range 5 {
		_, err := e.users.Authenticate(t.Context(), "ayesha", "a wrong password!", "10.0.1."+string(rune('1'+i))+":80")
		wantCode(t, err, ledger.EUnauthorized)
	}
	e.clock.Advance(time.Minute)
	_, err := e.users.Authenticate(t.Context(), "AYESHA", ayesha().Password, "10.0.9.9:80")
	wantCode(t, err, ledger.ERateLimited)
	var le *LockedError
	if !errors.As(err, &le) || le.RetryAfter() != 14*time.Minute+time.Second {
		t.Fatalf("locked error %v, want a wait of 14m1s", err)
	}
	if wait, ok := IsLocked(err); !ok || wait != le.After {
		t.Fatal("IsLocked does not see the lock")
	}
	if _, err := e.users.Authenticate(t.Context(), "other", "whatever password", "10.0.9.9:80"); ledger.ErrorCode(err) != ledger.EUnauthorized {
		t.Fatalf("another login from the same address: %v", err)
	}
	e.clock.Advance(14 * time.Minute)
	if _, err := e.users.Authenticate(t.Context(), "ayesha", ayesha().Password, "10.0.9.9:80"); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	if !strings.Contains(e.log.String(), "login refused: locked") {
		t.Fatal("a locked attempt was not logged")
	}
}

func TestFailedLoginsLockTheAddress(t *testing.T) {
	e := mustUsers(t, UsersOptions{})
	e.create(t, ayesha())
	// Five guesses at five logins from one address: the address locks, so
	// a guesser cannot spread guesses over many logins.
	for _, login := range []string{"a1", "a2", "a3", "a4", "a5"} {
		_, err := e.users.Authenticate(t.Context(), login, "a guessed password", "192.0.2.7:4444")
		wantCode(t, err, ledger.EUnauthorized)
	}
	_, err := e.users.Authenticate(t.Context(), "ayesha", ayesha().Password, "192.0.2.7:5555")
	wantCode(t, err, ledger.ERateLimited)
	if _, err := e.users.Authenticate(t.Context(), "ayesha", ayesha().Password, "192.0.2.8:5555"); err != nil {
		t.Fatalf("from another address: %v", err)
	}
}

func TestOldFailuresDoNotCount(t *testing.T) {
	e := mustUsers(t, UsersOptions{})
	e.create(t, ayesha())
	for range 4 {
		_, err := e.users.Authenticate(t.Context(), "ayesha", "a wrong password!", "10.0.0.1:1")
		wantCode(t, err, ledger.EUnauthorized)
	}
	e.clock.Advance(16 * time.Minute)
	for range 4 {
		_, err := e.users.Authenticate(t.Context(), "ayesha", "a wrong password!", "10.0.0.1:1")
		wantCode(t, err, ledger.EUnauthorized)
	}
	if _, err := e.users.Authenticate(t.Context(), "ayesha", ayesha().Password, "10.0.0.1:1"); err != nil {
		t.Fatalf("eight failures in two windows locked the login: %v", err)
	}
}

func TestAGoodLoginDoesNotClearTheAddress(t *testing.T) {
	e := mustUsers(t, UsersOptions{})
	e.create(t, ayesha())
	// Five guesses at another login, each after a good login of the
	// guesser's own account: the address still locks.
	for range 5 {
		if _, err := e.users.Authenticate(t.Context(), "ayesha", ayesha().Password, "10.0.0.1:1"); err != nil {
			t.Fatal(err)
		}
		_, err := e.users.Authenticate(t.Context(), "victim", "a guessed password", "10.0.0.1:1")
		wantCode(t, err, ledger.EUnauthorized)
	}
	_, err := e.users.Authenticate(t.Context(), "ayesha", ayesha().Password, "10.0.0.1:1")
	wantCode(t, err, ledger.ERateLimited)
}

func TestPasswordChecksWaitForAHashSlot(t *testing.T) {
	e := mustUsers(t, UsersOptions{HashSlots: 1, MaxFailures: 100})
	e.create(t, ayesha())
	e.users.slots <- struct{}{} // every slot taken
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := e.users.Authenticate(ctx, "ayesha", ayesha().Password, "10.0.0.1:1"); ledger.ErrorCode(err) != ledger.EUnavailable {
		t.Fatalf("a check ran without a slot: %v", err)
	}
	<-e.users.slots
	if _, err := e.users.Authenticate(t.Context(), "ayesha", ayesha().Password, "10.0.0.1:1"); err != nil {
		t.Fatalf("with the slot free: %v", err)
	}
}
