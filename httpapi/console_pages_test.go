package httpapi

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/evidence"
	"github.com/amanat-ledger/amanat/ledger/finance"
)

// consoleItemServer is newApprovalServer's cash bag (item 1, held by
// Inspector Ayesha Khan, with a return order and a sale order) with the
// console's fake accounts.
func consoleItemServer(t *testing.T) (*testServer, *fakeAccounts) {
	t.Helper()
	ts, _ := newApprovalServer(t)
	f := newFakeAccounts()
	ts.s.accounts = f
	return ts, f
}

// pageText is a page's HTML with tags dropped and entities decoded, to
// look for what it says.
func pageText(body string) string {
	text := html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(body, " "))
	return strings.Join(strings.Fields(text), " ")
}

func TestConsolePagesForEachRole(t *testing.T) {
	ts, _ := consoleItemServer(t)
	pages := map[string]string{
		"/":              "Holdings in PKR by currency",
		"/cases":         "7/2025",
		"/cases/1":       "bag of notes",
		"/items/1":       "Inspector Ayesha Khan",
		"/search?q=CUS":  "CUS-1",
		"/approvals":     "No proposal is waiting",
		"/search?q=zzzz": "Nothing matches",
	}
	for _, role := range access.Readers {
		b := consoleAs(ts, role)
		for path, want := range pages {
			rec := b.get(path)
			if rec.Code != http.StatusOK || !strings.Contains(pageText(rec.Body.String()), want) {
				t.Errorf("%s GET %s: %d, want 200 saying %q: %s", role, path, rec.Code, want, rec.Body.String())
			}
		}
	}
	admin := consoleAs(ts, access.RoleAdmin)
	if rec := admin.get("/"); rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "Holdings in PKR") {
		t.Errorf("admin's dashboard: %d, shows the books: %v", rec.Code, strings.Contains(rec.Body.String(), "Holdings"))
	}
	if rec := admin.get("/items/1"); rec.Code != http.StatusForbidden {
		t.Errorf("admin reads an item page: %d", rec.Code)
	}
	if rec := consoleAs(ts, access.RoleAuditor).get("/items/99"); rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "no such page") {
		t.Errorf("a missing item: %d %s", rec.Code, rec.Body.String())
	}
}

func TestConsoleDashboardChartsHaveTheirNumbers(t *testing.T) {
	ts, _ := consoleItemServer(t)
	if rec := ts.do(access.RoleFinance, http.MethodPost, "/v1/rates", fmt.Sprintf(`{"currency":"USD","effective":%q,"rate":"280.00","source":"sbp-interbank"}`, time.Now().UTC().Format("2006-01-02"))); rec.Code != http.StatusCreated {
		t.Fatalf("rate: %d %s", rec.Code, rec.Body)
	}
	body := consoleAs(ts, access.RoleFinance).get("/").Body.String()
	for _, want := range []string{"<svg", "252000.00", "islamabad", `aria-label="Holdings in PKR by currency`} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
}

// custodyForm is the fields of a custody form of the item page, at an
// instant after the seizure.
func custodyForm(event string, fields ...string) url.Values {
	v := url.Values{"event": {event}, "at": {time.Now().UTC().Add(-90 * time.Minute).Format("2006-01-02T15:04:05")}}
	for i := 0; i+1 < len(fields); i += 2 {
		v.Set(fields[i], fields[i+1])
	}
	return v
}

func TestConsoleTransferAndReceiptThroughTheForms(t *testing.T) {
	ts, _ := consoleItemServer(t)
	b := consoleAs(ts, access.RoleCustodian)
	page := b.get("/items/1").Body.String()
	for _, form := range []string{"form-transferred", "form-stored", "form-checked_out", "form-returned"} {
		if !strings.Contains(page, `id="`+form+`"`) {
			t.Errorf("the item page in custody offers no %s", form)
		}
	}
	if strings.Contains(page, `id="form-received"`) {
		t.Error("the item page offers a receipt of an item in custody")
	}
	rec := b.postForm("/items/1", "/items/1/custody", custodyForm("transferred", "from", "Inspector Ayesha Khan", "to", "SI Kamran"))
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/items/1" {
		t.Fatalf("transfer: %d %s", rec.Code, rec.Body.String())
	}
	page = b.get("/items/1").Body.String()
	if !strings.Contains(page, "Recorded: transferred, custody entry") || !strings.Contains(page, `id="form-received"`) || strings.Contains(page, `id="form-transferred"`) {
		t.Fatalf("after the transfer the page does not offer the receipt: %s", page)
	}
	if !strings.Contains(page, `name="to" dir="auto" value="SI Kamran"`) {
		t.Error("the receipt form does not start with who the item is pending for")
	}
	before := digest(t, ts.store)
	rec = b.postForm("/items/1", "/items/1/custody", custodyForm("received", "to", "SI Someone Else"))
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("receipt by the wrong person: %d", rec.Code)
	}
	if digest(t, ts.store) != before {
		t.Fatal("a refused receipt wrote something")
	}
	form := formOf(t, rec.Body.String(), "received")
	if !strings.Contains(form, `name="to" aria-invalid="true" dir="auto" value="SI Someone Else"`) || !strings.Contains(pageText(form), `was transferred to "SI Kamran", not "SI Someone Else"`) {
		t.Errorf("the refused receipt form does not show its value and refusal: %s", form)
	}
	rec = b.postForm("/items/1", "/items/1/custody", custodyForm("received", "to", "SI Kamran", "condition", "bag intact"))
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("receipt: %d %s", rec.Code, rec.Body.String())
	}
	page = pageText(b.get("/items/1").Body.String())
	if !strings.Contains(page, "Holder SI Kamran") || !strings.Contains(page, "received") {
		t.Errorf("after the receipt: %s", page)
	}
}

