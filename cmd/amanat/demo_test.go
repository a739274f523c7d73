package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/service"
	"github.com/amanat-ledger/amanat/fixtures"
	"github.com/amanat-ledger/amanat/httpapi"
	"github.com/amanat-ledger/amanat/ledger"
)

var (
	curlRE   = regexp.MustCompile(`^  curl -sS --fail-with-body -H "Authorization: Bearer \$([A-Z]+_TOKEN)" "\$AMANAT(/[^"]*)"$`)
	exportRE = regexp.MustCompile(`(?m)^export ([A-Z_]+)=(\S+)$`)
)

// openDemoStore is a new store wired as serve wires it, and its router.
func openDemoStore(t *testing.T) (*service.Service, *httpapi.Server, string) {
	t.Helper()
	db := filepath.Join(t.TempDir(), "demo.db")
	a, err := createService(db, db+".key")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	srv, err := newServer(a, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return a, srv, db
}

func liveTokens(t *testing.T, store *ledger.Store) int {
	t.Helper()
	toks, err := access.NewTokens(store)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	err = store.View(func(tx *ledger.Tx) error {
		recs, err := toks.List(tx)
		for _, r := range recs {
			if r.Revoked == nil {
				n++
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestServeDemoOutput loads the demo as `amanat serve --demo` does, then runs
// each printed example command against the server and expects 200.
func TestServeDemoOutput(t *testing.T) {
	a, srv, db := openDemoStore(t)
	var out bytes.Buffer
	if err := loadDemo(context.Background(), a, &out, db, "http://127.0.0.1:8080"); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	if !strings.Contains(text, "demo: Operation Grey loaded: 9 cases, 23 items") {
		t.Fatalf("output lacks the load summary:\n%s", text)
	}
	vars := map[string]string{}
	for _, m := range exportRE.FindAllStringSubmatch(text, -1) {
		vars[m[1]] = m[2]
	}
	if vars["AMANAT"] != "http://127.0.0.1:8080" {
		t.Errorf("no export of AMANAT:\n%s", text)
	}
	for _, role := range access.Roles {
		if !strings.HasPrefix(vars[tokenVar(role)], "amt_") || vars[tokenVar(role)] != vars["HQ_"+tokenVar(role)] {
			t.Errorf("no token line for %s, or not hq-%s's:\n%s", role, role, text)
		}
	}
	checkDemoUsers(t, a, vars)
	curls := 0
	for _, line := range strings.Split(text, "\n") {
		m := curlRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		curls++
		req := httptest.NewRequest(http.MethodGet, m[2], nil)
		req.Header.Set("Authorization", "Bearer "+vars[m[1]])
		rec := httptest.NewRecorder()
		srv.Echo().ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Errorf("%s answered %d: %s", m[2], rec.Code, rec.Body.String())
		}
	}
	if curls != 3 {
		t.Errorf("%d example commands, want 3:\n%s", curls, text)
	}
}

// TestServeDemoAgainMintsNoTokens: a second `serve --demo` on the same store
// used to print "demo: not loaded" and five more tokens under the same names.
// Now it makes no token, says the demo is already loaded and that its tokens
// cannot be shown again, and how to get a token or start over.
func TestServeDemoAgainMintsNoTokens(t *testing.T) {
	a, _, db := openDemoStore(t)
	var first bytes.Buffer
	if err := loadDemo(context.Background(), a, &first, db, "http://127.0.0.1:8080"); err != nil {
		t.Fatal(err)
	}
	tokens := liveTokens(t, a.Store)
	if tokens != len(fixtures.DemoUsers()) {
		t.Fatalf("%d live tokens after the first load, want %d", tokens, len(fixtures.DemoUsers()))
	}
	var again bytes.Buffer
	if err := loadDemo(context.Background(), a, &again, db, "http://127.0.0.1:8080"); err != nil {
		t.Fatal(err)
	}
	text := again.String()
	if n := liveTokens(t, a.Store); n != tokens {
		t.Errorf("the second run left %d live tokens, want %d", n, tokens)
	}
	for _, m := range exportRE.FindAllStringSubmatch(text, -1) {
		if m[1] != "AMANAT" {
			t.Errorf("the second run printed %s:\n%s", m[1], text)
		}
	}
	for _, want := range []string{
		"demo: Operation Grey is already loaded in " + db,
		"cannot be shown again",
		"amanat token create --db " + db + " --role ROLE --name NAME",
		"delete " + db + ", " + db + ".key, " + db + ".key.pub, " + db + ".checkpoint and " + db + ".audit.checkpoint",
		"export AMANAT=http://127.0.0.1:8080",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the second run does not say %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "demo: not loaded") {
		t.Errorf("the second run reads as a failure:\n%s", text)
	}
}

// On a store that holds seizures of its own (not the demo's), serve --demo
// loads nothing, makes no token and says the demo was not loaded.
func TestServeDemoOnAnotherStoreMintsNoTokens(t *testing.T) {
	a, _, db := openDemoStore(t)
	seizeOne(t, a)
	var out bytes.Buffer
	if err := loadDemo(context.Background(), a, &out, db, "http://127.0.0.1:8080"); err != nil {
		t.Fatal(err)
	}
	if n := liveTokens(t, a.Store); n != 0 {
		t.Errorf("%d live tokens, want none", n)
	}
	text := out.String()
	if !strings.Contains(text, "demo: not loaded: the store already holds seizures") || !strings.Contains(text, "no tokens were made") ||
		strings.Contains(text, "_TOKEN=") || strings.Contains(text, "already loaded in") {
		t.Errorf("output on a store of other seizures:\n%s", text)
	}
}

// checkDemoUsers: every demo user has a token and a password line; the
// password logs in, the token acts as the user with the user's circles.
func checkDemoUsers(t *testing.T, a *service.Service, vars map[string]string) {
	t.Helper()
	for _, d := range fixtures.DemoUsers() {
		prefix := loginVar(d.Login)
		tok, pw := vars[prefix+"_TOKEN"], vars[prefix+"_PASSWORD"]
		if !strings.HasPrefix(tok, access.TokenPrefix) || len(pw) != 20 {
			t.Errorf("%s: token %q, password of %d characters", d.Login, tok, len(pw))
			continue
		}
		u, err := a.Users.Authenticate(context.Background(), d.Login, pw, "127.0.0.1")
		if err != nil || u.Display != d.Display {
			t.Errorf("%s cannot log in with the printed password: %v", d.Login, err)
		}
		rec, user, ok, err := a.Tokens.LookupUser(tok)
		if err != nil || !ok || rec.User != d.Login || user.Scope.All != (len(d.Circles) == 0) || strings.Join(user.Scope.Circles, ",") != strings.Join(d.Circles, ",") {
			t.Errorf("%s's token: %+v %+v %v %v", d.Login, rec, user, ok, err)
		}
	}
	if _, ok := vars["LAHORE_CUSTODIAN_TOKEN"]; !ok {
		t.Error("no LAHORE_CUSTODIAN_TOKEN line")
	}
}
