package main

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/chain/alerts"
	"github.com/amanat-ledger/amanat/chain/witness"
)

// TestCustodyCheckDemandsWitnesses: custody check --witness-key
// --min-witnesses passes a bundle cosigned by enough of the given
// witnesses and fails one that is not, naming the missing key.
func TestCustodyCheckDemandsWitnesses(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "amanat.db")
	a, err := createServiceWith(db, db+".key", alerts.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	wkey, err := createWitnessKey(filepath.Join(dir, "w.key"), "amanat.witness/quetta")
	if err != nil {
		t.Fatal(err)
	}
	skey, err := readWitnessKey(filepath.Join(dir, "w.key"))
	if err != nil {
		t.Fatal(err)
	}
	w, err := witness.New(witness.Config{Key: skey, LogKeys: []string{a.Custody.PublicKey()}, State: filepath.Join(dir, "w.state")})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(w)
	defer srv.Close()
	if err := a.StartWitnesses([]witness.Remote{{URL: srv.URL, Key: wkey}}, witness.Options{Poll: 5 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	seizeOne(t, a)
	b, err := a.ExportItem(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	bundle := filepath.Join(dir, "item-1.json")
	if err := os.WriteFile(bundle, b, 0o644); err != nil {
		t.Fatal(err)
	}
	_, other, err := witness.NewKey("amanat.witness/peshawar")
	if err != nil {
		t.Fatal(err)
	}
	key := "--key=" + a.Custody.PublicKey()
	for _, tc := range []struct {
		name string
		args []string
		exit int
		says string
	}{
		{"cosigned by the one witness asked for", []string{key, "--witness-key", wkey, "--min-witnesses", "1"}, 0, "cosigned  item-1.json: by 1 of 1 witnesses (1 needed): amanat.witness/quetta"},
		{"one of two is enough", []string{key, "--witness-key", wkey, "--witness-key", other}, 0, "by 1 of 2"},
		{"two of two are not there", []string{key, "--witness-key", wkey, "--witness-key", other, "--min-witnesses", "2"}, checkFailed, "missing: " + other},
		{"a witness that did not cosign", []string{key, "--witness-key", other}, checkFailed, "0 of the 1 witnesses given cosigned"},
	} {
		out, err := runCustody(t, append(append([]string{"check"}, tc.args...), bundle)...)
		var ee exitError
		code := 0
		if errors.As(err, &ee) {
			code = ee.code
		} else if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if code != tc.exit || !strings.Contains(out, tc.says) {
			t.Errorf("%s: exit %d, want %d; output:\n%s", tc.name, code, tc.exit, out)
		}
	}
	if _, err := runCustody(t, "check", key, "--min-witnesses", "1", bundle); err == nil {
		t.Error("--min-witnesses without a --witness-key passed")
	}

	// With the server stopped, custody export --db carries the
	// cosignatures the store holds.
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	offline := filepath.Join(dir, "offline.json")
	if out, err := runCustody(t, "export", "--db", db, "--item", "1", "--out", offline); err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	if out, err := runCustody(t, "check", key, "--witness-key", wkey, offline); err != nil || !strings.Contains(out, "by 1 of 1") {
		t.Fatalf("the offline export lost its cosignature: %v\n%s", err, out)
	}
}

// TestWitnessKeyFiles: witness key never overwrites a key, writes it mode
// 0600 with its public half beside it; witness serve refuses a key others
// can read and a start without a log's key.
func TestWitnessKeyFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.key")
	vkey, err := createWitnessKey(path, "amanat.witness/gilgit")
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi.Mode(), err)
	}
	if pub := strings.TrimSpace(mustRead(t, path+".pub")); pub != vkey || !strings.HasPrefix(vkey, "amanat.witness/gilgit+") {
		t.Fatalf("public key %q, printed %q", pub, vkey)
	}
	skey, err := readWitnessKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := witness.PublicKey(skey); err != nil || got != vkey {
		t.Fatalf("the key's public key %q (%v), want %q", got, err, vkey)
	}
	if _, err := createWitnessKey(path, "amanat.witness/gilgit"); err == nil || mustRead(t, path) != skey+"\n" {
		t.Fatal("witness key overwrote a key")
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := serveWitness(io.Discard, path, filepath.Join(dir, "w.state"), "127.0.0.1:0", []string{"x"}); err == nil || !strings.Contains(err.Error(), "readable by others") {
		t.Fatalf("witness serve with a key others can read: %v", err)
	}
	os.Chmod(path, 0o600)
	if err := serveWitness(io.Discard, path, filepath.Join(dir, "w.state"), "127.0.0.1:0", []string{"not a key"}); err == nil {
		t.Fatal("witness serve took a log key that is not one")
	}
	if _, err := witness.ParseRemote("http://w.example/x=" + vkey); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"http://w.example", "ftp://w.example=" + vkey, "http://w.example=not-a-key"} {
		if _, err := witness.ParseRemote(bad); err == nil {
			t.Errorf("--witness %q was taken", bad)
		}
	}
}
