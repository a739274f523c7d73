package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/chain/access"
)

const testScan = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

// orderBody is a court order body of kind for items, with extra fields
// (",\"to\":...") appended.
func orderBody(kind, date, items, extra string) string {
	return fmt.Sprintf(`{"kind":%q,"court":"Judicial Magistrate, Islamabad","case_number":"CrM 9/2025","number":"ORD-%s","date":%q,"items":%s,"scan_sha256":%q%s}`,
		kind, kind, date, items, testScan, extra)
}

// postOrder registers an order and answers its id.
func postOrder(t *testing.T, ts *testServer, body string) uint64 {
	t.Helper()
	rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/court-orders", body)
	if rec.Code != http.StatusCreated {
		t.Fatalf("court order: %d %s", rec.Code, rec.Body)
	}
	var o struct{ ID uint64 }
	decode(t, rec, &o)
	return o.ID
}

// TestCourtOrderRecords: an order is registered once, read back, listed by
// item and kind, named in the item's read, and ended only by a later order.
func TestCourtOrderRecords(t *testing.T) {
	ts, _ := newCustodyServer(t)
	today := time.Now().UTC().Format(time.DateOnly)
	ret := postOrder(t, ts, orderBody("return", today, "[1]", `,"to":"Nguyen Van An","judge":"Ms Sadia Anwar"`))
	dis := postOrder(t, ts, orderBody("disposal", today, `["1"]`, ""))

	var o orderJSON
	decode(t, ts.do(access.RoleAuditor, http.MethodGet, fmt.Sprintf("/v1/court-orders/%d", ret), ""), &o)
	if o.Kind != "return" || o.To != "Nguyen Van An" || !o.InForce || o.EndedBy != nil || len(o.Items) != 1 || o.Items[0] != 1 {
		t.Fatalf("order read back as %+v", o)
	}
	var page struct{ Data []orderJSON }
	decode(t, ts.do(access.RoleAuditor, http.MethodGet, "/v1/court-orders?item_id=1&kind=disposal", ""), &page)
	if len(page.Data) != 1 || page.Data[0].ID != dis {
		t.Fatalf("orders of item 1 of kind disposal: %+v", page.Data)
	}
	wantProblem(t, ts.do(access.RoleAuditor, http.MethodGet, "/v1/court-orders?kind=confiscation", ""), http.StatusUnprocessableEntity, "kind")
	decode(t, ts.do(access.RoleAuditor, http.MethodGet, "/v1/court-orders?item_id=2", ""), &page)
	if len(page.Data) != 0 {
		t.Fatalf("item 2 has orders: %+v", page.Data)
	}
	var it struct {
		CourtOrders []uint64 `json:"court_orders"`
	}
	decode(t, ts.do(access.RoleAuditor, http.MethodGet, "/v1/items/1", ""), &it)
	if fmt.Sprint(it.CourtOrders) != fmt.Sprint([]uint64{ret, dis}) {
		t.Fatalf("item 1 lists orders %v, want [%d %d]", it.CourtOrders, ret, dis)
	}

	vac := postOrder(t, ts, orderBody("return", today, "[1]", fmt.Sprintf(`,"to":"Nguyen Van An","vacates":%d`, ret)))
	decode(t, ts.do(access.RoleAuditor, http.MethodGet, fmt.Sprintf("/v1/court-orders/%d", ret), ""), &o)
	if o.InForce || o.EndedBy == nil || *o.EndedBy != vac {
		t.Fatalf("a vacated order reads as %+v", o)
	}
	// An order that is no longer in force cannot be ended again.
	before := digest(t, ts.store)
	wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1/court-orders",
		orderBody("return", today, "[1]", fmt.Sprintf(`,"to":"X","supersedes":%d`, ret))), http.StatusUnprocessableEntity, "supersedes")
	if digest(t, ts.store) != before {
		t.Fatal("a refused order wrote something")
	}
}

