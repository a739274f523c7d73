package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/chain/access"
)

// TestFinanceTextsRefuseSecretsOverHTTP: a seed phrase, a WIF key, a NUL or
// bytes that are not UTF-8 in any free-text field of a finance write is a
// 422 naming the field, and nothing is written.
func TestFinanceTextsRefuseSecretsOverHTTP(t *testing.T) {
	ts, _ := newFinanceServer(t)
	caseID := mustCreateCase(t, ts, "FIR 113/2025")
	rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", seizureBody(caseID, "T"))
	if rec.Code != http.StatusCreated {
		t.Fatalf("seizure: %d %s", rec.Code, rec.Body)
	}
	var r receipt
	decode(t, rec, &r)
	cash, wallet := r.ItemIDs[0], r.ItemIDs[1]
	today := time.Now().UTC().Format("2006-01-02")
	at := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)

	// Each value is JSON string content, spliced into a body as is.
	bad := []struct{ name, json, reason string }{
		{"a seed phrase", "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about", "seed phrase"},
		{"a WIF key", "KwdMAjGmerYanjeui5SHS7JkmpZvVipYvB2LJGU1ZxJwYvP98617", "WIF"},
		{"a NUL", `a\u0000b`, "U+0000"},
		{"invalid UTF-8", "a\xffb", "not valid UTF-8"},
	}
	sale := mustOrder(t, ts, "sale", wallet, "")
	conv := func(field, v string) string {
		f := map[string]string{"counterparty": "licensed exchange", "reference": "stmt-7", "memo": "sold on instruction"}
		f[field] = v
		return fmt.Sprintf(`{"item_id":%d,"court_order_id":%d,"sold":[{"currency":"BTC","amount":"0.12345678"}],"proceeds":"3750000.00","executed_at":%q,"counterparty":"%s","reference":"%s","memo":"%s"}`,
			wallet, sale, at, f["counterparty"], f["reference"], f["memo"])
	}
	writes := []struct {
		field, path string
		body        func(v string) string
	}{
		{"counterparty", "/v1/conversions", func(v string) string { return conv("counterparty", v) }},
		{"reference", "/v1/conversions", func(v string) string { return conv("reference", v) }},
		{"memo", "/v1/conversions", func(v string) string { return conv("memo", v) }},
		{"explanation", "/v1/reconciliations", func(v string) string {
			return fmt.Sprintf(`{"item_id":%d,"date":%q,"counts":[{"currency":"USD","amount":"1400.00"}],"explanation":"%s"}`, cash, today, v)
		}},
		{"location", "/v1/reconciliations", func(v string) string {
			return fmt.Sprintf(`{"location":"%s","date":%q,"counts":[{"currency":"USD","amount":"1500.00"}]}`, v, today)
		}},
		{"source", "/v1/rates", func(v string) string {
			return fmt.Sprintf(`{"currency":"USD","rate":"278.65","effective":"2025-06-02","source":"%s"}`, v)
		}},
	}
	for _, w := range writes {
		for _, b := range bad {
			t.Run(w.field+"/"+b.name, func(t *testing.T) {
				before := snapshot(t, ts.store)
				p := wantProblem(t, ts.do(access.RoleFinance, http.MethodPost, w.path, w.body(b.json)), http.StatusUnprocessableEntity, w.field)
				reason := ""
				for _, f := range p.Errors {
					if f.Field == w.field {
						reason = f.Reason
					}
				}
				want := b.reason
				if w.field == "source" && b.name == "a seed phrase" {
					want = "longer than 64 bytes" // a source is a short name: the bound speaks first
				}
				if !strings.Contains(reason, want) {
					t.Fatalf("%s: reason %q does not say %q", w.field, reason, want)
				}
				if snapshot(t, ts.store) != before {
					t.Fatal("a refused write changed the store")
				}
			})
		}
	}
}
