package finance

import (
	"strings"
	"testing"

	"github.com/amanat-ledger/amanat/ledger"
)

func TestConversionOfAnItemHoldingPKR(t *testing.T) {
	s, svc, _ := convSetup(t)
	seize(t, s, "1", "7", june(2, 9), amt(t, "PKR", "5000.00"))
	in := ConversionInput{ItemID: "1", Sold: []CountInput{{"BTC", "0.5"}, {"USD", "100"}}, Proceeds: "15000000", ExecutedAt: "2025-06-10T08:00:00Z", Counterparty: "licensed exchange"}
	c, err := convert(s, svc, in)
	if err != nil {
		t.Fatal(err)
	}
	if c.AtParPKR != "5000.00" || c.Proceeds != "15000000.00" || *c.ValuationPKR != "15028000.00" || *c.RealisedDifference != "-28000.00" {
		t.Fatalf("the PKR moves at par beside the sale, outside proceeds and valuation: %+v", c)
	}
	for k, w := range map[[2]string]string{
		{"custody:item:1", "PKR"}:   "0.00",
		{"proceeds:case:7", "PKR"}:  "15005000.00",
		{"gains:conversion", "PKR"}: "28000.00",
	} {
		if got := balance(t, s, k[0], k[1]); got != w {
			t.Errorf("%s %s = %s, want %s", k[0], k[1], got, w)
		}
	}
	s.View(func(tx *ledger.Tx) error {
		txn, err := tx.Transaction(c.TxnID)
		if err != nil || !strings.Contains(txn.Memo, "5000.00 PKR to the proceeds at par") {
			t.Fatalf("memo %q %v", txn.Memo, err)
		}
		return nil
	})

	// An item of PKR only has nothing to sell.
	svc.items.(*directory).add(ItemRef{ID: "2", CaseID: "7", SeizedAt: june(2, 9)})
	seize(t, s, "2", "7", june(2, 9), amt(t, "PKR", "700.00"))
	before := snapshot(t, s)
	_, err = convert(s, svc, ConversionInput{ItemID: "2", Sold: []CountInput{{"PKR", "700.00"}}, Proceeds: "700", ExecutedAt: "2025-06-10T08:00:00Z", Counterparty: "x"})
	wantFieldErr(t, err, "sold[0].currency", "PKR is not sold")
	sameSnapshot(t, before, snapshot(t, s))
}
