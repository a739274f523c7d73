package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/chain/access"
)

// TestItemReadsShowACurrencyAReconciliationAdded: a count that finds euros
// in a bag seized as dollars and dong posts them into custody; the item and
// case reads must show them, or custody holds value no read reports.
func TestItemReadsShowACurrencyAReconciliationAdded(t *testing.T) {
	ts, _ := newFinanceServer(t)
	caseID := mustCreateCase(t, ts, "FIR 116/2025")
	rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", seizureBody(caseID, "B"))
	if rec.Code != http.StatusCreated {
		t.Fatalf("seizure: %d %s", rec.Code, rec.Body)
	}
	var r receipt
	decode(t, rec, &r)
	cash := r.ItemIDs[0]
	count := fmt.Sprintf(`{"item_id":%d,"date":%q,"counts":[{"currency":"USD","amount":"1500.00"},{"currency":"VND","amount":"500000"},{"currency":"EUR","amount":"20.00"}],"explanation":"a 20-euro note in the lining"}`,
		cash, time.Now().UTC().Format("2006-01-02"))
	if rec := ts.do(access.RoleFinance, http.MethodPost, "/v1/reconciliations", count); rec.Code != http.StatusCreated {
		t.Fatalf("reconciliation: %d %s", rec.Code, rec.Body)
	}
	want := `[{"currency":"USD","amount":"1500.00"},{"currency":"VND","amount":"500000"},{"currency":"EUR","amount":"20.00"}]`
	rec = ts.do(access.RoleAuditor, http.MethodGet, fmt.Sprintf("/v1/items/%d", cash), "")
	if !strings.Contains(rec.Body.String(), `"balances":`+want) {
		t.Fatalf("item balances: %s", rec.Body)
	}
	rec = ts.do(access.RoleAuditor, http.MethodGet, fmt.Sprintf("/v1/items?case_id=%d", caseID), "")
	if !strings.Contains(rec.Body.String(), `"balances":`+want) {
		t.Fatalf("item list balances: %s", rec.Body)
	}
	rec = ts.do(access.RoleAuditor, http.MethodGet, fmt.Sprintf("/v1/cases/%d", caseID), "")
	if !strings.Contains(rec.Body.String(), `{"currency":"EUR","amount":"20.00"}`) {
		t.Fatalf("case holdings: %s", rec.Body)
	}
}
