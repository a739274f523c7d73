package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/service"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/text"
)

// FuzzWrites sends mutated requests of every write endpoint to the real
// router on a real store and checks what the API promises of any request,
// however bad:
//
//   - the answer is never a 5xx, and every 4xx is an RFC 7807 problem (a
//     422 naming at least one field and a reason);
//   - a refused request changes no byte of any bucket of the store;
//   - an accepted one leaves the ledger checker and custody verification
//     passing and every list readable, and did not take text the product
//     refuses everywhere (invalid UTF-8, control characters, wallet
//     secrets).
//
// Every input starts from a copy of the same small store (a case, a cash bag,
// a wallet, two rates), so a failing input replays exactly. The input drives
// the mutator in fuzzmutate_test.go; docs/testing.md says how to run it and
// lists what it found.
//
//	go test -run '^$' -fuzz FuzzWrites -fuzztime 60s -parallel 1 ./httpapi
func FuzzWrites(f *testing.F) {
	fx := newFuzzFixture(f)
	for i := range fx.seeds {
		f.Add([]byte{byte(i)})             // as it is
		f.Add([]byte{byte(fuzzSlots + i)}) // with an Idempotency-Key, sent twice
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		runFuzzInput(t, fx, input)
	})
}

// fuzzKnown lets an exploring run step past failures already found: a
// failure whose class matches is skipped, so the fuzzer can look for the
// next one. For exploration only; the plain run and CI never set it.
var fuzzKnown = flag.String("fuzzwrites.known", "", "skip FuzzWrites failures whose class matches this regexp (exploration only)")

// maxFuzzMutations bounds the mutations of one input; the rest is ignored.
const maxFuzzMutations = 6

// fuzzSlots is how many seeds the first byte of an input can name. The
// seed is slot first%fuzzSlots of the table, whatever its length, so a seed
// appended to the table leaves every kept input on the seed it was found
// with; a slot with no seed yet skips. A first byte of fuzzSlots or more
// sends every write with an Idempotency-Key.
const fuzzSlots = 128

func runFuzzInput(t *testing.T, fx *fuzzFixture, input []byte) {
	// A seizure with a key is judged inside the write, not before it.
	seed, keyed, steps, did, ok := planFuzzInput(fx, input)
	if !ok {
		t.Skipf("seed slot %d is empty (the table has %d seeds)", int(input[0])%fuzzSlots, len(fx.seeds))
	}
	fs := fx.open(t)
	for i, st := range steps {
		key := ""
		if keyed {
			key = fmt.Sprintf("fuzz-%d", i)
		}
		fs.send(t, fmt.Sprintf("seed %q, mutations %q, step %d, idempotency key %q", seed.name, did, i, key), st, key)
	}
}

// planFuzzInput reads an input as the mutator does: the seed its first byte
// names, whether it sends Idempotency-Keys, the mutated requests and what
// each mutation did. ok is false when the slot has no seed yet.
func planFuzzInput(fx *fuzzFixture, input []byte) (seed fuzzSeed, keyed bool, steps []fuzzStep, did []string, ok bool) {
	r := &fuzzBytes{b: input}
	slot, keyed := fuzzSlot(r.next())
	if slot >= len(fx.seeds) {
		return fuzzSeed{}, keyed, nil, nil, false
	}
	seed = fx.seeds[slot]
	steps = make([]fuzzStep, len(seed.steps))
	for i, st := range seed.steps {
		steps[i] = st.clone()
	}
	for n := 0; r.more() && n < maxFuzzMutations; n++ {
		kept := make([]fuzzStep, len(steps))
		for i, st := range steps {
			kept[i] = st.clone()
		}
		d := mutate(steps, r)
		if tooBig(steps) {
			// A long string copied into a thousand elements would be a
			// gigabyte: past the body limit nothing new is learnt.
			steps, d = kept, d+" (undone: body over the size cap)"
		}
		did = append(did, d)
	}
	return seed, keyed, steps, did, true
}

