package browsertest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/shopspring/decimal"
)

// The documents a court reads (docs/documents.md), printed as a clerk
// prints them and read back from the PDF.
//
// The demo's seizures name their people in Latin letters and record no
// witness, so docsSeizure registers, through the demo server's API, one
// seizure whose memo carries Urdu, Chinese and Vietnamese names.

// An Urdu witness, a Chinese suspect and a Vietnamese witness.
const (
	urduWitness   = "محمد اسلم"
	urduFather    = "غلام رسول"
	chineseName   = "王芳"
	vietWitness   = "Nguyễn Thị Lan"
	docsCashSeal  = "DOC-ISB-901"
	docsPurseSeal = "DOC-ISB-902"
)

var (
	docsOnce sync.Once
	docsTxn  uint64
	docsErr  error
)

// demoUser is the first of names (demo users, or roles as the demo named
// its tokens before user accounts) whose token the demo printed.
func demoUser(t testing.TB, names ...string) string {
	t.Helper()
	for _, who := range names {
		if _, ok := demoEnv[envName(who)+"_TOKEN"]; ok {
			return who
		}
	}
	t.Fatalf("the demo printed no token for any of %v", names)
	return ""
}

func custodianOf(t testing.TB) string { return demoUser(t, "hq-custodian", "custodian") }

func auditorOf(t testing.TB) string { return demoUser(t, "hq-auditor", "auditor") }

// docsSeizure is the ledger transaction of the test's own seizure,
// registered once per run.
func docsSeizure(t *testing.T) uint64 {
	t.Helper()
	docsOnce.Do(func() {
		who := custodianOf(t)
		st, body := api(t, who, http.MethodPost, "/v1/cases", `{"fir":"901/2025","circle":"islamabad","operation":"Documents","title":"Memo with witnesses in Urdu"}`)
		if st != http.StatusCreated {
			docsErr = fmt.Errorf("case: %d %s", st, body)
			return
		}
		var cs struct{ ID uint64 }
		json.Unmarshal(body, &cs)
		at := time.Now().UTC().Add(-2 * time.Hour).Format(time.RFC3339)
		seizure := fmt.Sprintf(`{"case_id":%d,"seized_at":%q,"location":{"building":"Blue Area, Plaza 4"},
		"seized_from":{"name":%q,"nationality":"China","id_type":"passport","id_number":"EG1234567"},
		"officer":"Inspector Ayesha Siddiqui","memo_number":"FM-901/2025",
		"witnesses":[{"name":%q,"father_name":%q,"address":"مکان 3، گلی 4، ایف سیون ٹو"},{"name":%q,"address":"Shop 9, Jinnah Super","id_number":"61101-1234567-1"}],
		"items":[{"kind":"cash","seal":%q,"description":"envelope of banknotes","amounts":[{"currency":"USD","amount":"2500.00"}]},
		 {"kind":"wallet","seal":%q,"description":"hardware wallet","chain":"bitcoin","network":"mainnet","address":"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4","holdings":[{"currency":"BTC","amount":"0.05000000"}]}]}`,
			cs.ID, at, chineseName, urduWitness, urduFather, vietWitness, docsCashSeal, docsPurseSeal)
		st, body = api(t, who, http.MethodPost, "/v1/seizures", seizure)
		if st != http.StatusCreated {
			docsErr = fmt.Errorf("seizure: %d %s", st, body)
			return
		}
		var r struct {
			Txn uint64 `json:"transaction_id"`
		}
		json.Unmarshal(body, &r)
		docsTxn = r.Txn
	})
	if docsErr != nil {
		t.Fatal(docsErr)
	}
	return docsTxn
}

// printA4 prints the current page on A4 as the browser's print dialog
// does with the page's own @page size, writes it as an artifact, and
// answers its text.
func printA4(t *testing.T, name string) string {
	t.Helper()
	text, _ := printA4PDF(t, name)
	return text
}

