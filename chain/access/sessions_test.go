package access

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/ledger"
)

func startSession(t *testing.T, e *userEnv, login string) string {
	t.Helper()
	u, err := e.users.Authenticate(t.Context(), login, ayesha().Password, "10.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	token, s, err := e.users.StartSession(t.Context(), u, "10.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(token, SessionPrefix) || len(token) != len(SessionPrefix)+43 || s.User != login ||
		s.RemoteAddr != "10.0.0.1" || !s.Expires.Equal(e.clock.Now().Add(e.users.opt.SessionMax)) {
		t.Fatalf("session %q %+v", token, s)
	}
	return token
}

func sessionOK(t *testing.T, e *userEnv, token string) bool {
	t.Helper()
	s, u, ok, err := e.users.Session(t.Context(), token)
	if err != nil {
		t.Fatal(err)
	}
	if ok && (u.Login != s.User || s.ID == 0) {
		t.Fatalf("session %+v of user %+v", s, u)
	}
	return ok
}

func TestSessionIdleLimitSlides(t *testing.T) {
	e := mustUsers(t, UsersOptions{})
	e.create(t, ayesha())
	token := startSession(t, e, "ayesha")
	if e.users.opt.SessionMax != 12*time.Hour || e.users.opt.SessionIdle != 30*time.Minute {
		t.Fatal("the session limits are not 30 minutes idle, 12 hours in all by default")
	}
	for range 5 {
		e.clock.Advance(25 * time.Minute)
		if !sessionOK(t, e, token) {
			t.Fatal("a session in use expired")
		}
	}
	e.clock.Advance(31 * time.Minute)
	if sessionOK(t, e, token) {
		t.Fatal("a session idle for 31 minutes is still live")
	}
}

func TestSessionAbsoluteLimit(t *testing.T) {
	e := mustUsers(t, UsersOptions{SessionIdle: time.Hour, SessionMax: 2 * time.Hour})
	e.create(t, ayesha())
	token := startSession(t, e, "ayesha")
	for range 2 {
		e.clock.Advance(55 * time.Minute)
		if !sessionOK(t, e, token) {
			t.Fatal("session ended early")
		}
	}
	e.clock.Advance(10 * time.Minute)
	if sessionOK(t, e, token) {
		t.Fatal("a session in use outlived its absolute limit")
	}
}

func TestLogoutAndDisableEndSessions(t *testing.T) {
	e := mustUsers(t, UsersOptions{})
	e.create(t, ayesha())
	a, b := startSession(t, e, "ayesha"), startSession(t, e, "ayesha")
	if err := e.users.EndSession(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	if sessionOK(t, e, a) || !sessionOK(t, e, b) {
		t.Fatal("logout ended the wrong session")
	}
	if err := e.users.EndSession(t.Context(), a); err != nil {
		t.Fatalf("a second logout: %v", err)
	}
	var u User
	err := e.store.Write(t.Context(), func(tx *ledger.Tx) error {
		var err error
		u, err = e.users.Disable(tx, "ayesha", "")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if sessionOK(t, e, b) {
		t.Fatal("a disabled user's session still works")
	}
	_, _, err = e.users.StartSession(t.Context(), u, "10.0.0.1:1")
	wantCode(t, err, ledger.EUnauthorized)
}

func TestSessionTokensAreNotStored(t *testing.T) {
	e := mustUsers(t, UsersOptions{})
	e.create(t, ayesha())
	token := startSession(t, e, "ayesha")
	for _, bad := range []string{"", "ams_", token + "x", strings.TrimPrefix(token, SessionPrefix), TokenPrefix + strings.TrimPrefix(token, SessionPrefix)} {
		if sessionOK(t, e, bad) {
			t.Fatalf("%q opened a session", bad)
		}
	}
	e.store.Close()
	raw, err := os.ReadFile(e.path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), strings.TrimPrefix(token, SessionPrefix)) {
		t.Fatal("the store file holds a session token")
	}
}
