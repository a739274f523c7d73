package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/evidence"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/finance"
)

// newFinanceServer is the evidence server with finance wired as
// cmd/amanat wires it: the real register, custody log and valuation.
func newFinanceServer(t *testing.T) (*testServer, *chain.Custody) {
	t.Helper()
	ts, custody := newEvidenceServer(t)
	ts.s.evidence.Value = evidence.FinanceValue(ts.s.finance)
	return ts, custody
}

func TestRatesOverHTTP(t *testing.T) {
	ts, _ := newFinanceServer(t)
	post := func(role, body string, headers ...string) (int, string) {
		rec := ts.do(role, http.MethodPost, "/v1/rates", body, headers...)
		return rec.Code, rec.Body.String()
	}
	if code, body := post(access.RoleFinance, `{"currency":"USD","rate":"278.6500","effective":"2025-06-02","source":"sbp-interbank"}`); code != http.StatusCreated || !strings.Contains(body, `"rate":"278.6500"`) || !strings.Contains(body, `"entered_by":"finance:test-finance"`) {
		t.Fatalf("%d %s", code, body)
	}
	post(access.RoleFinance, `{"currency":"USD","rate":"280","effective":"2025-06-05","source":"sbp-interbank"}`)
	post(access.RoleFinance, `{"currency":"AED","rate":"75.8","effective":"2025-06-02","source":"sbp-interbank"}`)

	before := snapshot(t, ts.store)
	bad := []struct {
		name, role, body, field string
		status                  int
	}{
		{"a rate as a JSON number", access.RoleFinance, `{"currency":"USD","rate":278.65,"effective":"2025-06-02","source":"sbp-interbank"}`, "rate", 422},
		{"an exponent", access.RoleFinance, `{"currency":"USD","rate":"2.7865e2","effective":"2025-06-02","source":"sbp-interbank"}`, "rate", 422},
		{"a zero rate", access.RoleFinance, `{"currency":"USD","rate":"0","effective":"2025-06-02","source":"sbp-interbank"}`, "rate", 422},
		{"a bad date", access.RoleFinance, `{"currency":"USD","rate":"1","effective":"02/06/2025","source":"sbp-interbank"}`, "effective", 422},
		{"an unknown field", access.RoleFinance, `{"currency":"USD","rate":"1","effective":"2025-06-02","source":"sbp-interbank","note":"x"}`, "note", 422},
		{"malformed JSON", access.RoleFinance, `{"currency":"USD",`, "", 400},
		{"a custodian may not enter rates", access.RoleCustodian, `{"currency":"USD","rate":"1","effective":"2025-06-02","source":"sbp-interbank"}`, "", 403},
		{"no token", "", `{"currency":"USD","rate":"1","effective":"2025-06-02","source":"sbp-interbank"}`, "", 401},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			wantProblem(t, ts.do(tt.role, http.MethodPost, "/v1/rates", tt.body), tt.status, tt.field)
		})
	}
	if after := snapshot(t, ts.store); after != before {
		t.Fatal("a refused rate changed the store")
	}

	var list struct {
		Data       []finance.Rate `json:"data"`
		NextCursor *string        `json:"next_cursor"`
	}
	rec := ts.do(access.RoleInvestigator, http.MethodGet, "/v1/rates?currency=USD&as_of=2025-06-04", "")
	decode(t, rec, &list)
	if rec.Code != 200 || len(list.Data) != 1 || list.Data[0].Text != "278.6500" || list.Data[0].Effective != "2025-06-02" {
		t.Fatalf("rate in force: %s", rec.Body)
	}
	rec = ts.do(access.RoleAuditor, http.MethodGet, "/v1/rates?as_of=2025-06-05", "")
	decode(t, rec, &list)
	if len(list.Data) != 2 || list.Data[0].Currency != "AED" || list.Data[1].Text != "280" {
		t.Fatalf("every currency's rate in force: %s", rec.Body)
	}
	wantProblem(t, ts.do(access.RoleFinance, http.MethodGet, "/v1/rates?currency=USD&as_of=2025-06-01", ""), 404, "")
	wantProblem(t, ts.do(access.RoleFinance, http.MethodGet, "/v1/rates?currency=usd", ""), 422, "currency")
	wantProblem(t, ts.do(access.RoleFinance, http.MethodGet, "/v1/rates?as_of=yesterday", ""), 422, "as_of")
	wantProblem(t, ts.do(access.RoleAdmin, http.MethodGet, "/v1/rates", ""), 403, "")

	// The history pages in a stable order.
	var seen []string
	path := "/v1/rates?limit=2"
	for {
		rec := ts.do(access.RoleFinance, http.MethodGet, path, "")
		decode(t, rec, &list)
		for _, r := range list.Data {
			seen = append(seen, r.Currency+" "+r.Effective)
		}
		if list.NextCursor == nil {
			break
		}
		path = "/v1/rates?limit=2&cursor=" + *list.NextCursor
	}
	if strings.Join(seen, ",") != "AED 2025-06-02,USD 2025-06-02,USD 2025-06-05" {
		t.Fatalf("history %v", seen)
	}
}

