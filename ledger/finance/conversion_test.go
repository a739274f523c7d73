package finance

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/money"
)

func convert(s *ledger.Store, svc *Service, in ConversionInput) (Conversion, error) {
	var c Conversion
	err := s.Write(context.Background(), func(tx *ledger.Tx) error {
		var err error
		c, err = svc.Convert(tx, in, "finance:test")
		return err
	})
	return c, err
}

func balance(t testing.TB, s *ledger.Store, account, cur string) string {
	t.Helper()
	var out string
	s.View(func(tx *ledger.Tx) error {
		b, err := tx.Balance(account, money.MustLookup(cur))
		if err != nil {
			t.Fatal(err)
		}
		out = b.Amount.String()
		return nil
	})
	return out
}

func convSetup(t *testing.T) (*ledger.Store, *Service, *custodyLog) {
	s, _ := mustOpen(t, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
	dir := newDirectory()
	log := &custodyLog{}
	svc := New(Config{Items: dir, Custody: log})
	dir.add(ItemRef{ID: "1", CaseID: "7", SeizedAt: june(2, 9)})
	seize(t, s, "1", "7", june(2, 9), amt(t, "BTC", "0.50000000"), amt(t, "USD", "100.00"))
	addRate(t, s, svc, "BTC", "30000000", "2025-06-01", "exchange-close")
	addRate(t, s, svc, "USD", "280", "2025-06-01", "sbp-interbank")
	return s, svc, log
}

func TestConversionPostsBothLegsThroughTheConversionAccount(t *testing.T) {
	s, svc, _ := convSetup(t)
	c, err := convert(s, svc, ConversionInput{
		ItemID: "1", Sold: []CountInput{{"BTC", "0.50000000"}, {"USD", "100"}}, Proceeds: "15128000.00", Fees: "12000.50",
		ExecutedAt: "2025-06-10T08:00:00Z", Counterparty: "licensed exchange", Reference: "stmt-991",
	})
	if err != nil {
		t.Fatal(err)
	}
	// Valuation 0.5 × 30,000,000 + 100 × 280 = 15,028,000; gross 15,140,000.50.
	if *c.ValuationPKR != "15028000.00" || *c.RealisedDifference != "112000.50" || *c.NetDifference != "100000.00" || c.Gross != "15140000.50" || *c.Sold[1].PKR != "28000.00" {
		t.Fatalf("conversion %+v", c)
	}
	if c.CustodyEntry != "1" || c.TxnID == 0 || c.CaseID != "7" {
		t.Fatalf("conversion not tied: %+v", c)
	}
	want := map[[2]string]string{
		{"custody:item:1", "BTC"}:    "0.00000000",
		{"custody:item:1", "USD"}:    "0.00",
		{"conversion:item:1", "BTC"}: "0.50000000",
		{"conversion:item:1", "USD"}: "100.00",
		{"conversion:item:1", "PKR"}: "-15028000.00", // flat at the day's rates
		{"proceeds:case:7", "PKR"}:   "15128000.00",
		{"fees:conversion", "PKR"}:   "12000.50",
		{"gains:conversion", "PKR"}:  "-112000.50",
		{"seized:case:7", "BTC"}:     "-0.50000000",
	}
	for k, w := range want {
		if got := balance(t, s, k[0], k[1]); got != w {
			t.Errorf("%s %s = %s, want %s", k[0], k[1], got, w)
		}
	}
	s.View(func(tx *ledger.Tx) error {
		txn, err := tx.Transaction(c.TxnID)
		if err != nil || len(txn.Postings) != 9 || !txn.Effective.Equal(time.Date(2025, 6, 10, 8, 0, 0, 0, time.UTC)) {
			t.Fatalf("one transaction with nine postings: %+v %v", txn, err)
		}
		list, _, _ := svc.Conversions(tx, 0, 10)
		if len(list) != 1 || list[0].ID != c.ID || *list[0].RealisedDifference != "112000.50" {
			t.Fatalf("list %+v", list)
		}
		return nil
	})
}

func TestConversionBelowValuationAndWithoutRate(t *testing.T) {
	s, svc, _ := convSetup(t)
	c, err := convert(s, svc, ConversionInput{ItemID: "1", Sold: []CountInput{{"BTC", "0.5"}, {"USD", "100.00"}}, Proceeds: "14928000", ExecutedAt: "2025-06-10T08:00:00Z", Counterparty: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if *c.RealisedDifference != "-100000.00" || balance(t, s, "gains:conversion", "PKR") != "100000.00" {
		t.Fatalf("a loss: %+v", c)
	}
	dir := svc.items.(*directory)
	dir.add(ItemRef{ID: "2", CaseID: "7"})
	seize(t, s, "2", "7", june(2, 9), amt(t, "KES", "1000.00"))
	c, err = convert(s, svc, ConversionInput{ItemID: "2", Sold: []CountInput{{"KES", "1000"}}, Proceeds: "2150", ExecutedAt: "2025-06-10T08:00:00Z", Counterparty: "bank"})
	if err != nil {
		t.Fatal(err)
	}
	if !c.MissingRate || !c.Sold[0].MissingRate || c.ValuationPKR != nil || c.RealisedDifference != nil || balance(t, s, "conversion:item:2", "PKR") != "-2150.00" {
		t.Fatalf("no rate: the difference is unknown, not zero: %+v", c)
	}
}

func TestConversionRefusalsWriteNothing(t *testing.T) {
	s, svc, log := convSetup(t)
	good := ConversionInput{ItemID: "1", Sold: []CountInput{{"BTC", "0.5"}, {"USD", "100"}}, Proceeds: "3000000", ExecutedAt: "2025-06-10T08:00:00Z", Counterparty: "x"}
	tests := []struct {
		name   string
		edit   func(*ConversionInput)
		field  string
		reason string
	}{
		{"more than the item holds", func(c *ConversionInput) { c.Sold = []CountInput{{"BTC", "0.50000001"}, {"USD", "100"}} }, "sold[0].amount", "holds 0.50000000"},
		{"less than the item holds", func(c *ConversionInput) { c.Sold = []CountInput{{"BTC", "0.4"}, {"USD", "100"}} }, "sold[0].amount", "whole holding"},
		{"a currency left behind", func(c *ConversionInput) { c.Sold = []CountInput{{"BTC", "0.5"}} }, "sold", "also holds 100.00 USD"},
		{"a currency the item never held", func(c *ConversionInput) { c.Sold = append(c.Sold, CountInput{"EUR", "1"}) }, "sold[2].currency", "holds no EUR"},
		{"nothing sold", func(c *ConversionInput) { c.Sold = nil }, "sold", "name each currency"},
		{"named twice", func(c *ConversionInput) { c.Sold = append(c.Sold, CountInput{"USD", "100"}) }, "sold[2].currency", "twice"},
		{"nine BTC places", func(c *ConversionInput) { c.Sold = []CountInput{{"BTC", "0.000000001"}} }, "sold[0].amount", "at most 8"},
		{"unknown item", func(c *ConversionInput) { c.ItemID = "99" }, "item_id", "does not exist"},
		{"not an id", func(c *ConversionInput) { c.ItemID = "01" }, "item_id", "not an id"},
		{"PKR is not sold", func(c *ConversionInput) { c.Sold = []CountInput{{"PKR", "1"}} }, "sold[0].currency", "PKR is not sold"},
		{"proceeds in three places", func(c *ConversionInput) { c.Proceeds = "1.001" }, "proceeds", "at most 2"},
		{"negative fees", func(c *ConversionInput) { c.Fees = "-1" }, "fees", "negative"},
		{"no time", func(c *ConversionInput) { c.ExecutedAt = "2025-06-10" }, "executed_at", "RFC 3339"},
		{"in the future", func(c *ConversionInput) { c.ExecutedAt = "2030-01-01T00:00:00Z" }, "executed_at", "future"},
		{"before it was seized", func(c *ConversionInput) { c.ExecutedAt = "2025-06-01T00:00:00Z" }, "executed_at", "before the item was seized"},
		{"no counterparty", func(c *ConversionInput) { c.Counterparty = " " }, "counterparty", "required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := snapshot(t, s)
			in := good
			tt.edit(&in)
			_, err := convert(s, svc, in)
			e, ok := err.(*ledger.Error)
			if !ok || e.Code != ledger.EInvalid || len(e.Fields) == 0 || e.Fields[0].Field != tt.field || !strings.Contains(e.Fields[0].Reason, tt.reason) {
				t.Fatalf("err %v, want %s: %s", err, tt.field, tt.reason)
			}
			sameSnapshot(t, before, snapshot(t, s))
		})
	}
	t.Run("the custody log refuses the event", func(t *testing.T) {
		before := snapshot(t, s)
		log.refuse = ledger.Errorf(ledger.EInvalid, "item 1 is sealed")
		defer func() { log.refuse = nil }()
		if _, err := convert(s, svc, good); err == nil || !strings.Contains(err.Error(), "sealed") {
			t.Fatalf("err %v", err)
		}
		sameSnapshot(t, before, snapshot(t, s))
	})
}
