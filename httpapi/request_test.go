package httpapi

import (
	"net/http"
	"strings"
	"testing"
)

// TestANumberForAnAmountSaysWhatTravelsAsAString: the 422 for an amount or a
// rate sent as a JSON number says amounts and rates are strings, and does
// not send the caller off to quote ids too (ids are numbers).
func TestANumberForAnAmountSaysWhatTravelsAsAString(t *testing.T) {
	ts := newTestServer(t)
	before := snapshot(t, ts.store)
	p := wantProblem(t, ts.do(RoleFinance, http.MethodPost, "/v1/rates", `{"currency":"USD","rate":278.65,"effective":"2025-06-02","source":"sbp-interbank"}`),
		http.StatusUnprocessableEntity, "rate")
	reason := p.Errors[0].Reason
	if !strings.Contains(reason, "amounts and rates travel as strings") || !strings.Contains(reason, "ids are numbers") || strings.Contains(reason, "ids travel as strings") {
		t.Fatalf("reason %q", reason)
	}
	if snapshot(t, ts.store) != before {
		t.Fatal("a refused rate changed the store")
	}
}