// TestCourtOrderRefusals: every bad order body is a 422 naming the field,
// and nothing is written.
func TestCourtOrderRefusals(t *testing.T) {
	ts, _ := newCustodyServer(t)
	today := time.Now().UTC().Format(time.DateOnly)
	tomorrow := time.Now().UTC().Add(48 * time.Hour).Format(time.DateOnly)
	sup := `,"to":"Nguyen Van An","conditions":{"bond":{"amount":"500000","currency":"PKR"},"surety":"Tran Thi B","produce_by":"2099-01-01"}`
	rows := []struct{ name, body, field string }{
		{"unknown kind", orderBody("confiscation", today, "[1]", ""), "kind"},
		{"no court", strings.Replace(orderBody("disposal", today, "[1]", ""), `"court":"Judicial Magistrate, Islamabad"`, `"court":""`, 1), "court"},
		{"no case number", strings.Replace(orderBody("disposal", today, "[1]", ""), `"case_number":"CrM 9/2025"`, `"case_number":""`, 1), "case_number"},
		{"a date in the future", orderBody("disposal", tomorrow, "[1]", ""), "date"},
		{"not a date", orderBody("disposal", "2025-02-30", "[1]", ""), "date"},
		{"no items", orderBody("disposal", today, "[]", ""), "items"},
		{"an item that does not exist", orderBody("disposal", today, "[1, 99]", ""), "items[1]"},
		{"an item named twice", orderBody("disposal", today, "[1, 1]", ""), "items[1]"},
		{"an order dated before the item was seized", orderBody("disposal", "2001-01-01", "[1]", ""), "items[0]"},
		{"a return without its recipient", orderBody("return", today, "[1]", ""), "to"},
		{"a recipient on a disposal", orderBody("disposal", today, "[1]", `,"to":"someone"`), "to"},
		{"a scan that is not a hash", strings.Replace(orderBody("disposal", today, "[1]", ""), testScan, strings.ToUpper(testScan), 1), "scan_sha256"},
		{"a superdari without conditions", orderBody("superdari", today, "[1]", `,"to":"Nguyen Van An"`), "conditions"},
		{"a superdari without a bond", orderBody("superdari", today, "[1]", strings.Replace(sup, `"bond":{"amount":"500000","currency":"PKR"},`, "", 1)), "conditions.bond"},
		{"a bond in no currency", orderBody("superdari", today, "[1]", strings.Replace(sup, `"PKR"`, `"XXX"`, 1)), "conditions.bond.currency"},
		{"a superdari without a surety", orderBody("superdari", today, "[1]", strings.Replace(sup, `"surety":"Tran Thi B",`, "", 1)), "conditions.surety"},
		{"produce_by before the order", orderBody("superdari", today, "[1]", strings.Replace(sup, "2099-01-01", "2001-01-01", 1)), "conditions.produce_by"},
		{"a seed phrase in the judge", orderBody("disposal", today, "[1]", `,"judge":"abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"`), "judge"},
		{"supersedes an order that does not exist", orderBody("disposal", today, "[1]", `,"supersedes":42`), "supersedes"},
		{"both supersedes and vacates", orderBody("disposal", today, "[1]", `,"supersedes":1,"vacates":2`), "vacates"},
		{"an unknown field", orderBody("disposal", today, "[1]", `,"amount":"1"`), "amount"},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			before := digest(t, ts.store)
			wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1/court-orders", r.body), http.StatusUnprocessableEntity, r.field)
			if digest(t, ts.store) != before {
				t.Fatal("a refused order wrote something")
			}
		})
	}
	// Only a custodian registers orders.
	wantProblem(t, ts.do(access.RoleInvestigator, http.MethodPost, "/v1/court-orders", orderBody("disposal", today, "[1]", "")), http.StatusForbidden, "")
}

// mustOrder registers an order of kind covering item, made on the day the
// item was seized (so on or before any event of it), and answers its id;
// extra adds fields (a return's ",\"to\":...").
func mustOrder(t *testing.T, ts *testServer, kind string, item uint64, extra string) uint64 {
	t.Helper()
	var it struct {
		SeizedAt time.Time `json:"seized_at"`
	}
	decode(t, ts.do(access.RoleAuditor, http.MethodGet, fmt.Sprintf("/v1/items/%d", item), ""), &it)
	return postOrder(t, ts, orderBody(kind, it.SeizedAt.UTC().Format(time.DateOnly), fmt.Sprintf("[%d]", item), extra))
}

// TestConversionNeedsASaleOrder: a conversion without a sale order covering
// the item, or under another kind of order, is refused naming
// court_order_id, and nothing is written.
func TestConversionNeedsASaleOrder(t *testing.T) {
	ts, _ := newFinanceServer(t)
	caseID := mustCreateCase(t, ts, "FIR 115/2025")
	rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", seizureBody(caseID, "S"))
	if rec.Code != http.StatusCreated {
		t.Fatalf("seizure: %d %s", rec.Code, rec.Body)
	}
	var r receipt
	decode(t, rec, &r)
	cash, wallet := r.ItemIDs[0], r.ItemIDs[1]
	conv := func(order string) string {
		return fmt.Sprintf(`{"item_id":%d%s,"sold":[{"currency":"BTC","amount":"0.12345678"}],"proceeds":"3750000.00","executed_at":%q,"counterparty":"licensed exchange"}`,
			wallet, order, time.Now().UTC().Add(-time.Minute).Format(time.RFC3339))
	}
	for name, order := range map[string]string{
		"no order":                     "",
		"a disposal order":             fmt.Sprintf(`,"court_order_id":%d`, mustOrder(t, ts, "disposal", wallet, "")),
		"a sale order of another item": fmt.Sprintf(`,"court_order_id":%d`, mustOrder(t, ts, "sale", cash, "")),
	} {
		t.Run(name, func(t *testing.T) {
			before := snapshot(t, ts.store)
			wantProblem(t, ts.do(access.RoleFinance, http.MethodPost, "/v1/conversions", conv(order)), http.StatusUnprocessableEntity, "court_order_id")
			if snapshot(t, ts.store) != before {
				t.Fatal("a refused conversion changed the store")
			}
		})
	}
	sale := mustOrder(t, ts, "sale", wallet, "")
	rec = ts.do(access.RoleFinance, http.MethodPost, "/v1/conversions", conv(fmt.Sprintf(`,"court_order_id":%d`, sale)))
	if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), fmt.Sprintf(`"court_order_id":%d`, sale)) {
		t.Fatalf("conversion under a sale order: %d %s", rec.Code, rec.Body)
	}
}