// fuzzSlot is the seed slot a first byte names, and whether the input
// sends its writes with an Idempotency-Key.
func fuzzSlot(first byte) (slot int, keyed bool) {
	return int(first) % fuzzSlots, int(first) >= fuzzSlots
}

// maxFuzzBody is the largest body the mutator builds: just past the
// server's 1 MiB body limit, so the limit is tried but memory and time stay
// small.
const maxFuzzBody = 1<<20 + 64<<10

func tooBig(steps []fuzzStep) bool {
	for _, st := range steps {
		if st.body != nil && st.body.size(maxFuzzBody) > maxFuzzBody {
			return true
		}
	}
	return false
}

// fuzzFixture is the store every input starts from, kept as files and
// copied per input, with what the seeds need to know of it.
type fuzzFixture struct {
	dir      string            // the store, its custody key and witness
	tokens   map[string]string // role -> token
	now      time.Time         // when the store was made; seeds' times hang off it
	caseID   uint64
	cashID   uint64
	walletID uint64
	seeds    []fuzzSeed
}

// newFuzzFixture builds the starting store in a directory of tb's, once
// per fuzz test run (each fuzz worker process runs it once).
func newFuzzFixture(tb testing.TB) *fuzzFixture {
	tb.Helper()
	fx, err := buildFuzzFixture(tb.TempDir())
	if err != nil {
		tb.Fatalf("build the fuzz store: %v", err)
	}
	return fx
}

// fuzzServer is one input's server: the services wired as cmd/amanat wires
// them, on that input's own copy of the store.
type fuzzServer struct {
	s      *Server
	store  *ledger.Store
	tokens map[string]string
	fx     *fuzzFixture
}

func openFuzzServer(dir string, tokens map[string]string) (*fuzzServer, error) {
	// NoSync: a fuzz store is thrown away, and an fsync per write would
	// cost most of the run.
	// Cheap password hashes: the user seeds hash one or two per input.
	svc, err := service.Open(filepath.Join(dir, "api.db"), service.Options{Store: ledger.Options{NoSync: true},
		Users: access.UsersOptions{Password: access.PasswordParams{Time: 1, MemoryKiB: 64, Threads: 1, SaltLen: 16, KeyLen: 32}}})
	if err != nil {
		return nil, err
	}
	s, err := New(Config{Service: svc, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		svc.Close()
		return nil, err
	}
	return &fuzzServer{s: s, store: svc.Store, tokens: tokens}, nil
}

func (fs *fuzzServer) close() error {
	err := fs.s.custody.Close()
	if cerr := fs.store.Close(); err == nil {
		err = cerr
	}
	return err
}

// raw sends one request, with headers given as name, value pairs, and
// returns the recorder.
func (fs *fuzzServer) raw(role, method, path string, body []byte, headers ...string) *httptest.ResponseRecorder {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+fs.tokens[role])
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	fs.s.Echo().ServeHTTP(rec, req)
	return rec
}

