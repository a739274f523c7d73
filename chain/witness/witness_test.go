package witness_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/amanat-ledger/amanat/chain/witness"
)

const origin = "amanat.custody/0123456789abcdef"

// memLog is a log in memory, signed with a key named origin.
type memLog struct {
	signer note.Signer
	vkey   string
	stored []tlog.Hash
	n      int64
}

func newMemLog(t testing.TB) *memLog {
	skey, vkey, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return &memLog{signer: s, vkey: vkey}
}

func (l *memLog) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		out[i] = l.stored[x]
	}
	return out, nil
}

func (l *memLog) add(t testing.TB, leaves ...string) {
	for _, d := range leaves {
		hs, err := tlog.StoredHashes(l.n, []byte(d), l)
		if err != nil {
			t.Fatal(err)
		}
		l.stored = append(l.stored, hs...)
		l.n++
	}
}

func (l *memLog) root(t testing.TB, n int64) tlog.Hash {
	h, err := tlog.TreeHash(n, l)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// checkpoint is the log's signed checkpoint at its size.
func (l *memLog) checkpoint(t testing.TB) []byte {
	r := l.root(t, l.n)
	msg, err := note.Sign(&note.Note{Text: fmt.Sprintf("%s\n%d\n%s\n", origin, l.n, base64.StdEncoding.EncodeToString(r[:]))}, l.signer)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func (l *memLog) request(t testing.TB, old int64) []byte {
	var proof tlog.TreeProof
	if old > 0 && old < l.n {
		var err error
		if proof, err = tlog.ProveTree(l.n, old, l); err != nil {
			t.Fatal(err)
		}
	}
	return witness.Request{Old: uint64(old), Proof: proof, Checkpoint: l.checkpoint(t)}.Format()
}

func postTo(t testing.TB, url string, body []byte) (int, string, string) {
	t.Helper()
	res, err := http.Post(url+witness.Path, "text/plain", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Content-Type"), string(b)
}

// TestAddCheckpointAnswers: each answer of the protocol, from the wire.
func TestAddCheckpointAnswers(t *testing.T) {
	dir := t.TempDir()
	l := newMemLog(t)
	w, srv, skey := newWitness(t, dir, l.vkey)
	l.add(t, "a", "b", "c")
	v, err := witness.Verifier(w.PublicKey())
	if err != nil {
		t.Fatal(err)
	}

	code, _, body := postTo(t, srv.URL, l.request(t, 0))
	if code != 200 {
		t.Fatalf("first checkpoint: %d %s", code, body)
	}
	if _, _, err := witness.CosignatureLines(l.checkpoint(t), []byte(body), v); err != nil {
		t.Fatalf("the answer is not a cosignature of the checkpoint: %v", err)
	}
	l.add(t, "d", "e")
	code, ctype, body := postTo(t, srv.URL, l.request(t, 1))
	if code != http.StatusConflict || ctype != witness.SizeContentType || body != "3\n" {
		t.Fatalf("wrong old size: %d %q %q, want 409 text/x.tlog.size \"3\\n\"", code, ctype, body)
	}
	if code, _, body = postTo(t, srv.URL, l.request(t, 3)); code != 200 {
		t.Fatalf("3 -> 5 with a proof: %d %s", code, body)
	}
	// The same checkpoint again: cosigned again (a fresh timestamp).
	if code, _, body = postTo(t, srv.URL, l.request(t, 5)); code != 200 {
		t.Fatalf("5 -> 5: %d %s", code, body)
	}

	other := newMemLog(t) // the same origin, another key
	other.add(t, "a", "b", "c", "d", "e", "f")
	stranger := newMemLog(t)
	stranger.add(t, "x")
	strangerReq := bytes.Replace(stranger.request(t, 0), []byte(origin), []byte("amanat.custody/ffffffffffffffff"), 1)
	fork := newMemLog(t)
	fork.signer = l.signer
	fork.add(t, "a", "b", "c", "d", "X") // size 5, another root, the real key
	longer := newMemLog(t)
	longer.signer = l.signer
	longer.add(t, "a", "b", "c", "d", "X", "f")
	bad := l.request(t, 5)
	for _, tc := range []struct {
		name string
		body []byte
		want int
	}{
		{"not signed by the log's key", other.request(t, 5), http.StatusForbidden},
		{"a log the witness does not watch", strangerReq, http.StatusNotFound},
		{"old larger than the checkpoint", bytes.Replace(l.request(t, 5), []byte("old 5"), []byte("old 9"), 1), http.StatusBadRequest},
		{"no blank line", []byte("old 5\n"), http.StatusBadRequest},
		{"old with a leading zero", bytes.Replace(bad, []byte("old 5"), []byte("old 05"), 1), http.StatusBadRequest},
		{"a proof line that is not a hash", bytes.Replace(bad, []byte("old 5\n"), []byte("old 5\nnot-base64\n"), 1), http.StatusBadRequest},
		{"a fork at the same size", fork.request(t, 5), http.StatusUnprocessableEntity},
		{"a fork that grew", longer.request(t, 5), http.StatusUnprocessableEntity},
	} {
		if code, _, body := postTo(t, srv.URL, tc.body); code != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.name, code, body, tc.want)
		}
	}
	if res, err := http.Get(srv.URL + witness.Path); err != nil || res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET add-checkpoint: %v %v", res.StatusCode, err)
	}

	// A restarted witness holds what it cosigned: a rollback to 3 is a
	// conflict naming 5.
	w2 := startWitness(t, dir, skey, l.vkey)
	srv2 := httptest.NewServer(w2)
	defer srv2.Close()
	short := newMemLog(t)
	short.signer = l.signer
	short.add(t, "a", "b", "c")
	if code, _, body := postTo(t, srv2.URL, short.request(t, 3)); code != http.StatusConflict || body != "5\n" {
		t.Fatalf("a rollback after a restart: %d %q", code, body)
	}
}

