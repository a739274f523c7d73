package main

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/amanat-ledger/amanat/chain/forge"
	"github.com/amanat-ledger/amanat/fixtures"
)

// demoBundles loads Operation Grey into a new store through the API, as
// `amanat serve --demo` does, closes it and exports two court bundles: the
// Korangi server's (seized, moved through the malkhana, examined with a
// forensic report attached, converted by a real conversion) and the
// organiser's bitcoin (another case's seizure). It returns the store file
// and the two bundle files.
func demoBundles(t *testing.T) (db, converted, other string) {
	t.Helper()
	dir := t.TempDir()
	db = filepath.Join(dir, "demo.db")
	a, err := createService(db, db+".key")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := newServer(a, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := fixtures.Load(context.Background(), srv, a.Store)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	for _, b := range []struct {
		name string
		path *string
	}{{"khi_tron_server", &converted}, {"nhq_btc_taproot", &other}} {
		id := sum.Saved[b.name]
		if id == "" {
			t.Fatalf("the demo saved no item %s", b.name)
		}
		*b.path = filepath.Join(dir, b.name+".json")
		if out, err := runCustody(t, "export", "--db", db, "--item", id, "--out", *b.path); err != nil {
			t.Fatalf("export item %s: %v\n%s", id, err, out)
		}
	}
	return db, converted, other
}

func exitCode(t *testing.T, err error) int {
	t.Helper()
	if err == nil {
		return 0
	}
	var ee exitError
	if !errors.As(err, &ee) {
		t.Fatalf("not an exit status: %v", err)
	}
	return ee.code
}

// forgeFile applies f to the bundle file and writes the forgery beside it.
func forgeFile(t *testing.T, db string, f forge.Forgery, bundle, other string) string {
	t.Helper()
	data, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	od, err := os.ReadFile(other)
	if err != nil {
		t.Fatal(err)
	}
	skey, err := os.ReadFile(db + ".key")
	if err != nil {
		t.Fatal(err)
	}
	forged, err := forge.Apply(f, data, od, string(skey))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "forged.json")
	if err := os.WriteFile(path, forged, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// A bundle an insider edited and re-signed with the store's own key is
// refused for the rule the edit breaks, one forgery per rule of
// docs/custody-format.md; the same re-signing without an edit passes, so
// each refusal is the rule's and not the re-signing's.
func TestCustodyCheckRefusesForgeriesSignedByTheStoreKey(t *testing.T) {
	db, bundle, other := demoBundles(t)
	pub := db + ".key.pub"
	unedited := forgeFile(t, db, forge.Forgery{Name: "none", Edit: func(_, _ *forge.Bundle) {}}, bundle, other)
	if out, err := runCustody(t, "check", "--key-file", pub, unedited); err != nil || !strings.Contains(out, "ok    item ") {
		t.Fatalf("a re-signed bundle without an edit: %v\n%s", err, out)
	}
	for _, f := range forge.Forgeries() {
		t.Run(f.Name, func(t *testing.T) {
			forged := forgeFile(t, db, f, bundle, other)
			out, err := runCustody(t, "check", "--key-file", pub, forged)
			if f.Rekey != "" {
				// Signed by a key of the forger's own: with the agency's
				// key that alone fails; the rule shows without a key.
				if code := exitCode(t, err); code != checkFailed || !strings.Contains(out, "not by the trusted key") {
					t.Fatalf("exit %d, want %d naming the key:\n%s", code, checkFailed, out)
				}
				out, err = runCustody(t, "check", forged)
			}
			if code := exitCode(t, err); code != checkFailed || !strings.HasPrefix(out, "FAIL  "+forged+": ") || !strings.Contains(out, f.Rule) {
				t.Fatalf("exit %d, want %d naming %q:\n%s", code, checkFailed, f.Rule, out)
			}
		})
	}
}

// Without a trusted key nothing ties a bundle to the agency: a bundle
// forged from scratch under a key the forger made passes every other check,
// so check must not exit 0 on it, and must say why.
func TestCustodyCheckWithoutKeyDoesNotPass(t *testing.T) {
	db, bundle, other := demoBundles(t)
	forged := forgeFile(t, db, forge.Forgery{Name: "another signer", Edit: func(b, _ *forge.Bundle) {}, Rekey: "amanat.custody/00000000000000ff"}, bundle, other)
	for _, file := range []string{bundle, forged} {
		out, err := runCustody(t, "check", file)
		if code := exitCode(t, err); code != checkUnchecked || !strings.HasPrefix(out, "unchecked  "+file+": the signer was not checked") ||
			!strings.Contains(out, "apart from its signer: item ") {
			t.Fatalf("%s without a key: exit %d, want %d:\n%s", file, code, checkUnchecked, out)
		}
	}
	if out, err := runCustody(t, "check", "--key-file", db+".key.pub", forged); exitCode(t, err) != checkFailed || !strings.Contains(out, "not by the trusted key") {
		t.Fatalf("the forgery with the agency's key: %v\n%s", err, out)
	}
}

// --key and --key-file name the keys to trust: a file of keys one a line
// with comments, or the JSON answer of GET /v1/custody/key; each may be
// repeated and any trusted key may have signed. A key file that holds no
// key, or a line that is not a key, is an error, never "trust nothing".
func TestCustodyCheckTrustedKeys(t *testing.T) {
	db, bundle, _ := demoBundles(t)
	pub, err := os.ReadFile(db + ".key.pub")
	if err != nil {
		t.Fatal(err)
	}
	key := strings.TrimSpace(string(pub))
	_, stranger, err := note.GenerateKey(rand.Reader, "amanat.custody/00000000000000ee")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	several := write("keys.txt", "# Karachi's old store\n"+stranger+"\n\n# headquarters\n  "+key+"  \n")
	reply := write("key.json", `{"origin":"`+strings.SplitN(key, "+", 2)[0]+`","public_key":"`+key+`","algorithm":"ed25519"}`+"\n")
	strangers := write("strangers.txt", stranger+"\n")
	for _, tt := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"the key", []string{"--key", key}, checkOK, "ok    item "},
		{"a file of keys with comments", []string{"--key-file", several}, checkOK, "ok    item "},
		{"the answer of GET /v1/custody/key", []string{"--key-file", reply}, checkOK, "ok    item "},
		{"repeated --key", []string{"--key", stranger, "--key", key}, checkOK, "ok    item "},
		{"a key and a file", []string{"--key", stranger, "--key-file", reply}, checkOK, "ok    item "},
		{"another key", []string{"--key", stranger}, checkFailed, "not by the trusted key"},
		{"a file of other keys", []string{"--key-file", strangers, "--key", stranger}, checkFailed, "not by any of the 2 trusted keys"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runCustody(t, append(append([]string{"check"}, tt.args...), bundle)...)
			if code := exitCode(t, err); code != tt.code || !strings.Contains(out, tt.want) {
				t.Fatalf("exit %d, want %d with %q:\n%s", code, tt.code, tt.want, out)
			}
		})
	}
	for _, tt := range []struct{ name, file, want string }{
		{"an empty file", write("empty.txt", "\n# nothing yet\n"), "holds no key"},
		{"a line that is not a key", write("typo.txt", key+"\n"+key[:len(key)-2]+"\n"), "typo.txt, line 2: trusted key"},
		{"JSON without a key", write("nokey.json", `{"origin":"x"}`), "no public_key"},
		{"a missing file", filepath.Join(dir, "none.txt"), "no such file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runCustody(t, "check", "--key-file", tt.file, bundle)
			var ee exitError
			if err == nil || errors.As(err, &ee) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want an error with %q, got %v:\n%s", tt.want, err, out)
			}
		})
	}
	if _, err := runCustody(t, "check", "--key", "someone+00000000+AQ==", bundle); err == nil || !strings.Contains(err.Error(), "--key: trusted key") {
		t.Fatalf("a malformed --key: %v", err)
	}
}

// Every rule holds for every bundle the demo's story writes: the rules
// refuse forgeries, not the records Amanat makes.
func TestCustodyCheckAcceptsEveryDemoBundle(t *testing.T) {
	db, _, _ := demoBundles(t)
	dir := t.TempDir()
	for item := 1; ; item++ {
		bundle := filepath.Join(dir, "item.json")
		id := strconv.Itoa(item)
		if _, err := runCustody(t, "export", "--db", db, "--item", id, "--out", bundle); err != nil {
			if item <= 23 { // the demo seizes 23 items
				t.Fatalf("export item %d: %v", item, err)
			}
			break
		}
		if out, err := runCustody(t, "check", "--key-file", db+".key.pub", bundle); err != nil || !strings.HasPrefix(out, "ok    item "+id+": ") {
			t.Fatalf("item %d: %v\n%s", item, err, out)
		}
	}
}
