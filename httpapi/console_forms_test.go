package httpapi

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/ledger/finance"
)

// formsServer is a test server with a signed-in browser per role, on the
// console's fake accounts.
type formsServer struct {
	*testServer
	accounts *fakeAccounts
	browsers map[string]*browser
	csrf     map[string]string
}

func formsTestServer(t testing.TB) *formsServer {
	t.Helper()
	ts, f := consoleServer(t)
	return &formsServer{testServer: ts, accounts: f, browsers: map[string]*browser{}, csrf: map[string]string{}}
}

// scoped adds a user of role limited to circle, whose pages page sends
// when given the login as its role.
func (fs *formsServer) scoped(login, role, circle string) {
	fs.accounts.add(login, "pw-"+login, role, access.Scope{Circles: []string{circle}})
	b := newBrowser(fs.testServer)
	b.login(login, "pw-"+login)
	fs.browsers[login] = b
	fs.csrf[login] = b.csrf("/")
}

// page sends a console request as the test user of role: a GET, or a POST
// of the form vals with the session's CSRF token.
func (fs *formsServer) page(role, method, path string, vals url.Values) *httptest.ResponseRecorder {
	fs.t.Helper()
	b := fs.browsers[role]
	if b == nil {
		b = consoleAs(fs.testServer, role)
		fs.browsers[role] = b
		fs.csrf[role] = b.csrf("/")
	}
	if method == http.MethodGet {
		return b.get(path)
	}
	form := url.Values{}
	for k, v := range vals {
		form[k] = v
	}
	form.Set("csrf", fs.csrf[role])
	return b.post(path, form)
}

// fieldErrorsOf reads, from a page, the reasons shown under the input named
// name (its <ul id="NAME-err">).
func fieldErrorsOf(t testing.TB, body, name string) []string {
	t.Helper()
	re := regexp.MustCompile(`<ul class="field-errors" id="` + regexp.QuoteMeta(html.EscapeString(name)) + `-err">(.*?)</ul>`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		return nil
	}
	var out []string
	for _, li := range regexp.MustCompile(`<li><strong>Error:</strong> (.*?)</li>`).FindAllStringSubmatch(m[1], -1) {
		out = append(out, html.UnescapeString(li[1]))
	}
	return out
}

// valueOf reads the value the page gives the input named name.
func valueOf(t testing.TB, body, name string) string {
	t.Helper()
	re := regexp.MustCompile(`value="([^"]*)" id="` + regexp.QuoteMeta(html.EscapeString(name)) + `"`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no input %s with a value on the page", name)
	}
	return html.UnescapeString(m[1])
}

