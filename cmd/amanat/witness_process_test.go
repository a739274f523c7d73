package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/alerts"
	"github.com/amanat-ledger/amanat/chain/witness"
)

// proc is a child process of the test binary run as amanat.
type proc struct {
	cmd    *exec.Cmd
	stderr strings.Builder
	lines  chan string
}

// run starts amanat ARGS and waits for a line starting with ready; it
// answers the process and that line.
func run(t *testing.T, ready string, args ...string) (*proc, string) {
	t.Helper()
	p := &proc{cmd: exec.Command(os.Args[0], args...), lines: make(chan string, 100)}
	p.cmd.Env = append(os.Environ(), "AMANAT_RUN_MAIN=1")
	p.cmd.Stderr = &p.stderr
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.cmd.Process.Kill(); p.cmd.Wait() })
	go func() {
		s := bufio.NewScanner(out)
		for s.Scan() {
			p.lines <- s.Text()
		}
		close(p.lines)
	}()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case l, ok := <-p.lines:
			if !ok {
				t.Fatalf("amanat %s exited before %q: %s", args[0], ready, p.stderr.String())
			}
			if strings.HasPrefix(l, ready) {
				return p, l
			}
		case <-timeout:
			t.Fatalf("amanat %s never printed %q", args[0], ready)
		}
	}
}

// stop sends SIGTERM and waits for the process to exit.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.cmd.Wait()
}

func after(line, sep string) string { _, a, _ := strings.Cut(line, sep); return a }

// api calls the server at base as token and decodes the JSON answer.
func api(t *testing.T, method, url, token, body string, v any) int {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s %s: %d %s", method, url, res.StatusCode, b)
		}
	}
	return res.StatusCode
}

func createCase(t *testing.T, base, token, fir string) {
	t.Helper()
	if code := api(t, http.MethodPost, base+"/v1/cases", token, fmt.Sprintf(`{"fir":%q,"circle":"islamabad","operation":"Grey","title":"Call centre, F-7"}`, fir), nil); code != http.StatusCreated {
		t.Fatalf("create case %s: %d", fir, code)
	}
}

type verifyAnswer struct {
	OK     bool
	Checks []struct {
		Name, Error string
		OK          bool
	}
}

// waitFor polls until ok, for at most 20 s.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("timed out waiting until %s", what)
}

// cosignedSize is the size of the served checkpoint when it carries the
// witness's cosignature, else 0.
func cosignedSize(t *testing.T, base, token, wkey string) uint64 {
	var cp struct {
		TreeSize   uint64 `json:"tree_size"`
		Checkpoint string
	}
	api(t, http.MethodGet, base+"/v1/custody/checkpoint", token, "", &cp)
	if ok, _, _ := witness.CheckCosignatures([]byte(cp.Checkpoint), []string{wkey}); len(ok) == 1 {
		return cp.TreeSize
	}
	return 0
}

