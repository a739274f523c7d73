package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/ledger"
)

// lastLine is the last line of out.
func lastLine(out string) string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	return lines[len(lines)-1]
}

// lookUp opens db and finds token's record and user as the server would.
func lookUp(t *testing.T, db, token string) (access.TokenRecord, access.User, bool) {
	t.Helper()
	store, err := ledger.Open(db, ledger.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	rec, u, ok, err := access.TokensOf(store).LookupUser(token)
	if err != nil {
		t.Fatal(err)
	}
	return rec, u, ok
}

func TestUserCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "books.db")
	if out, err := runRoot(t, "init", "--db", db); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	const pw = "a console password of hers"
	rootCmd.SetIn(strings.NewReader(pw + "\n"))
	defer rootCmd.SetIn(nil)
	out, err := runRoot(t, "user", "create", "--db", db, "--name", "ayesha", "--role", "custodian", "--role", "supervisor",
		"--circle", "lahore", "--display", "عائشہ خان", "--password-stdin", "--ttl", "720h")
	if err != nil {
		t.Fatalf("user create: %v\n%s", err, out)
	}
	token := lastLine(out)
	rec, u, ok := lookUp(t, db, token)
	if !ok || rec.User != "ayesha" || u.Scope.String() != "lahore" || strings.Join(u.Roles, ",") != "custodian,supervisor" ||
		rec.Expires.Sub(rec.Created) != 720*time.Hour {
		t.Fatalf("the printed token %q: %+v %+v %v\n%s", token, rec, u, ok, out)
	}
	out, err = runRoot(t, "user", "create", "--db", db, "--name", "admin", "--role", "admin")
	if err != nil || !strings.HasPrefix(lastLine(out), access.TokenPrefix) || strings.Contains(out, "[]") {
		t.Fatalf("a second user create (the role list must start afresh): %v\n%s", err, out)
	}
	if _, u, _ := lookUp(t, db, lastLine(out)); !u.Scope.All || strings.Join(u.Roles, ",") != "admin" {
		t.Fatalf("no --circle must mean every circle: %+v", u)
	}
	if _, err := runRoot(t, "user", "create", "--db", db, "--name", "AYESHA", "--role", "auditor"); err == nil || !strings.Contains(err.Error(), "taken") {
		t.Fatalf("a login taken in another case: %v", err)
	}
	out, err = runRoot(t, "user", "list", "--db", db)
	if err != nil || !strings.Contains(out, "ayesha") || !strings.Contains(out, "custodian,supervisor") || !strings.Contains(out, "عائشہ خان") ||
		strings.Contains(out, "argon2") {
		t.Fatalf("user list: %v\n%s", err, out)
	}

	rootCmd.SetIn(strings.NewReader("a brand new password\n"))
	if out, err := runRoot(t, "user", "passwd", "--db", db, "--name", "ayesha"); err != nil {
		t.Fatalf("user passwd: %v\n%s", err, out)
	}
	rootCmd.SetIn(strings.NewReader("short\n"))
	if _, err := runRoot(t, "user", "passwd", "--db", db, "--name", "ayesha"); err == nil || !strings.Contains(err.Error(), "password") {
		t.Fatalf("a short password: %v", err)
	}
	store, err := ledger.Open(db, ledger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	users, _ := access.NewUsers(store, access.UsersOptions{})
	if _, err := users.Authenticate(context.Background(), "ayesha", "a brand new password", "127.0.0.1"); err != nil {
		t.Fatalf("the new password: %v", err)
	}
	store.Close()

	if out, err := runRoot(t, "user", "disable", "--db", db, "--name", "ayesha"); err != nil || !strings.Contains(out, "disabled") {
		t.Fatalf("user disable: %v\n%s", err, out)
	}
	if _, _, ok := lookUp(t, db, token); ok {
		t.Fatal("the token of a disabled user still works")
	}
	raw, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{pw, "a brand new password", token} {
		if strings.Contains(string(raw), secret) {
			t.Fatalf("the store file holds %q in the clear", secret)
		}
	}
}

func TestTokenCreateTTL(t *testing.T) {
	db := filepath.Join(t.TempDir(), "books.db")
	if out, err := runRoot(t, "init", "--db", db); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	out, err := runRoot(t, "token", "create", "--db", db, "--role", "auditor", "--name", "court-auditor", "--ttl", "1h")
	if err != nil {
		t.Fatal(err)
	}
	rec, _, ok := lookUp(t, db, strings.TrimSpace(out))
	if !ok || rec.Expires.Sub(rec.Created) != time.Hour {
		t.Fatalf("token create --ttl 1h: %+v %v", rec, ok)
	}
	if _, err := runRoot(t, "token", "create", "--db", db, "--role", "auditor", "--name", "x", "--ttl", "9000h"); err == nil {
		t.Fatal("a token for more than a year was made")
	}
}