// buildFuzzFixture makes the starting store in dir: the role tokens (ids 1
// to 5) and two spare investigator tokens to revoke (6, 7), a case, a
// seizure of a cash bag (USD 900.00, seal FZ-1) and a bitcoin wallet
// (0.12345678 BTC, seal FZ-2), and USD and BTC rates.
func buildFuzzFixture(dir string) (*fuzzFixture, error) {
	fx := &fuzzFixture{dir: dir, tokens: map[string]string{}, now: time.Now().UTC().Truncate(time.Second)}
	fs, err := openFuzzServer(dir, fx.tokens)
	if err != nil {
		return nil, err
	}
	for _, role := range access.Roles {
		tok, err := access.CreateToken(fs.store, role, "fuzz-"+role, "test")
		if err != nil {
			return nil, err
		}
		fx.tokens[role] = tok
	}
	for i := 1; i <= 2; i++ {
		if _, err := access.CreateToken(fs.store, access.RoleInvestigator, fmt.Sprintf("spare-%d", i), "test"); err != nil {
			return nil, err
		}
	}
	post := func(role, path, body string, out any) error {
		rec := fs.raw(role, http.MethodPost, path, []byte(body))
		if rec.Code != http.StatusCreated {
			return fmt.Errorf("POST %s: %d %s", path, rec.Code, rec.Body)
		}
		if out != nil {
			return json.Unmarshal(rec.Body.Bytes(), out)
		}
		return nil
	}
	var cs struct{ ID uint64 }
	if err := post(access.RoleCustodian, "/v1/cases", `{"fir":"31/2026","circle":"islamabad","operation":"Grey","title":"Call centre, I-8"}`, &cs); err != nil {
		return nil, err
	}
	var rc receipt
	if err := post(access.RoleCustodian, "/v1/seizures", fmt.Sprintf(`{"case_id":%d,"seized_at":%q,"location":{"building":"Plot 9, I-8 Markaz"},
		"seized_from":{"name":"Nguyen Van An","nationality":"VN","id_type":"passport","id_number":"C7654321"},"officer":"Inspector Ayesha Khan",
		"items":[{"kind":"cash","seal":"FZ-1","description":"bag of notes","amounts":[{"currency":"USD","amount":"900.00"}]},
		{"kind":"wallet","seal":"FZ-2","description":"Trust Wallet on a phone","chain":"bitcoin","network":"mainnet","address":"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
		 "holdings":[{"currency":"BTC","amount":"0.12345678"}]}]}`, cs.ID, fx.at(-180)), &rc); err != nil {
		return nil, err
	}
	if len(rc.ItemIDs) != 2 {
		return nil, fmt.Errorf("seizure registered %d items, want 2", len(rc.ItemIDs))
	}
	fx.caseID, fx.cashID, fx.walletID = cs.ID, rc.ItemIDs[0], rc.ItemIDs[1]
	for _, body := range []string{
		`{"currency":"USD","rate":"278.65","effective":"2025-06-02","source":"sbp-interbank"}`,
		`{"currency":"BTC","rate":"30000000.5","effective":"2025-06-02","source":"exchange-close"}`,
	} {
		if err := post(access.RoleFinance, "/v1/rates", body, nil); err != nil {
			return nil, err
		}
	}
	// Court orders 1 to 4: the releases of the seeds carry them out.
	day := fx.now.Add(-180 * time.Minute).UTC().Format(time.DateOnly) // the seizure's day
	for _, o := range []struct{ kind, item, extra string }{
		{"forfeiture", "cash", ""}, {"return", "cash", `,"to":"Nguyen Van An"`}, {"disposal", "cash", ""}, {"sale", "wallet", ""},
	} {
		item := fx.cashID
		if o.item == "wallet" {
			item = fx.walletID
		}
		if err := post(access.RoleCustodian, "/v1/court-orders", fmt.Sprintf(`{"kind":%q,"court":"Sessions Court, Islamabad","case_number":"CrM 31/2026","number":"CO-%s/2026","date":%q,"items":[%d],"scan_sha256":"%s"%s}`,
			o.kind, o.kind, day, item, strings.Repeat("5e", 32), o.extra), nil); err != nil {
			return nil, err
		}
	}
	if err := fs.close(); err != nil {
		return nil, err
	}
	fx.seeds = fuzzSeeds(fx)
	return fx, nil
}

// at is the fixture's clock moved by minutes, as RFC 3339.
func (fx *fuzzFixture) at(minutes int) string {
	return fx.now.Add(time.Duration(minutes) * time.Minute).Format(time.RFC3339)
}

