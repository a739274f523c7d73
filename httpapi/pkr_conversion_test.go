package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/chain/access"
)

// TestConversionOfAnItemHoldingPKROverHTTP: a cash bag of USD and PKR is
// converted by selling the USD; its PKR goes to the case's proceeds at par.
func TestConversionOfAnItemHoldingPKROverHTTP(t *testing.T) {
	ts, _ := newFinanceServer(t)
	caseID := mustCreateCase(t, ts, "FIR 115/2025")
	body := fmt.Sprintf(`{"case_id":%d,"seized_at":%q,"location":{"building":"House 12"},
	"seized_from":{"name":"Li Wei"},"officer":"Inspector Ayesha Khan",
	"items":[{"kind":"cash","seal":"P-1","description":"envelope","amounts":[{"currency":"USD","amount":"100.00"},{"currency":"PKR","amount":"5000.00"}]}]}`,
		caseID, time.Now().UTC().Add(-time.Hour).Format(time.RFC3339))
	rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", body)
	if rec.Code != http.StatusCreated {
		t.Fatalf("seizure: %d %s", rec.Code, rec.Body)
	}
	var r receipt
	decode(t, rec, &r)
	at := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
	named := fmt.Sprintf(`{"item_id":%d,"sold":[{"currency":"USD","amount":"100.00"},{"currency":"PKR","amount":"5000.00"}],"proceeds":"27900.00","executed_at":%q,"counterparty":"bank"}`, r.ItemIDs[0], at)
	before := snapshot(t, ts.store)
	wantProblem(t, ts.do(access.RoleFinance, http.MethodPost, "/v1/conversions", named), http.StatusUnprocessableEntity, "sold[1].currency")
	if snapshot(t, ts.store) != before {
		t.Fatal("a refused conversion changed the store")
	}
	conv := fmt.Sprintf(`{"item_id":%d,"court_order_id":%d,"sold":[{"currency":"USD","amount":"100.00"}],"proceeds":"27900.00","executed_at":%q,"counterparty":"bank"}`, r.ItemIDs[0], mustOrder(t, ts, "sale", r.ItemIDs[0], ""), at)
	rec = ts.do(access.RoleFinance, http.MethodPost, "/v1/conversions", conv)
	if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), `"pkr_at_par":"5000.00"`) || !strings.Contains(rec.Body.String(), `"proceeds":"27900.00"`) {
		t.Fatalf("conversion: %d %s", rec.Code, rec.Body)
	}
	rec = ts.do(access.RoleAuditor, http.MethodGet, fmt.Sprintf("/v1/items/%d", r.ItemIDs[0]), "")
	if !strings.Contains(rec.Body.String(), `"status":"converted"`) || !strings.Contains(rec.Body.String(), `{"currency":"PKR","amount":"0.00"}`) {
		t.Fatalf("item after conversion: %s", rec.Body)
	}
}
