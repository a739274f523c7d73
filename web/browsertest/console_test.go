package browsertest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// demoItem is an item as GET /v1/items lists it, the fields these tests
// choose by.
type demoItem struct {
	ID       uint64 `json:"id"`
	CaseID   uint64 `json:"case_id"`
	Kind     string `json:"kind"`
	Status   string `json:"status"`
	Holder   string `json:"holder"`
	Location struct {
		Circle string `json:"circle"`
	} `json:"location"`
}

// demoItems lists every item of the demo through the API.
func demoItems(t *testing.T) []demoItem {
	t.Helper()
	status, body := api(t, "hq-auditor", http.MethodGet, "/v1/items?limit=1000", "")
	if status != http.StatusOK {
		t.Fatalf("list items: %d %s", status, body)
	}
	var page struct{ Data []demoItem }
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatal(err)
	}
	return page.Data
}

// freeItems hands each test its own items in custody, so that tests that
// move items never take one another's.
var freeItems = map[uint64]bool{}

// itemInCustody is an item in custody in circle ("" for any) that no other
// test of this run has taken.
func itemInCustody(t *testing.T, circle string) demoItem {
	t.Helper()
	for _, it := range demoItems(t) {
		if it.Status == "in_custody" && !freeItems[it.ID] && (circle == "" || it.Location.Circle == circle) {
			freeItems[it.ID] = true
			return it
		}
	}
	t.Fatalf("the demo has no free item in custody in %q", circle)
	return demoItem{}
}

// TestEachUserLandsOnTheDashboard signs in as every HQ role and as a
// circle's custodian: each lands on the dashboard with its name and role.
func TestEachUserLandsOnTheDashboard(t *testing.T) {
	for _, user := range []string{"hq-custodian", "hq-supervisor", "hq-finance", "hq-investigator", "hq-auditor", "hq-admin", "lahore-custodian"} {
		t.Run(user, func(t *testing.T) {
			tb := login(t, user)
			if p := tb.path(); p != "/" {
				t.Fatalf("landed on %s", p)
			}
			if h := tb.text("h1"); h != "Dashboard" {
				t.Errorf("heading %q", h)
			}
			role := strings.TrimPrefix(user[strings.Index(user, "-")+1:], "")
			if who := tb.text(".whoami"); !strings.Contains(who, role) {
				t.Errorf("the header says %q, not the role %s", who, role)
			}
			screenshot(t, "landing")
			axe(t)
		})
	}
}

// TestEveryPageOnDesktopAndPhone draws each page of the console at
// 1366×768 and at a phone's 390×844, with axe on each.
func TestEveryPageOnDesktopAndPhone(t *testing.T) {
	it := demoItems(t)[0]
	pages := map[string]string{
		"dashboard": "/", "cases": "/cases", "case": fmt.Sprintf("/cases/%d", it.CaseID),
		"item": fmt.Sprintf("/items/%d", it.ID), "search": "/search?q=grey", "approvals": "/approvals",
		"not-found": "/items/999999",
	}
	for _, user := range []string{"hq-custodian", "hq-supervisor"} {
		tb := login(t, user)
		for _, size := range []struct {
			name          string
			width, height int64
		}{{"desktop", 1366, 768}, {"phone", 390, 844}} {
			tb.do("viewport", chromedp.EmulateViewport(size.width, size.height))
			for name, path := range pages {
				tb.open(path)
				screenshot(t, user+"-"+name+"-"+size.name)
				axe(t)
				// Wide tables scroll in their own region; the page itself
				// never scrolls sideways.
				if w, err := chromedp.Run(tb.ctx, chromedp.Evaluate[int64]("document.documentElement.scrollWidth")); err != nil || w > size.width {
					t.Errorf("%s at %s is %d px wide (%v)", path, size.name, w, err)
				}
			}
		}
	}
}

func TestTransferAndReceiptThroughTheForms(t *testing.T) {
	it := itemInCustody(t, "")
	tb := login(t, "hq-custodian")
	tb.open(fmt.Sprintf("/items/%d", it.ID))
	tb.fill(map[string]string{"#transferred-to": "SI Kamran Browser"})
	tb.submit("#form-transferred button[type=submit]")
	if msg := tb.text(".flash"); !strings.Contains(msg, "Recorded: transferred") {
		t.Fatalf("after the transfer: %q", msg)
	}
	if !tb.has("#form-received") || tb.has("#form-transferred") {
		t.Fatal("an item in transit is not offered its receipt alone")
	}
	screenshot(t, "in-transit")
	tb.fill(map[string]string{"#received-condition": "seal intact"})
	tb.submit("#form-received button[type=submit]")
	if msg := tb.text(".flash"); !strings.Contains(msg, "Recorded: received") {
		t.Fatalf("after the receipt: %q", msg)
	}
	if facts := tb.text("dl.facts"); !strings.Contains(facts, "SI Kamran Browser") || !strings.Contains(facts, "in_custody") {
		t.Errorf("after the receipt the item reads %q", facts)
	}
	screenshot(t, "received")
	axe(t)
}