// formKeyOf is the page's form key.
func formKeyOf(t testing.TB, body string) string {
	t.Helper()
	m := regexp.MustCompile(`name="key" value="([0-9a-f]{32})"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no form key on the page: %s", body)
	}
	return m[1]
}

// twoItemForm is the seizure form of a cash bag and a wallet, as typed.
func twoItemForm(key string, caseID uint64, seal string) url.Values {
	at := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	v := url.Values{}
	v.Set("key", key)
	v.Set("csrf", "test-csrf")
	v.Set("case_mode", "existing")
	v.Set("case_id", itoa(caseID))
	v.Set("seized_at", at)
	v.Set("location.building", "House 12, Street 4, F-7/2")
	v.Set("seized_from.name", "Li Wei")
	v.Set("officer", "Inspector Ayesha Khan")
	v.Set("memo_number", "RM-7/2025")
	v.Set("witnesses[0].name", "Bilal Ahmed")
	v.Set("witnesses[0].father_name", "Ahmed Ali")
	v.Set("witnesses[0].address", "House 3, G-9/1, Islamabad")
	v.Set("witnesses[1].name", "") // the blank row the page always offers
	v.Set("items[0].kind", "cash")
	v.Set("items[0].seal", seal+"-1")
	v.Set("items[0].description", "envelope of banknotes")
	v.Set("items[0].amounts[0].currency", "USD")
	v.Set("items[0].amounts[0].amount", "1500.00")
	v.Set("items[0].amounts[0].denominations", "100x15")
	v.Set("items[0].amounts[1].currency", "")
	v.Set("items[0].chain", "bitcoin") // selects send a value whatever the kind
	v.Set("items[0].network", "mainnet")
	v.Set("items[1].kind", "wallet")
	v.Set("items[1].seal", seal+"-2")
	v.Set("items[1].description", "Trust Wallet on a phone")
	v.Set("items[1].chain", "bitcoin")
	v.Set("items[1].network", "mainnet")
	v.Set("items[1].address", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")
	v.Set("items[1].holdings[0].currency", "BTC")
	v.Set("items[1].holdings[0].amount", "0.12345678")
	return v
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

const seedPhrase = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"

// TestConsoleSeizureRefusesSeedPhraseAsAPI: a seed phrase typed into the
// seizure's remarks is refused by the form with the field and the reason
// POST /v1/seizures gives, and nothing is written.
func TestConsoleSeizureRefusesSeedPhraseAsAPI(t *testing.T) {
	ts := formsTestServer(t)
	caseID := mustCreateCase(t, ts.testServer, "FIR 1/2025")

	body := strings.Replace(seizureBody(caseID, "API"), `"officer":"Inspector Ayesha Khan",`, `"officer":"Inspector Ayesha Khan","remarks":"`+seedPhrase+`",`, 1)
	apiProblem := wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", body), http.StatusUnprocessableEntity, "remarks")
	var apiReason string
	for _, e := range apiProblem.Errors {
		if e.Field == "remarks" {
			apiReason = e.Reason
		}
	}

	page := ts.page(access.RoleCustodian, http.MethodGet, "/seizures/new", nil)
	if page.Code != http.StatusOK {
		t.Fatalf("form: %d %s", page.Code, page.Body)
	}
	form := twoItemForm(formKeyOf(t, page.Body.String()), caseID, "FORM")
	form.Set("remarks", seedPhrase)
	before := snapshot(t, ts.store)
	rec := ts.page(access.RoleCustodian, http.MethodPost, "/seizures/new", form)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422: %s", rec.Code, rec.Body)
	}
	got := fieldErrorsOf(t, rec.Body.String(), "remarks")
	if len(got) != 1 || got[0] != apiReason {
		t.Fatalf("remarks reasons %q, want the API's %q", got, apiReason)
	}
	if snapshot(t, ts.store) != before {
		t.Fatal("a refused seizure form wrote to the store")
	}
	// The phrase is not echoed back into the page.
	if strings.Contains(rec.Body.String(), "abandon abandon") {
		t.Fatal("the refused seed phrase was drawn back into the form")
	}
}

// TestConsoleSeizureTwoItemsNewCase registers a two-item seizure under a
// case created in the same submit; a second submit of the same page
// answers the first and writes nothing; a refused form names the bad
// address's input, keeps what was typed and leaves no case behind.
func TestConsoleSeizureTwoItemsNewCase(t *testing.T) {
	ts := formsTestServer(t)
	key := formKeyOf(t, ts.page(access.RoleCustodian, http.MethodGet, "/seizures/new", nil).Body.String())
	form := twoItemForm(key, 0, "NEW")
	form.Set("case_mode", "new")
	form.Del("case_id")
	form.Set("case.fir", "FIR 9/2025")
	form.Set("case.circle", "lahore")
	form.Set("items[1].address", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5") // a checksum typo
	before := snapshot(t, ts.store)
	rec := ts.page(access.RoleCustodian, http.MethodPost, "/seizures/new", form)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422: %s", rec.Code, rec.Body)
	}
	page := rec.Body.String()
	if errs := fieldErrorsOf(t, page, "items[1].address"); len(errs) != 1 || !strings.Contains(errs[0], "not a valid bitcoin mainnet address") {
		t.Fatalf("items[1].address reasons %q", errs)
	}
	for name, want := range map[string]string{"case.fir": "FIR 9/2025", "items[0].seal": "NEW-1", "items[1].address": form.Get("items[1].address"),
		"witnesses[0].father_name": "Ahmed Ali", "items[0].amounts[0].denominations": "100x15"} {
		if got := valueOf(t, page, name); got != want {
			t.Errorf("%s re-filled with %q, want %q", name, got, want)
		}
	}
	if snapshot(t, ts.store) != before {
		t.Fatal("a refused seizure left a case or anything else behind")
	}

	form.Set("items[1].address", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")
	rec = ts.page(access.RoleCustodian, http.MethodPost, "/seizures/new", form)
	if rec.Code != http.StatusCreated {
		t.Fatalf("status %d, want 201: %s", rec.Code, rec.Body)
	}
	var cases struct {
		Data []struct {
			ID        uint64 `json:"id"`
			Circle    string `json:"circle"`
			ItemCount int    `json:"item_count"`
		} `json:"data"`
	}
	decode(t, ts.do(access.RoleAuditor, http.MethodGet, "/v1/cases", ""), &cases)
	if len(cases.Data) != 1 || cases.Data[0].Circle != "lahore" || cases.Data[0].ItemCount != 2 {
		t.Fatalf("cases after the submit: %+v", cases.Data)
	}
	after := snapshot(t, ts.store)
	again := ts.page(access.RoleCustodian, http.MethodPost, "/seizures/new", form)
	if again.Code != http.StatusCreated || again.Body.String() != rec.Body.String() {
		t.Fatalf("a second submit answered %d, not the first answer: %s", again.Code, again.Body)
	}
	if snapshot(t, ts.store) != after {
		t.Fatal("a second submit of the same form wrote again")
	}
	// The same page edited after it was registered is refused.
	form.Set("items[0].seal", "NEW-9")
	if rec := ts.page(access.RoleCustodian, http.MethodPost, "/seizures/new", form); rec.Code != http.StatusConflict {
		t.Fatalf("an edited resubmit answered %d, want 409", rec.Code)
	}
}

// TestConsoleSeizureRoles: only a custodian may open or submit the form.
func TestConsoleSeizureRoles(t *testing.T) {
	ts := formsTestServer(t)
	caseID := mustCreateCase(t, ts.testServer, "FIR 2/2025")
	for _, role := range []string{access.RoleAuditor, access.RoleFinance, access.RoleAdmin, access.RoleInvestigator} {
		if rec := ts.page(role, http.MethodGet, "/seizures/new", nil); rec.Code != http.StatusForbidden {
			t.Errorf("%s opened the seizure form: %d", role, rec.Code)
		}
		before := snapshot(t, ts.store)
		if rec := ts.page(role, http.MethodPost, "/seizures/new", twoItemForm(newFormKey(), caseID, "R"+role)); rec.Code != http.StatusForbidden {
			t.Errorf("%s submitted a seizure: %d", role, rec.Code)
		}
		if snapshot(t, ts.store) != before {
			t.Errorf("%s's refused seizure wrote", role)
		}
	}
}

// TestConsoleValidateAddress: the inline check gives the reason the seizure
// would, and refuses a secret without echoing it.
func TestConsoleValidateAddress(t *testing.T) {
	ts := formsTestServer(t)
	cases := []struct{ chain, addr, want string }{
		{"bitcoin", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", `{"valid":true,"type":"p2wpkh"}`},
		{"bitcoin", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", `"field":"address","reason":"not a valid bitcoin mainnet address`},
		{"bitcoin", seedPhrase, `"field":"address","reason":"looks like a seed phrase`},
		{"dogecoin", "D8vFz4p1L37jdg2jN6XfRQ8dCGq4Yc2fwm", `"field":"chain"`},
	}
	for _, c := range cases {
		rec := ts.page(access.RoleCustodian, http.MethodPost, "/validate-address", url.Values{"chain": {c.chain}, "network": {"mainnet"}, "address": {c.addr}})
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), c.want) {
			t.Errorf("%s: %d %s, want %s", c.addr, rec.Code, rec.Body, c.want)
		}
		if strings.Contains(rec.Body.String(), "abandon") {
			t.Errorf("the check echoed a seed phrase: %s", rec.Body)
		}
	}
}

