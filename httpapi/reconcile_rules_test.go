package httpapi

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/chain/access"
)

// TestReconcileRulesOverHTTP: a count cannot put value back into a custody
// that has ended, cannot be dated before the seizure, and cannot give an
// item a currency its kind cannot hold.
func TestReconcileRulesOverHTTP(t *testing.T) {
	ts, _ := newFinanceServer(t)
	caseID := mustCreateCase(t, ts, "FIR 114/2025")
	rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", seizureBody(caseID, "R"))
	if rec.Code != http.StatusCreated {
		t.Fatalf("seizure: %d %s", rec.Code, rec.Body)
	}
	var r receipt
	decode(t, rec, &r)
	cash, wallet := r.ItemIDs[0], r.ItemIDs[1]
	today := time.Now().UTC().Format("2006-01-02")
	yesterday := time.Now().UTC().AddDate(0, 0, -1).Format("2006-01-02")
	conv := fmt.Sprintf(`{"item_id":%d,"court_order_id":%d,"sold":[{"currency":"BTC","amount":"0.12345678"}],"proceeds":"3750000.00","executed_at":%q,"counterparty":"licensed exchange"}`,
		wallet, mustOrder(t, ts, "sale", wallet, ""), time.Now().UTC().Add(-time.Minute).Format(time.RFC3339))
	if rec := ts.do(access.RoleFinance, http.MethodPost, "/v1/conversions", conv); rec.Code != http.StatusCreated {
		t.Fatalf("conversion: %d %s", rec.Code, rec.Body)
	}
	tests := []struct{ name, body, field string }{
		{"a count of a converted wallet", fmt.Sprintf(`{"item_id":%d,"date":%q,"method":"chain","counts":[{"currency":"BTC","amount":"0.12345678"}],"explanation":"still on chain"}`, wallet, today), "item_id"},
		{"a count dated before the seizure", fmt.Sprintf(`{"item_id":%d,"date":%q,"counts":[{"currency":"USD","amount":"1500.00"}],"explanation":"counted"}`, cash, yesterday), "date"},
		{"BTC counted in a cash bag", fmt.Sprintf(`{"item_id":%d,"date":%q,"counts":[{"currency":"USD","amount":"1500.00"},{"currency":"BTC","amount":"0.1"}],"explanation":"a coin found"}`, cash, today), "counts[1].currency"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := snapshot(t, ts.store)
			wantProblem(t, ts.do(access.RoleFinance, http.MethodPost, "/v1/reconciliations", tt.body), http.StatusUnprocessableEntity, tt.field)
			if snapshot(t, ts.store) != before {
				t.Fatal("a refused reconciliation changed the store")
			}
		})
	}
}
