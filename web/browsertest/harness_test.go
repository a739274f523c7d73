// Package browsertest drives the web console in headless Chromium against a
// real `amanat serve --demo` process (docs/console.md, "Browser tests").
//
// TestMain builds the amanat binary, serves the demo from a store in a
// temporary folder on a free port, and reads the lines the demo prints
// (export NAME_PASSWORD=..., export NAME_TOKEN=...). Each test opens its own
// browser context (its own cookies) in one shared Chromium:
//
//	tab := login(t, "hq-custodian") // a signed-in tab of t
//	tab.open("/items/3")
//	screenshot(t, "item")           // PNG in $AMANAT_ARTIFACTS
//	axe(t)                          // no serious or critical violation
//	text := pdfText(t, printPDF(t))
//
// Without /usr/bin/chromium every test skips, unless AMANAT_BROWSER_TESTS=1
// (CI), which makes the missing browser a failure.
package browsertest

import (
	"bufio"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

const chromium = "/usr/bin/chromium"

// The demo server and the browser, shared by every test of the package.
var (
	skipReason string
	baseURL    string
	// demoEnv is what the demo printed as export NAME=VALUE lines.
	demoEnv    = map[string]string{}
	browserCtx context.Context
	// amanatBin is the binary TestMain built, for a test that serves
	// a demo of its own (serveDemo).
	amanatBin string
)

//go:embed testdata/axe-core/axe.min.js
var axeSource string

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	required := os.Getenv("AMANAT_BROWSER_TESTS") == "1"
	if _, err := os.Stat(chromium); err != nil {
		if required {
			fmt.Fprintf(os.Stderr, "browser tests: %s is missing and AMANAT_BROWSER_TESTS=1 requires it: apt-get install chromium fonts-noto-core fonts-noto-cjk poppler-utils\n", chromium)
			return 1
		}
		skipReason = chromium + " is missing (apt-get install chromium fonts-noto-core fonts-noto-cjk poppler-utils); set AMANAT_BROWSER_TESTS=1 to make this a failure"
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "amanat-browser-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	stop, err := startDemo(dir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "browser tests: %v\n", err)
		return 1
	}
	defer stop()
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.WindowSize(1366, 768))...)
	defer cancelAlloc()
	var cancelBrowser context.CancelFunc
	browserCtx, cancelBrowser = chromedp.NewContext(alloc)
	defer cancelBrowser()
	if err := chromedp.Do(browserCtx); err != nil {
		fmt.Fprintf(os.Stderr, "browser tests: start %s: %v\n", chromium, err)
		return 1
	}
	return m.Run()
}

// startDemo builds amanat into dir and serves the demo from a new store
// there on a free port, until stop.
func startDemo(dir string) (stop func(), err error) {
	amanatBin = filepath.Join(dir, "amanat")
	build := exec.Command("go", "build", "-o", amanatBin, "github.com/amanat-ledger/amanat/cmd/amanat")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("build amanat: %v\n%s", err, out)
	}
	srv, err := serve(amanatBin, dir, "--demo", "--db", filepath.Join(dir, "demo.db"))
	if err != nil {
		return nil, err
	}
	baseURL, demoEnv = srv.url, srv.env
	return srv.stop, nil
}

// server is one running `amanat serve`: where it listens, the export
// lines it printed (NAME → VALUE), and how to stop it.
type server struct {
	url  string
	env  map[string]string
	stop func()
}