// TestConsoleRateChangesValuation: a rate entered through the rates page is
// in force, drawn on its chart, and changes the valuation page's total; a
// bad rate is refused next to its input with nothing written.
func TestConsoleRateChangesValuation(t *testing.T) {
	ts := formsTestServer(t)
	caseID := mustCreateCase(t, ts.testServer, "FIR 3/2025")
	if rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", seizureBody(caseID, "VAL")); rec.Code != http.StatusCreated {
		t.Fatalf("seizure: %d %s", rec.Code, rec.Body)
	}
	total := func() string {
		t.Helper()
		rec := ts.page(access.RoleFinance, http.MethodGet, "/valuation?group_by=currency", nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("valuation: %d %s", rec.Code, rec.Body)
		}
		m := regexp.MustCompile(`<strong>Total: ([0-9.]+) PKR</strong>`).FindStringSubmatch(rec.Body.String())
		if m == nil {
			t.Fatalf("no total on the valuation page: %s", rec.Body)
		}
		return m[1]
	}
	if got := total(); got != "0.00" {
		t.Fatalf("total before any rate %s", got)
	}
	rates := ts.page(access.RoleFinance, http.MethodGet, "/rates", nil)
	key := formKeyOf(t, rates.Body.String())
	today := time.Now().UTC().Format(time.DateOnly)
	before := snapshot(t, ts.store)
	bad := ts.page(access.RoleFinance, http.MethodPost, "/rates", url.Values{"key": {key}, "currency": {"USD"}, "rate": {"2.5e2"}, "effective": {today}, "source": {"sbp"}})
	if bad.Code != http.StatusUnprocessableEntity || len(fieldErrorsOf(t, bad.Body.String(), "rate")) != 1 {
		t.Fatalf("a rate in exponent form: %d %s", bad.Code, bad.Body)
	}
	if snapshot(t, ts.store) != before {
		t.Fatal("a refused rate wrote")
	}
	ok := ts.page(access.RoleFinance, http.MethodPost, "/rates", url.Values{"key": {key}, "currency": {"USD"}, "rate": {"280"}, "effective": {today}, "source": {"sbp"}})
	if ok.Code != http.StatusCreated || !strings.Contains(ok.Body.String(), `<polyline`) && !strings.Contains(ok.Body.String(), `<circle`) {
		t.Fatalf("rate entered: %d %s", ok.Code, ok.Body)
	}
	if !strings.Contains(ok.Body.String(), `<th scope="row">USD</th><td class="num">280</td>`) {
		t.Fatalf("the rate is not listed in force: %s", ok.Body)
	}
	if got := total(); got != "420000.00" {
		t.Fatalf("total after USD at 280: %s, want 420000.00 (1500 USD)", got)
	}
	// Only finance enters rates.
	if rec := ts.page(access.RoleCustodian, http.MethodPost, "/rates", url.Values{"key": {newFormKey()}, "currency": {"USD"}, "rate": {"1"}, "effective": {today}, "source": {"sbp"}}); rec.Code != http.StatusForbidden {
		t.Fatalf("a custodian entered a rate: %d", rec.Code)
	}
}

