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

	"github.com/amanat-ledger/amanat/httpapi"
)

var curlRE = regexp.MustCompile(`^  curl -s -H "Authorization: Bearer \$([A-Z]+_TOKEN)" "\$AMANAT(/[^"]*)"$`)

// TestServeDemoOutput loads the demo as `amanat serve --demo` does, then runs
// each printed example command against the server and expects 200; a second
// start loads nothing but still prints working tokens.
func TestServeDemoOutput(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "demo.db")
	a, err := createApp(db, db+".key")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	srv, err := a.server(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	for run, want := range []string{"demo: Operation Grey loaded: 9 cases, 23 items", "demo: not loaded: the store already holds seizures"} {
		var out bytes.Buffer
		if err := loadDemo(context.Background(), a, &out, "http://127.0.0.1:8080"); err != nil {
			t.Fatal(err)
		}
		text := out.String()
		if !strings.Contains(text, want) {
			t.Fatalf("run %d: output lacks %q:\n%s", run+1, want, text)
		}
		vars := map[string]string{}
		for _, m := range regexp.MustCompile(`(?m)^export ([A-Z_]+)=(\S+)$`).FindAllStringSubmatch(text, -1) {
			vars[m[1]] = m[2]
		}
		if vars["AMANAT"] != "http://127.0.0.1:8080" {
			t.Errorf("run %d: no export of AMANAT:\n%s", run+1, text)
		}
		for _, role := range httpapi.Roles {
			if !strings.HasPrefix(vars[tokenVar(role)], "amt_") {
				t.Errorf("run %d: no token line for %s:\n%s", run+1, role, text)
			}
		}
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
				t.Errorf("run %d: %s answered %d: %s", run+1, m[2], rec.Code, rec.Body.String())
			}
		}
		if curls != 3 {
			t.Errorf("run %d: %d example commands, want 3:\n%s", run+1, curls, text)
		}
	}
}