func TestValuationConversionAndReconciliationOverHTTP(t *testing.T) {
	ts, custody := newFinanceServer(t)
	caseID := mustCreateCase(t, ts, "FIR 112/2025")
	rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", seizureBody(caseID, "S"))
	if rec.Code != http.StatusCreated {
		t.Fatalf("seizure: %d %s", rec.Code, rec.Body)
	}
	var r receipt
	decode(t, rec, &r)
	cash, wallet := r.ItemIDs[0], r.ItemIDs[1]
	for _, body := range []string{
		`{"currency":"USD","rate":"278.65","effective":"2025-06-02","source":"sbp-interbank"}`,
		`{"currency":"BTC","rate":"30000000.5","effective":"2025-06-02","source":"exchange-close"}`,
	} {
		if rec := ts.do(access.RoleFinance, http.MethodPost, "/v1/rates", body); rec.Code != 201 {
			t.Fatalf("rate: %s", rec.Body)
		}
	}
	today := time.Now().UTC().Format("2006-01-02")

	// Valuation: VND has no rate, so its row is null and the total says so.
	rec = ts.do(access.RoleInvestigator, http.MethodGet, "/v1/valuation?group_by=currency&as_of="+today, "")
	var v finance.Valuation
	decode(t, rec, &v)
	if rec.Code != 200 || v.TotalPKR != "4121678.46" || v.Complete || strings.Join(v.MissingRates, ",") != "VND" {
		t.Fatalf("valuation: %s", rec.Body)
	}
	if !strings.Contains(rec.Body.String(), `"currency":"VND","items":1,"amount":"500000","rate":null,"rate_effective":null,"rate_source":null,"pkr":null,"missing_rate":true`) {
		t.Fatalf("a missing rate is null, never zero: %s", rec.Body)
	}
	for group, key := range map[string]string{"case": fmt.Sprintf(`"case_id":%d`, caseID), "circle": `"circle":"islamabad"`, "location": `"location":"islamabad/House 12, Street 4, F-7/2"`} {
		rec := ts.do(access.RoleAuditor, http.MethodGet, "/v1/valuation?group_by="+group, "")
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), key) || !strings.Contains(rec.Body.String(), `"total_pkr":"4121678.46"`) {
			t.Fatalf("group by %s: %s", group, rec.Body)
		}
	}
	wantProblem(t, ts.do(access.RoleFinance, http.MethodGet, "/v1/valuation?group_by=fir", ""), 422, "group_by")
	wantProblem(t, ts.do(access.RoleFinance, http.MethodGet, "/v1/valuation?as_of=2025-13-01", ""), 422, "as_of")
	if rec := ts.do(access.RoleFinance, http.MethodGet, "/v1/valuation?as_of=2025-06-01", ""); !strings.Contains(rec.Body.String(), `"rows":[]`) || !strings.Contains(rec.Body.String(), `"total_pkr":"0.00"`) {
		t.Fatalf("before the seizure nothing is held: %s", rec.Body)
	}
	rec = ts.do(access.RoleFinance, http.MethodGet, fmt.Sprintf("/v1/valuation/seizure?case_id=%d", caseID), "")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"current_pkr":"4121678.46"`) ||
		!strings.Contains(rec.Body.String(), fmt.Sprintf(`"item_id":%d,"case_id":%d,`, cash, caseID)) ||
		!strings.Contains(rec.Body.String(), fmt.Sprintf(`"cases":[{"case_id":%d,`, caseID)) {
		t.Fatalf("seizure comparison, ids as numbers: %s", rec.Body)
	}

	// A count that differs needs an explanation and is posted as variance.
	recBody := fmt.Sprintf(`{"item_id":%d,"date":%q,"counts":[{"currency":"USD","amount":"1400.00"}]}`, cash, today)
	before := snapshot(t, ts.store)
	wantProblem(t, ts.do(access.RoleFinance, http.MethodPost, "/v1/reconciliations", recBody), 422, "explanation")
	wantProblem(t, ts.do(access.RoleInvestigator, http.MethodPost, "/v1/reconciliations", recBody), 403, "")
	if snapshot(t, ts.store) != before {
		t.Fatal("a refused reconciliation changed the store")
	}
	recBody = strings.Replace(recBody, `]}`, `],"explanation":"one 100-dollar note missing"}`, 1)
	rec = ts.do(access.RoleFinance, http.MethodPost, "/v1/reconciliations", recBody)
	if rec.Code != 201 || !strings.Contains(rec.Body.String(), `"status":"difference"`) || !strings.Contains(rec.Body.String(), `"difference":"-100.00"`) ||
		!strings.Contains(rec.Body.String(), fmt.Sprintf(`"item_id":%d,`, cash)) {
		t.Fatalf("reconciliation: %d %s", rec.Code, rec.Body)
	}
	rec = ts.do(access.RoleAuditor, http.MethodGet, "/v1/reconciliations/discrepancies", "")
	if !strings.Contains(rec.Body.String(), fmt.Sprintf(`"item_id":%d,`, cash)) || !strings.Contains(rec.Body.String(), `"next_cursor":null`) {
		t.Fatalf("discrepancies: %s", rec.Body)
	}
	rec = ts.do(access.RoleAuditor, http.MethodGet, fmt.Sprintf("/v1/items/%d", cash), "")
	if !strings.Contains(rec.Body.String(), `"1400.00"`) {
		t.Fatalf("the item's balance after the variance: %s", rec.Body)
	}

	// Converting the wallet ends its custody with a converted entry. The item
	// id goes as a string of digits here, which is accepted too.
	sale := mustOrder(t, ts, "sale", wallet, "")
	conv := fmt.Sprintf(`{"item_id":"%d","court_order_id":%d,"sold":[{"currency":"BTC","amount":"0.12345678"}],"proceeds":"3750000.00","fees":"1500","executed_at":%q,"counterparty":"licensed exchange","reference":"stmt-7"}`,
		wallet, sale, time.Now().UTC().Add(-time.Minute).Format(time.RFC3339))
	rec = ts.do(access.RoleFinance, http.MethodPost, "/v1/conversions", conv, "Idempotency-Key", "conv-1")
	if rec.Code != 201 {
		t.Fatalf("conversion: %d %s", rec.Code, rec.Body)
	}
	var got struct {
		finance.Conversion
		ItemID       uint64 `json:"item_id"`
		CaseID       uint64 `json:"case_id"`
		CustodyEntry uint64 `json:"custody_entry"`
	}
	decode(t, rec, &got)
	// 0.12345678 × 30,000,000.5 = 3,703,703.46...; gross 3,751,500.00.
	if *got.ValuationPKR != "3703703.46" || *got.RealisedDifference != "47796.54" || got.CustodyEntry == 0 || got.ItemID != wallet || got.CaseID != caseID {
		t.Fatalf("conversion: %s", rec.Body)
	}
	// A retry answers the first answer, the proposal (approved since), and
	// writes nothing.
	again := ts.do(access.RoleFinance, http.MethodPost, "/v1/conversions", conv, "Idempotency-Key", "conv-1")
	if again.Code != http.StatusAccepted || !strings.Contains(again.Body.String(), `"kind":"conversion"`) || again.Header().Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry: %d %s", again.Code, again.Body)
	}
	wantProblem(t, ts.do(access.RoleFinance, http.MethodPost, "/v1/conversions", conv), 422, "sold[0].currency")
	rec = ts.do(access.RoleAuditor, http.MethodGet, "/v1/conversions", "")
	var convs struct{ Data []conversionJSON }
	decode(t, rec, &convs)
	if len(convs.Data) != 1 || convs.Data[0].TxnID != got.TxnID || uint64(convs.Data[0].CustodyEntry) != got.CustodyEntry {
		t.Fatalf("conversions: %s", rec.Body)
	}
	var st chain.ItemState
	ts.store.View(func(tx *ledger.Tx) (err error) { st, err = custody.State(tx, wallet); return err })
	if st.Status != chain.EventConverted || st.LedgerTxns[len(st.LedgerTxns)-1] != got.TxnID {
		t.Fatalf("custody state %+v, want converted naming transaction %d", st, got.TxnID)
	}
}