// formOf is the custody form of event on page.
func formOf(t *testing.T, page, event string) string {
	t.Helper()
	start := strings.Index(page, `id="form-`+event+`"`)
	if start < 0 {
		t.Fatalf("page has no %s form: %s", event, page)
	}
	end := strings.Index(page[start:], "</form>")
	return page[start : start+end]
}

// The same refusal, through the API and through the form, names the same
// field with the same reason.
func TestConsoleRefusalIsTheAPIsRefusal(t *testing.T) {
	ts, _ := consoleItemServer(t)
	at := time.Now().UTC().Add(-90 * time.Minute).Truncate(time.Second)
	api := ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody",
		fmt.Sprintf(`{"event":"transferred","at":%q,"from":"Someone Else","to":"SI Kamran"}`, at.Format(time.RFC3339)))
	p := wantProblem(t, api, http.StatusUnprocessableEntity, "from")
	b := consoleAs(ts, access.RoleCustodian)
	rec := b.postForm("/items/1", "/items/1/custody", url.Values{"event": {"transferred"}, "at": {at.Format("2006-01-02T15:04:05")},
		"from": {"Someone Else"}, "to": {"SI Kamran"}})
	if rec.Code != api.Code {
		t.Fatalf("form: %d, API %d", rec.Code, api.Code)
	}
	form := formOf(t, rec.Body.String(), "transferred")
	field := regexp.MustCompile(`(?s)<label for="transferred-from">.*?</p>`).FindString(form)
	for _, e := range p.Errors {
		if e.Field == "from" && !strings.Contains(html.UnescapeString(field), e.Reason) {
			t.Errorf("the form's from field does not say the API's reason %q: %s", e.Reason, field)
		}
	}
}

func TestConsoleCustodyNeedsACustodianAndTheCSRFToken(t *testing.T) {
	ts, _ := consoleItemServer(t)
	before := digest(t, ts.store)
	auditor := consoleAs(ts, access.RoleAuditor)
	if rec := auditor.postForm("/", "/items/1/custody", custodyForm("stored", "location.building", "Malkhana")); rec.Code != http.StatusForbidden {
		t.Errorf("an auditor's custody form: %d", rec.Code)
	}
	if strings.Contains(auditor.get("/items/1").Body.String(), "<form method=\"post\" action=\"/items/1/custody\"") {
		t.Error("an auditor is offered custody forms")
	}
	custodian := consoleAs(ts, access.RoleCustodian)
	if rec := custodian.post("/items/1/custody", custodyForm("stored", "location.building", "Malkhana")); rec.Code != http.StatusForbidden {
		t.Errorf("a custody form without its CSRF token: %d", rec.Code)
	}
	if digest(t, ts.store) != before {
		t.Fatal("a refused form wrote something")
	}
}

