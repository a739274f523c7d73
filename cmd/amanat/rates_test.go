package main

import (
	"strings"
	"testing"

	"github.com/amanat-ledger/amanat/ledger/finance"
)

// FuzzReadRateSheet checks that no sheet panics the reader and that every
// row it accepts passes the same check as POST /v1/rates.
func FuzzReadRateSheet(f *testing.F) {
	f.Add("currency,rate,effective,source\nUSD,278.65,2025-06-02,sbp-interbank\n")
	f.Add("\ufeffSource,Effective,Rate,Currency,Note\nsbp-interbank,2025-06-02,0.0108450000,VND,\"a, b\"\n\n")
	f.Add("currency,rate,effective,source\nUSD,\"1\n")
	f.Add("currency,rate\n")
	f.Fuzz(func(t *testing.T, sheet string) {
		rows, err := readRateSheet(strings.NewReader(sheet))
		if err != nil {
			if !strings.Contains(err.Error(), "row") && !strings.Contains(err.Error(), "sheet") {
				t.Fatalf("error without a row: %v", err)
			}
			return
		}
		if len(rows) == 0 {
			t.Fatal("accepted a sheet without rates")
		}
		for _, r := range rows {
			if _, err := finance.CheckRate(r); err != nil {
				t.Fatalf("accepted row %+v: %v", r, err)
			}
		}
	})
}