// TestConsoleFormsPagesRender: every page draws for a role that may see it,
// with a label for each input.
func TestConsoleFormsPagesRender(t *testing.T) {
	ts := formsTestServer(t)
	mustCreateCase(t, ts.testServer, "FIR 4/2025")
	pages := []struct{ role, path string }{
		{access.RoleCustodian, "/seizures/new"},
		{access.RoleFinance, "/rates"},
		{access.RoleAuditor, "/rates"},
		{access.RoleFinance, "/valuation?group_by=case"},
		{access.RoleFinance, "/valuation?group_by=location&as_of=2025-01-01"},
		{access.RoleFinance, "/reconciliations"},
		{access.RoleAuditor, "/verify"},
		{access.RoleAdmin, "/users"},
		{access.RoleAuditor, "/audit"},
		{access.RoleAdmin, "/audit?actor=admin:test-admin&from=2025-01-01"},
	}
	idRE := regexp.MustCompile(`<(?:input|select|textarea)[^>]* id="([^"]+)"`)
	for _, p := range pages {
		rec := ts.page(p.role, http.MethodGet, p.path, nil)
		if rec.Code != http.StatusOK {
			t.Errorf("%s as %s: %d %s", p.path, p.role, rec.Code, rec.Body)
			continue
		}
		body := rec.Body.String()
		main, _, _ := strings.Cut(body, "<template") // the rows the script copies are drawn again with their labels
		for _, m := range idRE.FindAllStringSubmatch(main, -1) {
			if !strings.Contains(body, `for="`+m[1]+`"`) {
				t.Errorf("%s: input %s has no label", p.path, m[1])
			}
		}
	}
	if rec := ts.page(access.RoleFinance, http.MethodGet, "/valuation?group_by=colour", nil); rec.Code != http.StatusUnprocessableEntity ||
		len(fieldErrorsOf(t, rec.Body.String(), "group_by")) != 1 {
		t.Errorf("a bad group_by: %d %s", rec.Code, rec.Body)
	}
}