// TestStateFileIsCheckedOnOpen: a state file whose checkpoint does not
// verify with its log's key is refused, never trusted.
func TestStateFileIsCheckedOnOpen(t *testing.T) {
	dir := t.TempDir()
	l := newMemLog(t)
	_, srv, skey := newWitness(t, dir, l.vkey)
	l.add(t, "a", "b")
	if code, _, body := postTo(t, srv.URL, l.request(t, 0)); code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	path := filepath.Join(dir, "witness.state")
	b, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(b), witness.StateFormat) {
		t.Fatalf("state file: %v %s", err, b)
	}
	if err := os.WriteFile(path, bytes.Replace(b, []byte("\\n2\\n"), []byte("\\n1\\n"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := witness.New(witness.Config{Key: skey, LogKeys: []string{l.vkey}, State: path, Logger: quiet}); err == nil {
		t.Fatal("a witness opened a state file edited by hand")
	}
}

// TestBundleCarriesCosignatures: with a witness, an item's bundle is
// against a cosigned checkpoint, carries the cosignature in its note, and
// still passes the bundle check.
func TestBundleCarriesCosignatures(t *testing.T) {
	svc := openStore(t, t.TempDir())
	defer svc.Close()
	w, srv, _ := newWitness(t, t.TempDir(), svc.Custody.PublicKey())
	startClient(t, svc, witness.Remote{URL: srv.URL, Key: w.PublicKey()})
	item := seize(t, svc)
	b, err := svc.ExportItem(context.Background(), item)
	if err != nil {
		t.Fatal(err)
	}
	cp := bundleCheckpoint(t, b)
	if ok, missing, err := witness.CheckCosignatures(cp, []string{w.PublicKey(), mustKey(t)}); err != nil || len(ok) != 1 || len(missing) != 1 {
		t.Fatalf("the bundle's cosignatures: ok %v missing %v %v", ok, missing, err)
	}
	checkBundle(t, svc, b)
}