// TestWitnessAcrossProcesses: amanat witness serve and amanat serve
// --witness as separate processes. The witness cosigns; then a store put
// back to an older copy (with its checkpoint file, as an insider would)
// and a forked history signed with the real key are both refused by the
// witness, and each server says so in verify and alerts.
func TestWitnessAcrossProcesses(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "amanat.db")
	a, err := createServiceWith(db, db+".key", alerts.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	auditor, err := access.CreateToken(a.Store, access.RoleAuditor, "aleena", "test")
	if err != nil {
		t.Fatal(err)
	}
	custodian, err := access.CreateToken(a.Store, access.RoleCustodian, "asma", "test")
	if err != nil {
		t.Fatal(err)
	}
	seizeOne(t, a)
	logKey := a.Custody.PublicKey()
	a.Close()

	run(t, "amanat.witness/lahore+", "witness", "key", "--out", filepath.Join(dir, "w.key"), "--name", "amanat.witness/lahore")
	wp, line := run(t, "amanat witness serving on ", "witness", "serve", "--key", filepath.Join(dir, "w.key"), "--log-key", logKey, "--addr", "127.0.0.1:0")
	wurl := "http://" + after(line, "http://")
	wkey := strings.TrimSpace(mustRead(t, filepath.Join(dir, "w.key.pub")))

	serve := func(db string) (*proc, string) {
		p, line := run(t, "amanat serving ", "serve", "--db", db, "--addr", "127.0.0.1:0", "--witness", wurl+"="+wkey)
		return p, "http://" + after(line, "http://")
	}
	s, base := serve(db)
	waitFor(t, "the witness cosigned", func() bool { return cosignedSize(t, base, auditor, wkey) > 0 })
	s.stop(t)
	for _, f := range []string{db, db + ".checkpoint"} {
		copyTo(t, f, f+".old")
	}
	s, base = serve(db)
	createCase(t, base, custodian, "1/2026")
	createCase(t, base, custodian, "2/2026")
	waitFor(t, "the witness cosigned the newer log", func() bool { return cosignedSize(t, base, auditor, wkey) > 0 })
	var v verifyAnswer
	if api(t, http.MethodGet, base+"/v1/verify", auditor, "", &v); !v.OK {
		t.Fatalf("verify of the honest store: %+v", v)
	}
	s.stop(t)

	// The rollback: the older copy put back, the server restarted.
	for _, f := range []string{db, db + ".checkpoint"} {
		copyTo(t, f+".old", f)
	}
	s, base = serve(db)
	waitFor(t, "verify reported the rollback", func() bool {
		api(t, http.MethodGet, base+"/v1/verify", auditor, "", &v)
		last := v.Checks[len(v.Checks)-1]
		return !v.OK && last.Name == "witnesses" && strings.Contains(last.Error, witness.RuleRefused)
	})
	assertAlertOver(t, base, auditor, witness.RuleRefused)
	// Grown past the size the witness holds, on another history: refused
	// by the consistency proof, and the witness logs it.
	for i := range 4 {
		createCase(t, base, custodian, fmt.Sprintf("%d/2027", i+1))
	}
	waitFor(t, "the witness refused a proof", func() bool { return strings.Contains(wp.stderr.String(), "witness refused an inconsistent checkpoint") })
	s.stop(t)

	// The fork: a new store signed with the real key.
	fork := filepath.Join(t.TempDir(), "fork.db")
	copyTo(t, db+".key", fork+".key")
	f, err := createServiceWith(fork, fork+".key", alerts.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	forkAuditor, err := access.CreateToken(f.Store, access.RoleAuditor, "aleena", "test")
	if err != nil {
		t.Fatal(err)
	}
	seizeOne(t, f) // the same seizure, recorded at another instant
	f.Close()
	s, base = serve(fork)
	waitFor(t, "verify reported the fork", func() bool {
		api(t, http.MethodGet, base+"/v1/verify", forkAuditor, "", &v)
		last := v.Checks[len(v.Checks)-1]
		return !v.OK && last.Name == "witnesses" && strings.Contains(last.Error, witness.RuleRefused)
	})
	assertAlertOver(t, base, forkAuditor, witness.RuleRefused)
	s.stop(t)
	wp.stop(t)
}

// TestWriteNeverWaitsForWitness: amanat serve --witness, with the witness's
// handler deliberately held; writes over HTTP return while it is held.
func TestWriteNeverWaitsForWitness(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "amanat.db")
	a, err := createServiceWith(db, db+".key", alerts.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	custodian, err := access.CreateToken(a.Store, access.RoleCustodian, "asma", "test")
	if err != nil {
		t.Fatal(err)
	}
	seizeOne(t, a)
	a.Close()
	entered, release := make(chan struct{}, 100), make(chan struct{})
	held := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
	}))
	defer held.Close()
	defer close(release)
	_, vkey, err := witness.NewKey("amanat.witness/held")
	if err != nil {
		t.Fatal(err)
	}
	s, line := run(t, "amanat serving ", "serve", "--db", db, "--addr", "127.0.0.1:0", "--witness", held.URL+"="+vkey)
	base := "http://" + after(line, "http://")
	select {
	case <-entered:
	case <-time.After(20 * time.Second):
		t.Fatal("the server never sent its checkpoint")
	}
	done := make(chan struct{})
	go func() {
		for i := range 5 {
			createCase(t, base, custodian, fmt.Sprintf("%d/2026", i+1))
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("a write waited for the held witness")
	}
	if len(entered) != 0 {
		t.Fatalf("%d more requests reached the held witness; one is in flight at a time", len(entered))
	}
	s.cmd.Process.Kill()
}

func assertAlertOver(t *testing.T, base, token, rule string) {
	t.Helper()
	var page struct{ Data []struct{ Rule string } }
	api(t, http.MethodGet, base+"/v1/alerts", token, "", &page)
	for _, a := range page.Data {
		if a.Rule == rule {
			return
		}
	}
	t.Fatalf("no %s alert: %+v", rule, page.Data)
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func copyTo(t *testing.T, from, to string) {
	t.Helper()
	if err := os.WriteFile(to, []byte(mustRead(t, from)), 0o600); err != nil {
		t.Fatal(err)
	}
}