// TestConsoleSeizureDenominationsAndRest: denominations that do not read
// are refused on their input, the rest of the form is checked in the same
// submit, and nothing is written.
func TestConsoleSeizureDenominationsAndRest(t *testing.T) {
	ts := formsTestServer(t)
	caseID := mustCreateCase(t, ts.testServer, "FIR 5/2025")
	form := twoItemForm(newFormKey(), caseID, "DEN")
	form.Set("items[0].amounts[0].denominations", "100 notes")
	form.Set("officer", "")
	before := snapshot(t, ts.store)
	rec := ts.page(access.RoleCustodian, http.MethodPost, "/seizures/new", form)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	body := rec.Body.String()
	if len(fieldErrorsOf(t, body, "items[0].amounts[0].denominations")) != 1 || len(fieldErrorsOf(t, body, "officer")) != 1 {
		t.Fatalf("want reasons on the denominations and the officer: %s", body)
	}
	if snapshot(t, ts.store) != before {
		t.Fatal("wrote")
	}
}

// TestConsoleSeizureKeepsOtherKindsFields: without the page's script both
// kinds' fields are shown; an address typed on a cash item is refused on
// its input, not dropped.
func TestConsoleSeizureKeepsOtherKindsFields(t *testing.T) {
	ts := formsTestServer(t)
	caseID := mustCreateCase(t, ts.testServer, "FIR 6/2025")
	form := twoItemForm(newFormKey(), caseID, "KIND")
	form.Set("items[0].address", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")
	rec := ts.page(access.RoleCustodian, http.MethodPost, "/seizures/new", form)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", rec.Code)
	}
	if errs := fieldErrorsOf(t, rec.Body.String(), "items[0].address"); len(errs) != 1 || errs[0] != "is not a field of a cash item" {
		t.Fatalf("items[0].address reasons %q", errs)
	}
}

// TestConsoleReconciliation: a count that agrees with the books is
// recorded; one that differs is proposed for a supervisor's approval and
// changes nothing until then; a bad amount is refused next to its input.
func TestConsoleReconciliation(t *testing.T) {
	ts := formsTestServer(t)
	caseID := mustCreateCase(t, ts.testServer, "FIR 7/2025")
	rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", seizureBody(caseID, "REC"))
	var r receipt
	decode(t, rec, &r)
	today := time.Now().UTC().Format(time.DateOnly)
	count := func(key, amount, explanation string) *httptest.ResponseRecorder {
		return ts.page(access.RoleFinance, http.MethodPost, "/reconciliations", url.Values{"key": {key}, "item_id": {itoa(r.ItemIDs[0])},
			"date": {today}, "method": {"count"}, "counts[0].currency": {"USD"}, "counts[0].amount": {amount},
			"counts[1].currency": {"VND"}, "counts[1].amount": {"500000"}, "explanation": {explanation}})
	}
	before := snapshot(t, ts.store)
	bad := count(newFormKey(), "15OO", "")
	if bad.Code != http.StatusUnprocessableEntity || len(fieldErrorsOf(t, bad.Body.String(), "counts[0].amount")) != 1 {
		t.Fatalf("a count of 15OO: %d %s", bad.Code, bad.Body)
	}
	if snapshot(t, ts.store) != before {
		t.Fatal("a refused count wrote")
	}
	if ok := count(newFormKey(), "1500.00", ""); ok.Code != http.StatusCreated || !strings.Contains(ok.Body.String(), ": matched.") {
		t.Fatalf("a matching count: %d %s", ok.Code, ok.Body)
	}
	short := count(newFormKey(), "1400.00", "one note of 100 missing from the bag")
	if short.Code != http.StatusAccepted || !strings.Contains(short.Body.String(), "Waiting for approval") {
		t.Fatalf("a short count: %d %s", short.Code, short.Body)
	}
	var bal struct {
		Data []struct {
			Currency string `json:"currency"`
			Amount   string `json:"amount"`
		} `json:"data"`
	}
	decode(t, ts.do(access.RoleAuditor, http.MethodGet, "/v1/balances?account=custody:item:"+itoa(r.ItemIDs[0])+"&currency=USD", ""), &bal)
	if len(bal.Data) != 1 || bal.Data[0].Amount != "1500.00" {
		t.Fatalf("the books moved before the variance was approved: %+v", bal.Data)
	}
	if rec := ts.page(access.RoleCustodian, http.MethodPost, "/reconciliations", url.Values{"key": {newFormKey()}}); rec.Code != http.StatusForbidden {
		t.Fatalf("a custodian recorded a count: %d", rec.Code)
	}
}

