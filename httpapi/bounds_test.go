package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/ledger/money"
)

// readsStillWork checks that every list and report of the books answers.
func readsStillWork(t *testing.T, ts *testServer) {
	t.Helper()
	for _, path := range []string{"/v1/items", "/v1/cases", "/v1/balances", "/v1/valuation", "/v1/verify"} {
		if rec := ts.do(access.RoleAuditor, http.MethodGet, path, ""); rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
		}
	}
}

// TestSeizureOfAnAmountPastTheBoundIsRefused is the request that used to
// make the store unreadable: 58 nines of cash were accepted, and their
// stored form could no longer be parsed by any read.
func TestSeizureOfAnAmountPastTheBoundIsRefused(t *testing.T) {
	ts, _ := newFinanceServer(t)
	caseID := mustCreateCase(t, ts, "58/2025")
	if rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", seizureBody(caseID, "OK")); rec.Code != http.StatusCreated {
		t.Fatalf("seizure: %d %s", rec.Code, rec.Body)
	}
	at := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	seizure := func(item string) string {
		return fmt.Sprintf(`{"case_id":%d,"seized_at":%q,"location":"Plaza 9","seized_from":"unknown occupant","officer":"SI Bilal","items":[%s]}`, caseID, at, item)
	}
	nines58 := strings.Repeat("9", 58)
	today := time.Now().UTC().Format("2006-01-02")
	tests := []struct {
		name, role, path, body, field string
	}{
		{"58 nines of cash", access.RoleCustodian, "/v1/seizures",
			seizure(`{"kind":"cash","seal":"B-1","description":"bag","amounts":[{"currency":"USD","amount":"` + nines58 + `"}]}`),
			"items[0].amounts[0].amount"},
		{"an ETH holding of 10^40", access.RoleCustodian, "/v1/seizures",
			seizure(`{"kind":"wallet","seal":"B-2","description":"phone","chain":"ethereum","addresses":["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"],"holdings":[{"currency":"ETH","amount":"1` + strings.Repeat("0", 40) + `"}]}`),
			"items[0].holdings[0].amount"},
		{"one digit past the bound", access.RoleCustodian, "/v1/seizures",
			seizure(`{"kind":"cash","seal":"B-3","description":"bag","amounts":[{"currency":"VND","amount":"1` + strings.Repeat("0", money.MaxDigits) + `"}]}`),
			"items[0].amounts[0].amount"},
		{"a count of 58 nines", access.RoleFinance, "/v1/reconciliations",
			fmt.Sprintf(`{"item_id":1,"date":%q,"counts":[{"currency":"USD","amount":%q}],"explanation":"recount"}`, today, nines58),
			"counts[0].amount"},
		{"a rate of 58 nines", access.RoleFinance, "/v1/rates",
			`{"currency":"USD","rate":"` + nines58 + `","effective":"2025-06-02","source":"sbp-interbank"}`, "rate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(t, ts.store)
			p := wantProblem(t, ts.do(tc.role, http.MethodPost, tc.path, tc.body), http.StatusUnprocessableEntity, tc.field)
			for _, f := range p.Errors {
				if f.Field == tc.field && !strings.Contains(f.Reason, "too large") {
					t.Errorf("reason %q does not say the amount is too large", f.Reason)
				}
			}
			if snapshot(t, ts.store) != before {
				t.Fatal("a refused request changed the store")
			}
			readsStillWork(t, ts)
		})
	}
}

// TestAmountsAtTheBoundAreAcceptedAndReadBack registers the largest cash
// amount and ETH holding, values them at the largest rate and sells the ETH
// at the largest proceeds: every derived posting stays within the bounds and
// every read still answers.
func TestAmountsAtTheBoundAreAcceptedAndReadBack(t *testing.T) {
	ts, _ := newFinanceServer(t)
	caseID := mustCreateCase(t, ts, "24/2025")
	cash := strings.Repeat("9", money.MaxDigits) + ".99"
	eth := strings.Repeat("9", money.MaxDigits) + "." + strings.Repeat("9", 18)
	body := fmt.Sprintf(`{"case_id":%d,"seized_at":%q,"location":"Plaza 9","seized_from":"unknown occupant","officer":"SI Bilal","items":[
	 {"kind":"cash","seal":"M-1","description":"bag","amounts":[{"currency":"USD","amount":%q}]},
	 {"kind":"wallet","seal":"M-2","description":"phone","chain":"ethereum","addresses":["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"],"holdings":[{"currency":"ETH","amount":%q}]}]}`,
		caseID, time.Now().UTC().Add(-time.Hour).Format(time.RFC3339), cash, eth)
	rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", body)
	if rec.Code != http.StatusCreated {
		t.Fatalf("seizure at the bound: %d %s", rec.Code, rec.Body)
	}
	var r receipt
	decode(t, rec, &r)
	rate := strings.Repeat("9", money.MaxRateDigits) + "." + strings.Repeat("9", 10)
	for _, cur := range []string{"USD", "ETH"} {
		if rec := ts.do(access.RoleFinance, http.MethodPost, "/v1/rates", fmt.Sprintf(`{"currency":%q,"rate":%q,"effective":"2025-06-02","source":"court-order"}`, cur, rate)); rec.Code != http.StatusCreated {
			t.Fatalf("rate at the bound: %d %s", rec.Code, rec.Body)
		}
	}
	readsStillWork(t, ts)
	sale := mustOrder(t, ts, "sale", r.ItemIDs[1], "")
	conv := fmt.Sprintf(`{"item_id":%d,"court_order_id":%d,"sold":[{"currency":"ETH","amount":%q}],"proceeds":%q,"fees":%q,"executed_at":%q,"counterparty":"licensed exchange","reference":"stmt-1"}`,
		r.ItemIDs[1], sale, eth, cash, cash, time.Now().UTC().Add(-time.Minute).Format(time.RFC3339))
	if rec := ts.do(access.RoleFinance, http.MethodPost, "/v1/conversions", conv); rec.Code != http.StatusCreated {
		t.Fatalf("conversion at the bound: %d %s", rec.Code, rec.Body)
	}
	readsStillWork(t, ts)
	rec = ts.do(access.RoleAuditor, http.MethodGet, fmt.Sprintf("/v1/items/%d", r.ItemIDs[0]), "")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"amount":"`+cash+`"`) {
		t.Fatalf("item at the bound: %d %s", rec.Code, rec.Body)
	}
}