// open copies the starting store for one input and serves it.
func (fx *fuzzFixture) open(t testing.TB) *fuzzServer {
	t.Helper()
	dir := t.TempDir()
	ents, err := os.ReadDir(fx.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(fx.dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	fs, err := openFuzzServer(dir, fx.tokens)
	if err != nil {
		t.Fatalf("open the fuzz store: %v", err)
	}
	fs.fx = fx
	t.Cleanup(func() {
		if err := fs.close(); err != nil {
			t.Errorf("close the fuzz store: %v", err)
		}
	})
	return fs
}

// send makes one request of an input and checks the answer and the store.
// With an idempotency key an accepted write is sent again, and must be
// answered from the first answer with nothing written.
func (fs *fuzzServer) send(t *testing.T, where string, st fuzzStep, key string) {
	t.Helper()
	body := st.encoded()
	var headers []string
	if key != "" {
		headers = []string{"Idempotency-Key", key}
	}
	before := booksFingerprint(t, fs.store)
	start := time.Now()
	rec := fs.raw(st.role, st.method, st.path, body, headers...)
	t.Logf("%s %s: %d bytes, answered %d in %v (%s)", st.method, st.path, len(body), rec.Code, time.Since(start), where)
	endpoint := st.method + " " + routeOf(st.path)
	fail := func(class, format string, args ...any) {
		t.Helper()
		class = endpoint + ": " + class
		msg := fmt.Sprintf("%s\n%s\nrequest: %s %s as %q\nbody: %s\nanswer: %d %s", class, fmt.Sprintf(format, args...),
			st.method, st.path, st.role, clip(string(body), 800), rec.Code, clip(rec.Body.String(), 800))
		msg += "\n(" + where + ")"
		if *fuzzKnown != "" && regexp.MustCompile(*fuzzKnown).MatchString(class) {
			t.Skip("known: " + msg)
		}
		t.Fatal(msg)
	}
	switch {
	case rec.Code >= 500:
		fail(fmt.Sprintf("answered %d", rec.Code), "a request, however bad, must never be a server error")
	case rec.Code >= 400:
		if err := problemBody(rec); err != nil {
			fail("a 4xx that is not a problem", "%v", err)
		}
		if after := booksFingerprint(t, fs.store); !equalFingerprints(before, after) {
			fail(fmt.Sprintf("refused %d but changed the store", rec.Code), "buckets changed: %v", changedBuckets(before, after))
		}
	case rec.Code >= 200 && rec.Code < 300:
		// Only a write that stored something can have stored bad text (an
		// address validation answers 200 with valid:false and keeps
		// nothing).
		sent := st.body // the bytes as sent: parseJSON reads invalid UTF-8 as U+FFFD
		if st.truncate >= 0 {
			sent, _ = parseJSON(string(body))
		}
		if kind, reason := refusedText(sent); kind != "" && !equalFingerprints(before, booksFingerprint(t, fs.store)) {
			fail("accepted "+kind, "%s", reason)
		}
		if what, detail := fs.checkBooks(); what != "" {
			fail("accepted, then "+what, "%s", detail)
		}
		if key != "" && idempotentRoutes[routeOf(st.path)] {
			written := booksFingerprint(t, fs.store)
			again := fs.raw(st.role, st.method, st.path, body, headers...)
			// A token's secret is in its first answer only: the stored
			// answer a retry gets is the record without it.
			same := again.Body.String() == rec.Body.String() || routeOf(st.path) == "/v1/tokens"
			if again.Code != rec.Code || !same || again.Header().Get("Idempotent-Replayed") != "true" {
				fail("a retry with the same Idempotency-Key is not the first answer", "retry: %d %s", again.Code, clip(again.Body.String(), 400))
			}
			if after := booksFingerprint(t, fs.store); !equalFingerprints(written, after) {
				fail("a retry with the same Idempotency-Key wrote again", "buckets changed: %v", changedBuckets(written, after))
			}
		}
	default:
		fail(fmt.Sprintf("answered %d", rec.Code), "a write answers 2xx or 4xx")
	}
}

// idempotentRoutes are the writes that take an Idempotency-Key
// (docs/api.md, "Idempotent writes"); a revocation is idempotent by itself,
// and an address validation writes nothing.
var idempotentRoutes = map[string]bool{
	"/v1/cases": true, "/v1/seizures": true, "/v1/items/{id}/custody": true, "/v1/rates": true,
	"/v1/conversions": true, "/v1/reconciliations": true, "/v1/tokens": true, "/v1/court-orders": true,
}

var pathIDRE = regexp.MustCompile(`^(/v1/(?:items|tokens|users))/[^/?]+`)

// routeOf names the route of a path, so failures of one endpoint group
// together whatever id the mutator put in.
func routeOf(path string) string { return pathIDRE.ReplaceAllString(path, "$1/{id}") }

func clip(s string, n int) string {
	if len(s) <= n {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q... (%d bytes)", s[:n], len(s))
}

// problemBody checks an RFC 7807 answer: the media type, a body that says
// the same status, and for a 422 the field at fault and why.
func problemBody(rec *httptest.ResponseRecorder) error {
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		return fmt.Errorf("content type %q, want application/problem+json", ct)
	}
	var p Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		return fmt.Errorf("the problem body is not JSON: %v", err)
	}
	if p.Status != rec.Code || p.Type == "" || p.Title == "" || p.Detail == "" {
		return fmt.Errorf("incomplete problem: %+v", p)
	}
	if rec.Code == http.StatusUnprocessableEntity {
		if len(p.Errors) == 0 {
			return fmt.Errorf("a 422 must name the field at fault")
		}
		for _, fe := range p.Errors {
			// An unknown key may itself be "" (named exactly, then).
			if fe.Field == "" && fe.Reason != "unknown field" || fe.Reason == "" {
				return fmt.Errorf("a field error without field or reason: %+v", fe)
			}
		}
	}
	return nil
}

// booksFingerprint digests every key and value of every bucket, nested
// buckets included, bucket by bucket, so a failure can name what changed.
func booksFingerprint(t testing.TB, store *ledger.Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	var walk func(name string, b *bolt.Bucket) error
	walk = func(name string, b *bolt.Bucket) error {
		h := sha256.New()
		fmt.Fprintf(h, "seq %d\n", b.Sequence())
		err := b.ForEach(func(k, v []byte) error {
			if v == nil {
				if nb := b.Bucket(k); nb != nil {
					fmt.Fprintf(h, "bucket %x\n", k)
					return walk(name+"/"+string(k), nb)
				}
			}
			fmt.Fprintf(h, "%x=%x\n", k, v)
			return nil
		})
		out[name] = hex.EncodeToString(h.Sum(nil))
		return err
	}
	err := store.DB().View(func(btx *bolt.Tx) error {
		return btx.ForEach(func(name []byte, b *bolt.Bucket) error {
			if strings.HasPrefix(string(name), "audit.") {
				return nil // every request, a refused one too, is audited
			}
			return walk(string(name), b)
		})
	})
	if err != nil {
		t.Fatalf("fingerprint the store: %v", err)
	}
	return out
}

func equalFingerprints(a, b map[string]string) bool { return len(changedBuckets(a, b)) == 0 }

func changedBuckets(a, b map[string]string) []string {
	var out []string
	for k, v := range a {
		if b[k] != v {
			out = append(out, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k+" (new)")
		}
	}
	sort.Strings(out)
	return out
}

// refusedText says why an accepted body should have been refused: every
// free-text field goes through one check (package ledger/text) that refuses
// invalid UTF-8, control characters other than tab and line breaks, the
// replacement character and wallet secrets, so no accepted body may carry
// them, whatever the field. Only the values the decoder keeps count: of keys
// that encoding/json takes for one field (equal without regard to case) the
// last wins. It returns the kind of text ("" when the body is clean) and
// where it is.
func refusedText(root *jsonValue) (kind, reason string) {
	if root == nil {
		return "", "" // no body, or not JSON: nothing was decoded from it
	}
	check := func(path, s string) {
		if kind != "" {
			return
		}
		if !utf8.ValidString(s) {
			kind, reason = "invalid UTF-8", path+" is not valid UTF-8 (the decoder keeps U+FFFD in place of the bad bytes)"
			return
		}
		for _, r := range s {
			if r == utf8.RuneError {
				kind, reason = "U+FFFD", path+" holds U+FFFD"
				return
			}
			if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
				kind, reason = "a control character", fmt.Sprintf("%s holds %U", path, r)
				return
			}
		}
		if k := text.SecretKind(s); k != "" {
			kind, reason = "a wallet secret", fmt.Sprintf("%s holds %s", path, k)
		}
	}
	var walk func(v *jsonValue, path string)
	walk = func(v *jsonValue, path string) {
		switch v.kind {
		case '"':
			check(path, v.text)
		case '[':
			for i, e := range v.elems {
				walk(e, fmt.Sprintf("%s[%d]", path, i))
			}
		case '{':
			for i, k := range v.keys {
				if shadowed(v.keys, i) {
					continue
				}
				p := k
				if path != "" {
					p = path + "." + k
				}
				walk(v.elems[i], p)
			}
		}
	}
	walk(root, "")
	return kind, reason
}

