package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/chain/access"
)

// docsServer is a test server with one seizure memo's worth of facts: a
// seizure with an Urdu and a Chinese name, rates for its currencies, and a
// transfer of its cash item.
type docsServer struct {
	*testServer
	txn    uint64
	items  []uint64
	caseID uint64
	// browsers are signed in, one per role.
	browsers map[string]*browser
}

const docsWitnesses = `[{"name":"محمد اسلم","father_name":"غلام رسول","address":"مکان 3، گلی 4، ایف سیون ٹو"},
	{"name":"Trần Thị Hương","address":"Shop 9, Jinnah Super","id_number":"61101-1234567-1"}]`

func newDocsServer(t *testing.T) *docsServer {
	t.Helper()
	ts, _ := consoleServer(t)
	ds := &docsServer{testServer: ts, caseID: mustCreateCase(t, ts, "88/2025"), browsers: map[string]*browser{}}
	body := strings.Replace(witnessedBody(ds.caseID, "DOC", docsWitnesses), `"name":"Li Wei"`, `"name":"李伟"`, 1)
	rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", body)
	if rec.Code != http.StatusCreated {
		t.Fatalf("seizure: %d %s", rec.Code, rec.Body)
	}
	var r receipt
	decode(t, rec, &r)
	ds.items = r.ItemIDs
	var txn struct {
		ID uint64 `json:"transaction_id"`
	}
	decode(t, rec, &txn)
	ds.txn = txn.ID
	day := time.Now().UTC().AddDate(0, 0, -2).Format("2006-01-02")
	for cur, rate := range map[string]string{"USD": "278.65", "VND": "0.0107", "BTC": "30151234.5"} {
		rec := ts.do(access.RoleFinance, http.MethodPost, "/v1/rates", fmt.Sprintf(`{"currency":%q,"rate":%q,"effective":%q,"source":"sbp-interbank"}`, cur, rate, day))
		if rec.Code != http.StatusCreated {
			t.Fatalf("rate %s: %d %s", cur, rec.Code, rec.Body)
		}
	}
	at := time.Now().UTC().Add(-30 * time.Minute).Format(time.RFC3339)
	rec = ts.do(access.RoleCustodian, http.MethodPost, fmt.Sprintf("/v1/items/%d/custody", ds.items[0]),
		fmt.Sprintf(`{"event":"transferred","at":%q,"from":"Inspector Ayesha Khan","to":"محرر مال خانہ"}`, at))
	if rec.Code != http.StatusCreated {
		t.Fatalf("transfer: %d %s", rec.Code, rec.Body)
	}
	return ds
}

// page gets a document as a signed-in user of role ("" for no session).
func (ds *docsServer) page(t *testing.T, role, path string) *httptest.ResponseRecorder {
	t.Helper()
	return ds.consoleDo(t, role, httptest.NewRequest(http.MethodGet, path, nil))
}

func (ds *docsServer) consoleDo(t *testing.T, role string, req *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	if role == "" {
		rec := httptest.NewRecorder()
		ds.s.Echo().ServeHTTP(rec, req)
		return rec
	}
	b, ok := ds.browsers[role]
	if !ok {
		b = newBrowser(ds.testServer)
		b.login("test-"+role, "pw-"+role)
		ds.browsers[role] = b
	}
	return b.send(req)
}

func wantHTML(t *testing.T, rec *httptest.ResponseRecorder, status int, texts ...string) string {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d: %.3000s", rec.Code, status, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("content type %q, want HTML", ct)
	}
	body := rec.Body.String()
	for _, s := range texts {
		if !strings.Contains(body, s) {
			t.Errorf("the page lacks %q", s)
		}
	}
	return body
}