// serveDemo serves a demo of t's own, from a new store in t's temporary
// folder, with the extra serve flags args; it stops when t ends.
func serveDemo(t testing.TB, args ...string) server {
	t.Helper()
	if skipReason != "" {
		t.Skip(skipReason)
	}
	dir := t.TempDir()
	srv, err := serve(amanatBin, dir, append([]string{"--demo", "--db", filepath.Join(dir, "demo.db")}, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.stop)
	return srv
}

// serve starts `amanat serve ARGS` on a free port and reads what it prints
// up to the line that says where it listens: the export lines and the
// address.
func serve(bin, dir string, args ...string) (srv server, err error) {
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Dir = dir
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return srv, err
	}
	logf, err := os.OpenFile(filepath.Join(dir, "serve.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return srv, err
	}
	cmd.Stderr = logf
	if err := cmd.Start(); err != nil {
		return srv, fmt.Errorf("start amanat serve: %w", err)
	}
	srv.env = map[string]string{}
	srv.stop = func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		logf.Close()
	}
	export := regexp.MustCompile(`^export ([A-Z0-9_]+)=(\S+)$`)
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		line := lines.Text()
		if m := export.FindStringSubmatch(line); m != nil && m[1] != "AMANAT" {
			srv.env[m[1]] = m[2]
		}
		if _, addr, ok := strings.Cut(line, " on http://"); ok && strings.HasPrefix(line, "amanat serving ") {
			srv.url = "http://" + addr
			break
		}
	}
	if srv.url == "" {
		srv.stop()
		log, _ := os.ReadFile(logf.Name())
		return srv, fmt.Errorf("amanat serve %s never said where it listens\n%s", strings.Join(args, " "), log)
	}
	go io.Copy(io.Discard, stdout)
	return srv, nil
}

// envName is the demo's variable prefix of a user: hq-auditor → HQ_AUDITOR.
func envName(user string) string {
	return strings.ToUpper(strings.ReplaceAll(user, "-", "_"))
}

// password is the demo password of user, as the demo printed it.
func password(t testing.TB, user string) string {
	t.Helper()
	p, ok := demoEnv[envName(user)+"_PASSWORD"]
	if !ok {
		t.Fatalf("the demo printed no password for %s", user)
	}
	return p
}

// token is the demo API token of user (hq-custodian) or of a role
// (custodian), as the demo printed it.
func token(t testing.TB, who string) string {
	t.Helper()
	p, ok := demoEnv[envName(who)+"_TOKEN"]
	if !ok {
		t.Fatalf("the demo printed no token for %s", who)
	}
	return p
}

// tab is one browser tab of a test, in a browser context of its own (its
// own cookies).
type tab struct {
	t   testing.TB
	ctx context.Context
	// base is the server the tab's paths are of: the shared demo's
	// unless a test points it at its own.
	base string
}

var (
	tabsMu sync.Mutex
	tabs   = map[testing.TB]*tab{}
)

// newTab opens a tab for t, which the free helpers (screenshot, axe,
// printPDF) then act on; it closes when the test ends.
func newTab(t testing.TB) *tab {
	t.Helper()
	if skipReason != "" {
		t.Skip(skipReason)
	}
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
		tabsMu.Lock()
		delete(tabs, t)
		tabsMu.Unlock()
	})
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 768)); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	tb := &tab{t: t, ctx: ctx, base: baseURL}
	tabsMu.Lock()
	tabs[t] = tb
	tabsMu.Unlock()
	return tb
}

// tabOf is the tab t opened last.
func tabOf(t testing.TB) *tab {
	t.Helper()
	tabsMu.Lock()
	defer tabsMu.Unlock()
	tb := tabs[t]
	if tb == nil {
		t.Fatal("this test has no tab: call newTab or login first")
	}
	return tb
}

// do runs steps, failing the test on an error.
func (tb *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, steps...); err != nil {
		tb.t.Fatalf("%s: %v", what, err)
	}
}

// open loads path of the demo server and answers the status of the page.
func (tb *tab) open(path string) int64 {
	tb.t.Helper()
	res, err := chromedp.RunResponse(tb.ctx, chromedp.Navigate(tb.base+path))
	if err != nil {
		tb.t.Fatalf("open %s: %v", path, err)
	}
	if res == nil {
		return 0
	}
	return res.Status
}

// fill sets the fields of the current page's form: CSS selector → value.
func (tb *tab) fill(fields map[string]string) {
	tb.t.Helper()
	for sel, v := range fields {
		tb.do("fill "+sel, chromedp.SetValue(chromedp.CSS(sel), v))
	}
}

// submit clicks sel (a submit button) and waits for the page it loads.
func (tb *tab) submit(sel string) {
	tb.t.Helper()
	if _, err := chromedp.Run(tb.ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel)))); err != nil {
		tb.t.Fatalf("submit %s: %v", sel, err)
	}
}

// text is the visible text of the first element sel matches.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		tb.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// has reports whether sel matches an element of the current page.
func (tb *tab) has(sel string) bool {
	tb.t.Helper()
	n, err := chromedp.Run(tb.ctx, chromedp.Evaluate[int](fmt.Sprintf("document.querySelectorAll(%q).length", sel)))
	if err != nil {
		tb.t.Fatalf("query %s: %v", sel, err)
	}
	return n > 0
}

