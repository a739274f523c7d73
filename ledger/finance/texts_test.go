package finance

import (
	"context"
	"strings"
	"testing"

	"github.com/amanat-ledger/amanat/ledger"
)

// Secrets and bytes that must never reach the books, the custody log or an
// export through a finance write.
const (
	testSeed = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
	testWIF  = "KwdMAjGmerYanjeui5SHS7JkmpZvVipYvB2LJGU1ZxJwYvP98617"
)

// wantFieldErr checks that err is an invalid-input error whose first field
// is field with a reason containing reason.
func wantFieldErr(t testing.TB, err error, field, reason string) {
	t.Helper()
	e, ok := err.(*ledger.Error)
	if !ok || e.Code != ledger.EInvalid || len(e.Fields) == 0 || e.Fields[0].Field != field || !strings.Contains(e.Fields[0].Reason, reason) {
		t.Fatalf("err %v, want %s: %s", err, field, reason)
	}
}

// TestFinanceTextsRefuseSecretsAndBadBytes: every free-text field of every
// finance write goes through the shared check.
func TestFinanceTextsRefuseSecretsAndBadBytes(t *testing.T) {
	s, svc, _ := convSetup(t)
	svc.items.(*directory).add(ItemRef{ID: "1", CaseID: "7", SeizedAt: june(2, 9), Location: "malkhana"})
	bad := []struct{ name, value, reason string }{
		{"a seed phrase", "words: " + testSeed, "seed phrase"},
		{"a WIF key", testWIF, "WIF private key"},
		{"a NUL", "stmt\x00-7", "control character U+0000"},
		{"invalid UTF-8", "stmt-\xff7", "not valid UTF-8"},
	}
	conv := ConversionInput{ItemID: "1", Sold: []CountInput{{"BTC", "0.5"}, {"USD", "100"}}, Proceeds: "15000000", ExecutedAt: "2025-06-10T08:00:00Z", Counterparty: "licensed exchange"}
	item := ReconciliationInput{ItemID: "1", Date: "2025-06-05", Counts: []CountInput{{"USD", "90.00"}}, Explanation: "one note missing"}
	place := ReconciliationInput{Location: "malkhana", Date: "2025-06-05", Counts: []CountInput{{"USD", "100.00"}}}
	fields := []struct {
		field string
		write func(v string) error
	}{
		{"counterparty", func(v string) error { in := conv; in.Counterparty = v; _, err := convert(s, svc, in); return err }},
		{"reference", func(v string) error { in := conv; in.Reference = v; _, err := convert(s, svc, in); return err }},
		{"memo", func(v string) error { in := conv; in.Memo = v; _, err := convert(s, svc, in); return err }},
		{"explanation", func(v string) error { in := item; in.Explanation = v; _, err := reconcile(s, svc, in); return err }},
		{"location", func(v string) error { in := place; in.Location = v; _, err := reconcile(s, svc, in); return err }},
		{"source", func(v string) error {
			return s.Write(context.Background(), func(tx *ledger.Tx) error {
				_, err := svc.AddRate(tx, RateInput{Currency: "USD", Rate: "280", Effective: "2025-06-03", Source: v}, "finance:test")
				return err
			})
		}},
	}
	for _, f := range fields {
		for _, b := range bad {
			if f.field == "source" && b.name == "a seed phrase" {
				b.reason = "longer than 64 bytes" // a source is a short name: the bound speaks first
			}
			t.Run(f.field+"/"+b.name, func(t *testing.T) {
				before := snapshot(t, s)
				wantFieldErr(t, f.write(b.value), f.field, b.reason)
				sameSnapshot(t, before, snapshot(t, s))
			})
		}
	}
}