func TestSeizureMemo(t *testing.T) {
	ds := newDocsServer(t)
	rec := ds.page(t, access.RoleInvestigator, fmt.Sprintf("/docs/seizures/%d", ds.txn))
	wantHTML(t, rec, http.StatusOK, "Seizure memo (fard maqbuzgi)", "FM-17/2025", "88/2025", "DOC-1", "DOC-2",
		"李伟", "محمد اسلم", "غلام رسول", "Trần Thị Hương", "Inspector Ayesha Khan", "House 12, Street 4, F-7/2",
		"1500.00 USD", "500000 VND", "0.12345678 BTC", `lang="en"`, `<meta charset="utf-8">`, `dir="auto"`)
	// One signature block for the officer and one for each witness.
	if n := strings.Count(rec.Body.String(), `class="signature"`); n != 3 {
		t.Errorf("%d signature blocks, want 3", n)
	}
	t.Run("not a seizure", func(t *testing.T) {
		for _, path := range []string{"/docs/seizures/999", "/docs/seizures/0"} {
			if rec := ds.page(t, access.RoleInvestigator, path); rec.Code == http.StatusOK {
				t.Errorf("%s: %d", path, rec.Code)
			}
		}
	})
	t.Run("no session is sent to sign in", func(t *testing.T) {
		rec := ds.page(t, "", fmt.Sprintf("/docs/seizures/%d", ds.txn))
		if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login?next=") {
			t.Fatalf("without a session: %d %s", rec.Code, rec.Header().Get("Location"))
		}
	})
	t.Run("admin may not read it", func(t *testing.T) {
		if rec := ds.page(t, access.RoleAdmin, fmt.Sprintf("/docs/seizures/%d", ds.txn)); rec.Code != http.StatusForbidden {
			t.Fatalf("admin: %d", rec.Code)
		}
	})
}

func TestCustodyReport(t *testing.T) {
	ds := newDocsServer(t)
	item := ds.items[0]
	day := time.Now().UTC().Format("2006-01-02")
	postOrder(t, ds.testServer, orderBody("production", day, fmt.Sprintf("[%d]", item), `,"conditions":{"produce_by":"`+day+`"}`))
	rec := ds.page(t, access.RoleAuditor, fmt.Sprintf("/docs/items/%d/custody", item))
	body := wantHTML(t, rec, http.StatusOK, "Item custody report for court", "DOC-1", "transferred", "محرر مال خانہ",
		"✔ Verified:", "<svg", `class="qr"`, "ORD-production", "Judicial Magistrate, Islamabad", "amanat custody check --key", fmt.Sprintf("/docs/items/%d/bundle", item), "1500.00 USD")
	if strings.Contains(body, `class="fail"`) {
		t.Error("a check failed on an untouched store")
	}
	var cp checkpointJSON
	decode(t, ds.do(access.RoleAuditor, http.MethodGet, "/v1/custody/checkpoint", ""), &cp)
	keyID := strings.SplitN(ds.s.custody.PublicKey(), "+", 3)[1]
	for _, want := range []string{cp.Origin, fmt.Sprintf(`id="tree-size">%d<`, cp.TreeSize), `id="key-id">` + keyID + `<`} {
		if !strings.Contains(body, want) {
			t.Errorf("the report lacks the checkpoint's %q", want)
		}
	}
	// The download is the API's bundle, byte for byte.
	api := ds.do(access.RoleAuditor, http.MethodGet, fmt.Sprintf("/v1/items/%d/custody/bundle", item), "")
	doc := ds.page(t, access.RoleAuditor, fmt.Sprintf("/docs/items/%d/bundle", item))
	if doc.Code != http.StatusOK || !bytes.Equal(api.Body.Bytes(), doc.Body.Bytes()) {
		t.Fatalf("bundle download: %d, %d bytes; the API's: %d bytes", doc.Code, doc.Body.Len(), api.Body.Len())
	}
	if rec := ds.page(t, access.RoleAuditor, "/docs/items/999/custody"); rec.Code != http.StatusNotFound {
		t.Fatalf("a missing item: %d", rec.Code)
	}
}