// path is the current page's path and query.
func (tb *tab) path() string {
	tb.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string]("location.pathname + location.search"))
	if err != nil {
		tb.t.Fatalf("location: %v", err)
	}
	return s
}

// signIn fills the login form with user and pass and sends it.
func (tb *tab) signIn(user, pass string) {
	tb.t.Helper()
	if tb.open("/login") != http.StatusOK {
		tb.t.Fatalf("the login page is not there")
	}
	tb.fill(map[string]string{"#username": user, "#password": pass})
	tb.submit("form[action='/login'] button[type=submit]")
}

// login opens a tab for t signed in as the demo user user (hq-custodian,
// lahore-custodian, ...), on the page the login sends it to.
func login(t testing.TB, user string) *tab {
	t.Helper()
	tb := newTab(t)
	tb.signIn(user, password(t, user))
	if p := tb.path(); strings.HasPrefix(p, "/login") {
		t.Fatalf("sign in as %s: still on %s: %s", user, p, tb.text("main"))
	}
	return tb
}

// artifacts is the folder screenshots and PDFs are written to: env
// AMANAT_ARTIFACTS, else the test's temporary folder.
func artifacts(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("AMANAT_ARTIFACTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// artifactPath is where t's artifact name goes.
func artifactPath(t testing.TB, name string) string {
	return filepath.Join(artifacts(t), unsafeName.ReplaceAllString(t.Name()+"-"+name, "_"))
}

// screenshot writes a PNG of the whole current page of t's tab as an
// artifact named after the test and name.
func screenshot(t testing.TB, name string) string {
	t.Helper()
	png, err := chromedp.Run(tabOf(t).ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	p := artifactPath(t, name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// axeViolation is one rule axe-core found broken.
type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
}

// axe runs the vendored axe-core on the current page of t's tab and fails
// the test on every serious or critical violation.
func axe(t testing.TB) {
	t.Helper()
	tb := tabOf(t)
	if _, err := chromedp.Call(tb.ctx, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true}); err != nil {
		t.Fatalf("axe: %v", err)
	}
	if err := chromedp.Do(tb.ctx, chromedp.Evaluate[chromedp.Void](axeSource)); err != nil {
		t.Fatalf("load axe-core: %v", err)
	}
	raw, err := chromedp.Run(tb.ctx, chromedp.Evaluate[[]byte](`axe.run(document, {resultTypes: ["violations"]}).then(r =>
		r.violations.map(v => ({id: v.id, impact: v.impact || "", help: v.help,
			targets: v.nodes.map(n => n.target.join(" "))})))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("run axe-core: %v", err)
	}
	var vs []axeViolation
	if err := json.Unmarshal(raw, &vs); err != nil {
		t.Fatalf("axe-core's answer %s: %v", raw, err)
	}
	for _, v := range vs {
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Errorf("axe on %s: %s (%s): %s at %s", tb.path(), v.ID, v.Impact, v.Help, strings.Join(v.Targets, ", "))
		}
	}
}

// printPDF prints the current page of t's tab as Chromium's print does (A4,
// backgrounds), writes it as an artifact and answers it.
func printPDF(t testing.TB) []byte {
	t.Helper()
	pdf, err := chromedp.Run(tabOf(t).ctx, chromedp.PrintToPDF(chromedp.PDFPrintBackground()))
	if err != nil {
		t.Fatalf("print to PDF: %v", err)
	}
	if err := os.WriteFile(artifactPath(t, fmt.Sprintf("print-%d.pdf", time.Now().UnixNano())), pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	return pdf
}

// pdfText is the text of a PDF as poppler's pdftotext reads it.
func pdfText(t testing.TB, pdf []byte) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(f, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", f, "-").Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("pdftotext: %v: %s", err, ee.Stderr)
		}
		t.Fatalf("pdftotext (poppler-utils): %v", err)
	}
	return string(out)
}

// api sends one API request with who's demo token (a user such as
// hq-custodian or a role such as custodian) and answers the status and
// body.
func api(t testing.TB, who, method, path, body string) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, baseURL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token(t, who))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, b
}