func TestProposeAsOneApproveAsAnother(t *testing.T) {
	it := itemInCustody(t, "")
	tb := login(t, "hq-custodian")
	tb.open(fmt.Sprintf("/items/%d", it.ID))
	tb.fill(map[string]string{"#written_off-remarks": "bag destroyed by water in the malkhana, board report 3/2025"})
	tb.submit("#form-written_off button[type=submit]")
	msg := tb.text(".flash")
	var id int
	if _, err := fmt.Sscanf(msg[strings.Index(msg, "as approval"):], "as approval %d", &id); err != nil {
		t.Fatalf("after the proposal: %q", msg)
	}
	screenshot(t, "proposed")
	sup := login(t, "hq-supervisor")
	sup.open("/approvals")
	screenshot(t, "queue")
	axe(t)
	sup.submit(fmt.Sprintf("#approve-%d", id))
	if msg := sup.text(".flash"); !strings.Contains(msg, fmt.Sprintf("Approved proposal %d", id)) {
		t.Fatalf("after approving: %q", msg)
	}
	status, body := api(t, "hq-auditor", http.MethodGet, fmt.Sprintf("/v1/items/%d", it.ID), "")
	var got demoItem
	json.Unmarshal(body, &got)
	if status != http.StatusOK || got.Status != "written_off" {
		t.Errorf("item %d after the approved write-off: %d %s", it.ID, status, got.Status)
	}
}

// TestFormAndAPIRefuseAlike sends the same wrong transfer through the API
// and through the form: the form shows the API's reason next to the field
// the API names.
func TestFormAndAPIRefuseAlike(t *testing.T) {
	it := itemInCustody(t, "")
	at := time.Now().UTC().Format(time.RFC3339)
	status, body := api(t, "hq-custodian", http.MethodPost, fmt.Sprintf("/v1/items/%d/custody", it.ID),
		fmt.Sprintf(`{"event":"transferred","at":%q,"from":"Nobody At All","to":"SI Kamran"}`, at))
	var p struct {
		Errors []struct{ Field, Reason string }
	}
	json.Unmarshal(body, &p)
	if status != http.StatusUnprocessableEntity || len(p.Errors) != 1 || p.Errors[0].Field != "from" {
		t.Fatalf("API: %d %s", status, body)
	}
	tb := login(t, "hq-custodian")
	tb.open(fmt.Sprintf("/items/%d", it.ID))
	tb.fill(map[string]string{"#transferred-from": "Nobody At All", "#transferred-to": "SI Kamran"})
	tb.submit("#form-transferred button[type=submit]")
	field := tb.text("#form-transferred #transferred-from + .field-error")
	if !strings.Contains(field, p.Errors[0].Reason) {
		t.Errorf("the form's from field says %q; the API said %q", field, p.Errors[0].Reason)
	}
	screenshot(t, "refused")
	axe(t)
}

// TestScopedUserSeesOnlyTheirCircle: lahore's custodian gets the not-found
// page for an Islamabad item, and Islamabad's cases are in neither the
// list nor the search.
func TestScopedUserSeesOnlyTheirCircle(t *testing.T) {
	var other demoItem
	for _, it := range demoItems(t) {
		if it.Location.Circle == "islamabad" {
			other = it
			break
		}
	}
	status, body := api(t, "hq-auditor", http.MethodGet, fmt.Sprintf("/v1/cases/%d", other.CaseID), "")
	var cs struct{ FIR, Circle string }
	json.Unmarshal(body, &cs)
	if status != http.StatusOK || cs.FIR == "" {
		t.Fatalf("case %d: %d %s", other.CaseID, status, body)
	}
	if st, _ := api(t, "lahore-custodian", http.MethodGet, fmt.Sprintf("/v1/items/%d", other.ID), ""); st != http.StatusNotFound {
		t.Fatalf("the API answers lahore-custodian %d for Islamabad's item %d, want 404", st, other.ID)
	}
	tb := login(t, "lahore-custodian")
	if st := tb.open(fmt.Sprintf("/items/%d", other.ID)); st != http.StatusNotFound {
		t.Errorf("lahore's custodian opens Islamabad's item %d: %d", other.ID, st)
	}
	screenshot(t, "other-circle-item")
	if st := tb.open(fmt.Sprintf("/cases/%d", other.CaseID)); st != http.StatusNotFound {
		t.Errorf("lahore's custodian opens Islamabad's case %d: %d", other.CaseID, st)
	}
	tb.open("/cases")
	if list := tb.text("main"); strings.Contains(list, cs.FIR) || strings.Contains(list, "islamabad") {
		t.Errorf("the case list shows Islamabad's case %s", cs.FIR)
	}
	tb.open("/search?q=" + strings.Fields(cs.FIR)[0])
	if tb.has(fmt.Sprintf("a[href='/cases/%d']", other.CaseID)) {
		t.Errorf("the search finds Islamabad's case %s", cs.FIR)
	}
}

func TestLogoutThenBackIsTheLoginPage(t *testing.T) {
	tb := login(t, "hq-auditor")
	tb.open("/cases")
	tb.submit(".whoami button[type=submit]")
	if p := tb.path(); !strings.HasPrefix(p, "/login") || !strings.Contains(tb.text(".flash"), "signed out") {
		t.Fatalf("after logout: %s", p)
	}
	tb.do("back", chromedp.NavigateBack())
	if p := tb.path(); !strings.HasPrefix(p, "/login") {
		t.Errorf("back after logout shows %s", p)
	}
	screenshot(t, "after-logout")
}