func TestConsoleProposeAndApprove(t *testing.T) {
	ts, f := consoleItemServer(t)
	f.add("ayesha", "pw-ayesha", access.RoleCustodian, access.AllCircles)
	proposer := newBrowser(ts)
	proposer.login("ayesha", "pw-ayesha")
	rec := proposer.postForm("/items/1", "/items/1/custody", custodyForm("returned", "to", "Nguyen Van An", "remarks", "to the owner"))
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(formOf(t, rec.Body.String(), "returned"), "needs a registered return order") {
		t.Fatalf("a return without its order: %d %s", rec.Code, rec.Body.String())
	}
	rec = proposer.postForm("/items/1", "/items/1/custody", custodyForm("returned", "to", "Nguyen Van An", "court_order_id", fmt.Sprint(returnOrder), "remarks", "to the owner"))
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("proposal: %d %s", rec.Code, rec.Body.String())
	}
	if page := pageText(proposer.get("/items/1").Body.String()); !strings.Contains(page, "Proposed: returned, as approval 1") {
		t.Errorf("the item page does not say the return is proposed: %s", page)
	}
	// The proposer, later a supervisor, may not approve it.
	f.add("ayesha", "pw-ayesha", access.RoleSupervisor, access.AllCircles)
	promoted := newBrowser(ts)
	promoted.login("ayesha", "pw-ayesha")
	before := digest(t, ts.store)
	rec = promoted.postForm("/approvals", "/approvals/1/approve", nil)
	if rec.Code != http.StatusForbidden || !strings.Contains(pageText(rec.Body.String()), "may not decide it") {
		t.Fatalf("the proposer approves: %d %s", rec.Code, rec.Body.String())
	}
	if digest(t, ts.store) != before {
		t.Fatal("a refused approval wrote something")
	}
	sup := consoleAs(ts, access.RoleSupervisor)
	queue := sup.get("/approvals").Body.String()
	if !strings.Contains(queue, "Approve proposal 1") || !strings.Contains(pageText(queue), "Nguyen Van An") {
		t.Fatalf("the queue: %s", queue)
	}
	if strings.Contains(consoleAs(ts, access.RoleAuditor).get("/approvals").Body.String(), "Approve proposal 1") {
		t.Error("an auditor is offered the approve button")
	}
	rec = sup.postForm("/approvals", "/approvals/1/reject", url.Values{"reason": {""}})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "Refused") {
		t.Fatalf("a rejection without a reason: %d %s", rec.Code, rec.Body.String())
	}
	rec = sup.postForm("/approvals", "/approvals/1/approve", nil)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", rec.Code, rec.Body.String())
	}
	if page := pageText(sup.get("/approvals").Body.String()); !strings.Contains(page, "Approved proposal 1: custody entry") {
		t.Errorf("after approval: %s", page)
	}
	var item struct{ Status string }
	json.Unmarshal(ts.do(access.RoleAuditor, http.MethodGet, "/v1/items/1", "").Body.Bytes(), &item)
	if item.Status != "returned" {
		t.Errorf("item status %q after the approved return", item.Status)
	}
}

func TestValuationChartAddsEachGroupExactly(t *testing.T) {
	p := func(s string) *string { return &s }
	v := finance.Valuation{Rows: []finance.ValuationRow{
		{Circle: "lahore", Currency: "BTC", Items: 1, Priced: finance.Priced{PKR: p("9007199254740993.01")}},
		{Circle: "lahore", Currency: "USD", Items: 2, Priced: finance.Priced{PKR: p("0.02")}},
		{Circle: "lahore", Currency: "VND", Items: 1, Priced: finance.Priced{MissingRate: true}},
		{Circle: "karachi", Currency: "USD", Items: 1, Priced: finance.Priced{PKR: p("4503599627370496.50")}},
	}}
	ch, err := valuationChart(v, finance.ByCircle)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Bars) != 2 {
		t.Fatalf("bars %+v", ch.Bars)
	}
	lahore, karachi := ch.Bars[0], ch.Bars[1]
	// As a float64 the sum would read 9007199254740993.03 as ...992.
	if lahore.Label != "lahore" || lahore.Value != "9007199254740993.03" || lahore.Items != 4 || len(lahore.Unpriced) != 1 || lahore.Unpriced[0] != "VND" {
		t.Errorf("lahore %+v", lahore)
	}
	if lahore.Len != chartBarSpace || karachi.Len < chartBarSpace/2-1 || karachi.Len > chartBarSpace/2 {
		t.Errorf("bar lengths %d and %d, want %d and %d", lahore.Len, karachi.Len, chartBarSpace, chartBarSpace/2)
	}
}

// A form's free text goes through the same check as the API's: a control
// character in remarks is refused next to the remarks field.
func TestConsoleFormFreeTextIsChecked(t *testing.T) {
	ts, _ := consoleItemServer(t)
	b := consoleAs(ts, access.RoleCustodian)
	before := digest(t, ts.store)
	rec := b.postForm("/items/1", "/items/1/custody", custodyForm("stored", "location.building", "Malkhana", "remarks", "shelf 3\x00"))
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("remarks with a NUL: %d", rec.Code)
	}
	field := regexp.MustCompile(`(?s)<label for="stored-remarks">.*?</p>`).FindString(formOf(t, rec.Body.String(), "stored"))
	if !strings.Contains(field, "Refused") {
		t.Errorf("the remarks field shows no refusal: %s", field)
	}
	if digest(t, ts.store) != before {
		t.Fatal("a refused form wrote something")
	}
}

func TestConsoleApprovalOfAConversionNamesNoItem(t *testing.T) {
	ts, _ := consoleServer(t)
	rec := httptest.NewRecorder()
	c := ts.s.Echo().NewContext(httptest.NewRequest(http.MethodGet, "/approvals", nil), rec)
	a := evidence.Approval{Proposal: evidence.Proposal{ID: 4, Kind: evidence.ProposalConversion, ProposedBy: "finance:f"}, Status: evidence.ApprovalPending}
	if err := ts.s.renderPage(c, http.StatusOK, "approvals.html", pageData{Data: consoleApprovalsPage{Approvals: []evidence.Approval{a}}}); err != nil {
		t.Fatal(err)
	}
	if body := rec.Body.String(); !strings.Contains(body, "Proposal 4: conversion") || strings.Contains(body, "/items/0") {
		t.Errorf("a conversion's proposal: %s", body)
	}
}