// TestConsoleFormsScope: a custodian of one circle is offered only that
// circle's cases, and the form refuses, as the API does, a seizure into
// another circle's case or a new case in another circle, writing nothing;
// a finance user of one circle gets verify's outcomes only; the users and
// audit pages are for callers of every circle.
func TestConsoleFormsScope(t *testing.T) {
	ts := formsTestServer(t)
	isb := mustCreateCase(t, ts.testServer, "FIR 10/2025") // islamabad
	ts.scoped("lhr-custodian", access.RoleCustodian, "lahore")
	ts.scoped("lhr-finance", access.RoleFinance, "lahore")
	ts.scoped("lhr-admin", access.RoleAdmin, "lahore")
	ts.scoped("lhr-auditor", access.RoleAuditor, "lahore")

	form := ts.page("lhr-custodian", http.MethodGet, "/seizures/new", nil)
	if strings.Contains(form.Body.String(), "FIR 10/2025") {
		t.Fatal("a Lahore custodian is offered an Islamabad case")
	}
	before := snapshot(t, ts.store)
	if rec := ts.page("lhr-custodian", http.MethodPost, "/seizures/new", twoItemForm(newFormKey(), isb, "SCOPE")); rec.Code < 400 {
		t.Fatalf("a seizure into another circle's case answered %d", rec.Code)
	}
	other := twoItemForm(newFormKey(), 0, "SCOPE2")
	other.Set("case_mode", "new")
	other.Set("case.fir", "FIR 11/2025")
	other.Set("case.circle", "islamabad")
	if rec := ts.page("lhr-custodian", http.MethodPost, "/seizures/new", other); rec.Code < 400 {
		t.Fatalf("a new case in another circle answered %d", rec.Code)
	}
	if snapshot(t, ts.store) != before {
		t.Fatal("a refused out-of-circle seizure wrote")
	}
	own := twoItemForm(newFormKey(), 0, "SCOPE3")
	own.Set("case_mode", "new")
	own.Set("case.fir", "FIR 12/2025")
	own.Set("case.circle", "lahore")
	if rec := ts.page("lhr-custodian", http.MethodPost, "/seizures/new", own); rec.Code != http.StatusCreated {
		t.Fatalf("a seizure with a new case of the custodian's circle: %d %s", rec.Code, rec.Body)
	}
	if rec := ts.page("lhr-finance", http.MethodGet, "/verify", nil); rec.Code != http.StatusOK {
		t.Fatalf("verify for a scoped finance user: %d", rec.Code)
	}
	for _, who := range []string{"lhr-admin", "lhr-auditor"} {
		path := map[string]string{"lhr-admin": "/users", "lhr-auditor": "/audit"}[who]
		if rec := ts.page(who, http.MethodGet, path, nil); rec.Code != http.StatusForbidden {
			t.Errorf("%s opened %s: %d", who, path, rec.Code)
		}
	}
}

// TestRateCharts: each currency's rates are drawn in date order inside the
// box, the lowest at the bottom and the highest at the top; the figures
// named are the rates as entered; one rate is a dot, not a line.
func TestRateCharts(t *testing.T) {
	rs := []finance.Rate{
		{Currency: "USD", Text: "281.50", Effective: "2025-03-01", Source: "sbp-interbank"},
		{Currency: "USD", Text: "280", Effective: "2025-01-01", Source: "sbp-interbank"},
		{Currency: "USD", Text: "279.0001", Effective: "2025-02-01", Source: "sbp-interbank"},
		{Currency: "EUR", Text: "300", Effective: "2025-01-01", Source: "sbp-interbank"},
	}
	charts := rateCharts(rs)
	if len(charts) != 2 || charts[0].Currency != "EUR" || charts[1].Currency != "USD" {
		t.Fatalf("charts %+v", charts)
	}
	eur, usd := charts[0], charts[1]
	if !eur.SinglePoint || len(eur.Dots) != 1 {
		t.Errorf("one EUR rate: %+v", eur)
	}
	if usd.Min != "279.0001" || usd.Max != "281.50" || usd.From != "2025-01-01" || usd.To != "2025-03-01" || usd.LastRate != "281.50" {
		t.Errorf("USD figures %+v", usd)
	}
	want := []string{fmt.Sprintf("%d.0,", chartPad), "", fmt.Sprintf("%d.0,%d.0", chartW-chartPad, chartPad)}
	pts := strings.Fields(usd.Points)
	if len(pts) != 3 || !strings.HasPrefix(pts[0], want[0]) || pts[2] != want[2] || !strings.HasSuffix(pts[1], fmt.Sprintf(",%d.0", chartH-chartPad)) {
		t.Errorf("USD points %q", usd.Points)
	}
}