func TestQRCodeCarriesCheckpointAndHead(t *testing.T) {
	ds := newDocsServer(t)
	b := ds.do(access.RoleAuditor, http.MethodGet, fmt.Sprintf("/v1/items/%d/custody/bundle", ds.items[0]), "").Body.Bytes()
	h, err := headOf(b)
	if err != nil {
		t.Fatal(err)
	}
	var bundle struct {
		Checkpoint string `json:"checkpoint"`
		Entries    []struct {
			ID       uint64 `json:"id"`
			LeafHash string `json:"leaf_hash"`
		} `json:"entries"`
	}
	if err := json.Unmarshal(b, &bundle); err != nil {
		t.Fatal(err)
	}
	last := bundle.Entries[len(bundle.Entries)-1]
	text := qrText(b, h)
	for _, want := range []string{bundle.Checkpoint, fmt.Sprintf("last entry %d %s", last.ID, last.LeafHash), fmt.Sprintf("tree %d root %s", h.TreeSize, h.Root)} {
		if !strings.Contains(text, want) {
			t.Errorf("the QR text lacks %q:\n%s", want, text)
		}
	}
	svg, err := qrCode(text)
	if err != nil {
		t.Fatal(err)
	}
	if got := readQR(t, string(svg)); got != text {
		t.Fatalf("the QR code reads %q, want %q", got, text)
	}
}

func TestRegisterDocument(t *testing.T) {
	ds := newDocsServer(t)
	today := time.Now().UTC().Format("2006-01-02")
	rec := ds.page(t, access.RoleAuditor, "/docs/register?location=islamabad&to="+today)
	body := wantHTML(t, rec, http.StatusOK, "Malkhana register", "DOC-1", "DOC-2", "李伟")
	var rows struct {
		Data []struct {
			ValuePKR *string `json:"value_pkr"`
		} `json:"data"`
	}
	decode(t, ds.do(access.RoleAuditor, http.MethodGet, "/v1/register?as_of="+today, ""), &rows)
	if len(rows.Data) != 2 || rows.Data[0].ValuePKR == nil || rows.Data[1].ValuePKR == nil {
		t.Fatalf("register rows: %+v", rows.Data)
	}
	// 1500.00 × 278.65 + 500000 × 0.0107 = 417975.00 + 5350.00 for the bag;
	// 0.12345678 × 30151234.5 = 3722374.3197... rounds to 3722374.32 for the wallet.
	if want := `id="register-total">4145699.32<`; !strings.Contains(body, want) {
		t.Errorf("the total is not %s: %s", want, body[strings.Index(body, "register-total"):][:60])
	}
	if rec := ds.page(t, access.RoleAuditor, "/docs/register?location=lahore"); strings.Contains(rec.Body.String(), "DOC-1") {
		t.Error("another circle's register lists the item")
	}
	tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format("2006-01-02")
	bad := []struct{ query, field string }{
		{"to=" + tomorrow, "to"},
		{"to=2025-13-01", "to"},
		{"from=" + today + "&to=2025-01-01", "from"},
		{"location=%01x", "location"},
	}
	for _, b := range bad {
		rec := ds.page(t, access.RoleAuditor, "/docs/register?"+b.query)
		wantHTML(t, rec, http.StatusUnprocessableEntity, fmt.Sprintf(`id="%s-error"`, b.field), `aria-invalid="true"`)
	}
}

func TestValuationStatement(t *testing.T) {
	ds := newDocsServer(t)
	var v struct {
		TotalPKR string `json:"total_pkr"`
	}
	decode(t, ds.do(access.RoleFinance, http.MethodGet, "/v1/valuation", ""), &v)
	rec := ds.page(t, access.RoleFinance, "/docs/valuation")
	wantHTML(t, rec, http.StatusOK, "Valuation statement", "sbp-interbank", "278.65", "half away from zero",
		`id="valuation-total">`+v.TotalPKR+`<`)
	wantHTML(t, ds.page(t, access.RoleFinance, "/docs/valuation?as_of=yesterday"), http.StatusUnprocessableEntity, `id="as_of-error"`)
}