func printA4PDF(t *testing.T, name string) (string, []byte) {
	t.Helper()
	pdf, err := chromedp.Run(tabOf(t).ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
	if err != nil {
		t.Fatalf("print to PDF: %v", err)
	}
	if err := os.WriteFile(artifactPath(t, name+".pdf"), pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	return pdfText(t, pdf), pdf
}

// wantText fails t for each of texts the printed text lacks.
func wantText(t *testing.T, text string, texts ...string) {
	t.Helper()
	flat := strings.Join(strings.Fields(text), " ")
	for _, s := range texts {
		if !strings.Contains(flat, s) {
			t.Errorf("the printed document lacks %q", s)
		}
	}
	for _, s := range []string{"Download PDF", "Back to the console"} {
		if strings.Contains(flat, s) {
			t.Errorf("the printed document shows %q, which is for the screen", s)
		}
	}
	if t.Failed() {
		t.Logf("printed text:\n%s", text)
	}
}

// readerOf is a tab signed in as a demo user who may read every document.
func readerOf(t *testing.T) *tab {
	t.Helper()
	if skipReason == "" {
		if _, ok := demoEnv[envName("hq-auditor")+"_PASSWORD"]; !ok {
			t.Skip("the demo prints no user passwords yet (export HQ_AUDITOR_PASSWORD=...): no one can sign in to the console")
		}
	}
	return login(t, "hq-auditor")
}

// printedUrdu reports whether the printed text holds name. Text set in
// Nastaliq does not read back from a PDF as typed: the letters of a word
// stack diagonally, so pdftotext splits a word over two lines and spaces
// its joins. So: every letter of name, as often as in name, within three
// lines of the layout text.
func printedUrdu(text, name string) bool {
	letters := func(s string) map[rune]int {
		m := map[rune]int{}
		for _, r := range s {
			if unicode.IsLetter(r) {
				m[r]++
			}
		}
		return m
	}
	want := letters(name)
	lines := strings.Split(text, "\n")
	for i := range lines {
		got := letters(strings.Join(lines[i:min(i+3, len(lines))], " "))
		all := true
		for r, n := range want {
			if got[r] < n {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// fontsOf are the fonts a PDF embeds, as poppler's pdffonts names them.
func fontsOf(t *testing.T, pdf []byte) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(f, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdffonts", f).Output()
	if err != nil {
		t.Fatalf("pdffonts (poppler-utils): %v", err)
	}
	return string(out)
}

// apiJSON reads an API answer of the demo's auditor into v.
func apiJSON(t *testing.T, path string, v any) {
	t.Helper()
	st, body := api(t, auditorOf(t), http.MethodGet, path, "")
	if st != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, st, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

func TestSeizureMemoPrints(t *testing.T) {
	tb := readerOf(t)
	txn := docsSeizure(t)
	if st := tb.open(fmt.Sprintf("/docs/seizures/%d", txn)); st != http.StatusOK {
		t.Fatalf("the memo: %d", st)
	}
	screenshot(t, "seizure-memo")
	axe(t)
	text, pdf := printA4PDF(t, "seizure-memo")
	wantText(t, text, "Seizure memo (fard maqbuzgi)", "FM-901/2025", "901/2025", docsCashSeal, docsPurseSeal,
		chineseName, vietWitness, "Inspector Ayesha Siddiqui", "2500.00 USD", "0.05000000 BTC", "page 1 of")
	for _, name := range []string{urduWitness, urduFather} {
		if !printedUrdu(text, name) {
			t.Errorf("the printed memo lacks %q", name)
		}
	}
	fonts := fontsOf(t, pdf)
	// Chromium embeds the CJK fonts (OpenType collections) as Type 3
	// fonts without their names: only the Nastaliq font shows by name.
	if !strings.Contains(fonts, "NotoNastaliqUrdu") {
		t.Errorf("the memo's Urdu is not printed in Noto Nastaliq Urdu:\n%s", fonts)
	}

	// A demo seizure: its seals and its suspect, and no witness recorded.
	var item struct {
		LedgerTxn uint64 `json:"ledger_txn"`
	}
	apiJSON(t, "/v1/items/1", &item)
	tb.open(fmt.Sprintf("/docs/seizures/%d", item.LedgerTxn))
	wantText(t, printA4(t, "demo-seizure-memo"), "OG-ISB-001", "OG-ISB-002", "OG-ISB-003", "Zhang Wei", "No witness was recorded")
}

func TestCustodyReportPrints(t *testing.T) {
	tb := readerOf(t)
	if st := tb.open("/docs/items/1/custody"); st != http.StatusOK {
		t.Fatalf("the report: %d", st)
	}
	screenshot(t, "custody-report")
	axe(t)
	var it struct {
		Seal     string `json:"seal"`
		Balances []struct{ Currency, Amount string }
	}
	apiJSON(t, "/v1/items/1", &it)
	var key struct {
		PublicKey string `json:"public_key"`
	}
	apiJSON(t, "/v1/custody/key", &key)
	root, size := tb.text("#root-hash"), tb.text("#tree-size")
	want := []string{"Item custody report for court", it.Seal, "Verified:", size, root[:32], "amanat custody check", "page 1 of"}
	for _, b := range it.Balances {
		want = append(want, b.Amount+" "+b.Currency)
	}
	wantText(t, printA4(t, "custody-report"), want...)
	if !tb.has("svg.qr") {
		t.Error("the report has no QR code")
	}
	if got := tb.text("#verify-result"); !strings.Contains(got, "Verified") {
		t.Errorf("verification reads %q", got)
	}
}

func TestRegisterPrints(t *testing.T) {
	tb := readerOf(t)
	docsSeizure(t)
	if st := tb.open("/docs/register?location=islamabad"); st != http.StatusOK {
		t.Fatalf("the register: %d", st)
	}
	screenshot(t, "register")
	axe(t)
	var reg struct {
		Data []struct {
			Seal     string  `json:"seal"`
			Location string  `json:"location"`
			ValuePKR *string `json:"value_pkr"`
		} `json:"data"`
	}
	apiJSON(t, "/v1/register?limit=1000", &reg)
	total := decimal.Zero
	var seals []string
	for _, r := range reg.Data {
		if r.Location != "islamabad" && !strings.HasPrefix(r.Location, "islamabad/") {
			continue
		}
		seals = append(seals, r.Seal)
		if r.ValuePKR != nil {
			total = total.Add(decimal.RequireFromString(*r.ValuePKR))
		}
	}
	if len(seals) == 0 {
		t.Fatal("the API's register has no item in islamabad")
	}
	wantText(t, printA4(t, "register"), append(seals, "Malkhana register", total.StringFixed(2), chineseName)...)
}

func TestValuationPrints(t *testing.T) {
	tb := readerOf(t)
	if st := tb.open("/docs/valuation"); st != http.StatusOK {
		t.Fatalf("the statement: %d", st)
	}
	screenshot(t, "valuation")
	axe(t)
	var v struct {
		TotalPKR string `json:"total_pkr"`
		Rows     []struct {
			Currency   string  `json:"currency"`
			Rate       *string `json:"rate"`
			RateSource *string `json:"rate_source"`
		} `json:"rows"`
	}
	apiJSON(t, "/v1/valuation", &v)
	want := []string{"Valuation statement", v.TotalPKR, "half away from zero"}
	for _, r := range v.Rows {
		if r.Rate != nil {
			want = append(want, *r.Rate, *r.RateSource)
		}
	}
	wantText(t, printA4(t, "valuation"), want...)
}

// uploadBundle sends the check page's form with file as the bundle.
func uploadBundle(t *testing.T, tb *tab, bundle []byte) {
	t.Helper()
	if st := tb.open("/check"); st != http.StatusOK {
		t.Fatalf("the check page: %d", st)
	}
	f := filepath.Join(t.TempDir(), "custody-item-1.json")
	if err := os.WriteFile(f, bundle, 0o644); err != nil {
		t.Fatal(err)
	}
	tb.do("choose the bundle", chromedp.SetUploadFiles(chromedp.CSS("#bundle"), []string{f}))
	if _, err := chromedp.Run(tb.ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS("form[action='/check'] button[type=submit]")))); err != nil {
		t.Fatalf("send the bundle: %v", err)
	}
}

// count is how many elements sel matches on the current page.
func count(t *testing.T, tb *tab, sel string) int {
	t.Helper()
	n, err := chromedp.Run(tb.ctx, chromedp.Evaluate[int](fmt.Sprintf("document.querySelectorAll(%q).length", sel)))
	if err != nil {
		t.Fatalf("query %s: %v", sel, err)
	}
	return n
}

func TestCheckPageUpload(t *testing.T) {
	st, bundle := api(t, auditorOf(t), http.MethodGet, "/v1/items/1/custody/bundle", "")
	if st != http.StatusOK {
		t.Fatalf("bundle: %d", st)
	}
	tb := newTab(t) // a court clerk with no account
	uploadBundle(t, tb, bundle)
	if got := tb.text("#check-result"); !strings.Contains(got, "Every check passed") {
		t.Fatalf("the demo's bundle reads %q", got)
	}
	if n := count(t, tb, "ul.checks li.pass"); n != 5 {
		t.Errorf("%d checks passed, want 5", n)
	}
	screenshot(t, "check-pass")
	axe(t)

	var b map[string]any
	if err := json.Unmarshal(bundle, &b); err != nil {
		t.Fatal(err)
	}
	entries := b["entries"].([]any)
	first := entries[0].(map[string]any)
	first["canonical"] = strings.Replace(first["canonical"].(string), "OG-ISB-001", "OG-ISB-009", 1)
	tampered, _ := json.Marshal(b)
	if bytes.Equal(tampered, bundle) {
		t.Fatal("the edit changed nothing")
	}
	uploadBundle(t, tb, tampered)
	if got := tb.text("#check-result"); !strings.Contains(got, "fails") {
		t.Fatalf("the tampered bundle reads %q", got)
	}
	if got := tb.text("ul.checks li.fail"); !strings.Contains(got, "custody entry") {
		t.Errorf("the failed check reads %q, want it to name the custody entry", got)
	}
	if !tb.has(`ul.checks li.fail[data-check="entries"]`) {
		t.Error("the failed check is not the entries'")
	}
	screenshot(t, "check-fail")
	axe(t)
}