// shadowed says whether a later key of the object sets the same field as
// keys[i], so that encoding/json drops the value of keys[i].
func shadowed(keys []string, i int) bool {
	for _, k := range keys[i+1:] {
		if strings.EqualFold(k, keys[i]) {
			return true
		}
	}
	return false
}

// checkBooks runs the store's checkers and reads every list. It returns
// what failed, in words that stay the same whatever the input (the class of
// the failure), and the detail; "" when all is well.
func (fs *fuzzServer) checkBooks() (what, detail string) {
	parts, ok := fs.s.svc.RunChecks()
	if !ok {
		for _, p := range parts {
			if !p.OK {
				return "the " + p.Name + " checker fails", p.Error
			}
		}
		return "the checkers fail", fmt.Sprint(parts)
	}
	today := time.Now().UTC().Format(time.DateOnly)
	reads := []struct{ role, path string }{
		{access.RoleAuditor, "/v1/verify"},
		{access.RoleAuditor, "/v1/cases?limit=1000"},
		{access.RoleAuditor, "/v1/balances?limit=1000"},
		{access.RoleAuditor, "/v1/valuation?as_of=" + today},
		{access.RoleAuditor, "/v1/valuation?group_by=case"},
		{access.RoleAuditor, "/v1/reconciliations?limit=1000"},
		{access.RoleAuditor, "/v1/reconciliations/discrepancies"},
		{access.RoleAuditor, "/v1/conversions?limit=1000"},
		{access.RoleAuditor, "/v1/rates?limit=1000"},
		{access.RoleAuditor, "/v1/rates?as_of=" + today},
		{access.RoleAdmin, "/v1/tokens?limit=1000"},
	}
	for _, rd := range reads {
		if rec := fs.raw(rd.role, http.MethodGet, rd.path, nil); rec.Code != http.StatusOK {
			return fmt.Sprintf("GET %s answers %d", routeOf(rd.path), rec.Code), clip(rec.Body.String(), 300)
		}
	}
	if rec := fs.raw(access.RoleAuditor, http.MethodGet, "/v1/verify", nil); !strings.Contains(rec.Body.String(), `"ok":true`) {
		return "GET /v1/verify does not say ok", clip(rec.Body.String(), 300)
	}
	rec := fs.raw(access.RoleAuditor, http.MethodGet, "/v1/items?limit=1000", nil)
	if rec.Code != http.StatusOK {
		return fmt.Sprintf("GET /v1/items answers %d", rec.Code), clip(rec.Body.String(), 300)
	}
	var items struct {
		Data []struct {
			ID uint64 `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &items); err != nil {
		return "GET /v1/items is not JSON", err.Error()
	}
	for _, it := range items.Data {
		for _, p := range []string{fmt.Sprintf("/v1/items/%d", it.ID), fmt.Sprintf("/v1/items/%d/custody?limit=1000", it.ID)} {
			if rec := fs.raw(access.RoleAuditor, http.MethodGet, p, nil); rec.Code != http.StatusOK {
				return fmt.Sprintf("GET %s answers %d", strings.Split(routeOf(p), "?")[0], rec.Code), p + ": " + clip(rec.Body.String(), 300)
			}
		}
	}
	return "", ""
}