// postBundle sends the check page's form with no session.
func (ds *docsServer) postBundle(t *testing.T, bundle []byte, keys string) *httptest.ResponseRecorder {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if bundle != nil {
		f, err := w.CreateFormFile("bundle", "custody-item.json")
		if err != nil {
			t.Fatal(err)
		}
		f.Write(bundle)
	}
	w.WriteField("trusted", keys)
	w.Close()
	req := httptest.NewRequest(http.MethodPost, "/check", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return ds.consoleDo(t, "", req)
}

func TestCheckPage(t *testing.T) {
	ds := newDocsServer(t)
	key := ds.s.custody.PublicKey()
	wantHTML(t, ds.consoleDo(t, "", httptest.NewRequest(http.MethodGet, "/check", nil)), http.StatusOK, "Check a court bundle", strings.ReplaceAll(key, "+", "&#43;"))
	b := ds.do(access.RoleAuditor, http.MethodGet, fmt.Sprintf("/v1/items/%d/custody/bundle", ds.items[0]), "").Body.Bytes()
	// The page reads no store: it checks a bundle with the store closed.
	if err := ds.store.Close(); err != nil {
		t.Fatal(err)
	}
	body := wantHTML(t, ds.postBundle(t, b, key), http.StatusOK, "✔ Every check passed")
	if n := strings.Count(body, `<li class="pass"`); n != 5 {
		t.Errorf("%d checks passed, want 5", n)
	}
	wantHTML(t, ds.postBundle(t, b, ""), http.StatusOK, "Unchecked signer")
	tampered := bytes.Replace(b, []byte("Inspector Ayesha Khan"), []byte("Inspector Ayesha Kham"), 1)
	body = wantHTML(t, ds.postBundle(t, tampered, key), http.StatusOK, "✘ The bundle fails", `class="fail" data-check="entries"`, "leaf hash")
	if strings.Count(body, `<li class="pass"`) != 2 || strings.Count(body, `<li class="not-reached"`) != 2 {
		t.Errorf("want two checks passed before the entries and two not reached:\n%s", body)
	}
	// What the file says is shown as text, never as markup.
	hostile := bytes.Replace(b, []byte(`"format": "`+chain.BundleFormat+`"`), []byte(`"format": "<script>alert(1)</script>"`), 1)
	body = wantHTML(t, ds.postBundle(t, hostile, key), http.StatusOK, `class="fail" data-check="readable"`, "&lt;script&gt;alert(1)&lt;/script&gt;")
	if strings.Contains(body, "<script>alert") {
		t.Error("the bundle's text is written into the page as markup")
	}
	if rec := ds.postBundle(t, bytes.Repeat([]byte(" "), checkMaxBytes+1), key); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("a file over 1 MB: %d", rec.Code)
	}
	wantHTML(t, ds.postBundle(t, nil, key), http.StatusUnprocessableEntity, `id="bundle-error"`)
	wantHTML(t, ds.postBundle(t, []byte{}, key), http.StatusUnprocessableEntity, `id="bundle-error"`)
	wantHTML(t, ds.postBundle(t, b, "not-a-key"), http.StatusUnprocessableEntity, `id="trusted-error"`)
	wantHTML(t, ds.postBundle(t, b, "amanat.other+01234567+AAAA"), http.StatusUnprocessableEntity, `id="trusted-error"`)
}

// Every check of chain.CheckBundle has words for the clerk, and none after
// the failed one is said to have passed.
func TestCheckLines(t *testing.T) {
	for _, name := range chain.BundleChecks {
		if checkTitles[name] == "" {
			t.Errorf("check %q has no title", name)
		}
	}
	doc := checkBundle([]byte("{}"))
	if doc.OK || doc.Checks[0].Check != chain.CheckReadable || doc.Checks[0].Status != "fail" {
		t.Fatalf("an empty object: %+v", doc.Checks)
	}
	for _, l := range doc.Checks[1:] {
		if l.Status != "not-reached" {
			t.Errorf("%s is %s after the first check failed", l.Check, l.Status)
		}
	}
}
