package evidence

import (
	"fmt"
	"testing"

	"pgregory.net/rapid"

	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/money"
)

var (
	propCash = []CashAmount{
		{Currency: "USD", Amount: "100.50"}, {Currency: "VND", Amount: "500000"}, {Currency: "AED", Amount: "20"},
		{Currency: "USD", Amount: "1.005"}, // bad: three places
	}
	propWallets = []ItemRequest{
		{Kind: KindWallet, Chain: "bitcoin", Address: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", Holdings: []Holding{{Currency: "BTC", Amount: "0.00012345"}}},
		{Kind: KindWallet, Chain: "tron", Address: "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", Holdings: []Holding{{Currency: "USDT", Amount: "10"}, {Currency: "TRX", Amount: "3"}}},
		{Kind: KindWallet, Chain: "ethereum", Address: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", Holdings: []Holding{{Currency: "ETH", Amount: "0.000000000000000001"}}},
		{Kind: KindWallet, Chain: "bitcoin", Address: "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", Holdings: []Holding{{Currency: "BTC", Amount: "1"}}}, // bad address
	}
)

// TestSeizureStreamKeepsTheBooks registers random streams of seizures, good
// and bad, with seals drawn from a small pool so that some collide. Every
// refusal must leave the store as it was; after every stream the books must
// hold exactly what the accepted seizures brought, each item with one
// custody entry, and both checkers must pass.
func TestSeizureStreamKeepsTheBooks(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		f := mustOpen(t)
		cases := []Case{f.createCase(t, "1/2025"), f.createCase(t, "2/2025")}
		want := map[string]money.Amount{} // currency -> sum of accepted values
		items := 0
		for n := rapid.IntRange(1, 8).Draw(rt, "seizures"); n > 0; n-- {
			req := validSeizure()
			req.CaseID = ID(cases[rapid.IntRange(0, 2).Draw(rt, "case")%2].ID)
			if rapid.IntRange(0, 9).Draw(rt, "unknown case") == 0 {
				req.CaseID = 99
			}
			req.Items = nil
			for k := rapid.IntRange(1, 4).Draw(rt, "items"); k > 0; k-- {
				var it ItemRequest
				if rapid.Bool().Draw(rt, "cash") {
					it = ItemRequest{Kind: KindCash, Amounts: []CashAmount{rapid.SampledFrom(propCash).Draw(rt, "amount")}}
				} else {
					it = rapid.SampledFrom(propWallets).Draw(rt, "wallet")
				}
				it.Description = "evidence"
				it.Seal = fmt.Sprintf("P-%d", rapid.IntRange(0, 12).Draw(rt, "seal"))
				req.Items = append(req.Items, it)
			}
			before := f.snapshot(t)
			rec, err := f.register(t, req)
			if err != nil {
				if ledger.ErrorCode(err) != ledger.EInvalid {
					rt.Fatalf("refusal with code %s: %v", ledger.ErrorCode(err), err)
				}
				if f.snapshot(t) != before {
					rt.Fatalf("a refused seizure changed the store: %v", err)
				}
				continue
			}
			if len(rec.ItemIDs) != len(req.Items) {
				rt.Fatalf("receipt of %d items for %d", len(rec.ItemIDs), len(req.Items))
			}
			items += len(req.Items)
			for _, it := range req.Items {
				for _, h := range append(it.Holdings, cashHoldings(it.Amounts)...) {
					cur := money.MustLookup(h.Currency)
					a, _ := money.ParseAmount(cur, h.Amount, money.Positive)
					sum, ok := want[cur.Code]
					if !ok {
						sum = money.Zero(cur)
					}
					want[cur.Code], _ = sum.Add(a)
				}
			}
		}
		err := f.store.View(func(tx *ledger.Tx) error {
			for code, sum := range want {
				custody, seized := sumOf(rt, tx, "custody:item", code), sumOf(rt, tx, "seized:case", code)
				if !custody.Equal(sum) || !seized.Equal(sum.Neg()) {
					rt.Fatalf("%s: custody holds %s, cases owe %s, seizures brought %s", code, custody, seized, sum)
				}
			}
			seen := 0
			err := f.reg.ForEachItem(tx, func(it Item) (bool, error) {
				seen++
				st, err := f.custody.State(tx, it.ID)
				if err != nil || st.Entries != 1 || st.Holder != it.Officer || st.Seal.Number != it.Seal {
					rt.Fatalf("item %d custody %+v %v", it.ID, st, err)
				}
				if id, ok := f.reg.SealInUse(tx, it.Seal); !ok || id != it.ID {
					rt.Fatalf("seal %s indexed to %d", it.Seal, id)
				}
				return true, nil
			})
			if seen != items {
				rt.Fatalf("%d items stored, %d accepted", seen, items)
			}
			return err
		})
		if err != nil {
			rt.Fatal(err)
		}
		f.verify(t)
	})
}

func cashHoldings(amts []CashAmount) []Holding {
	var out []Holding
	for _, a := range amts {
		out = append(out, Holding{Currency: a.Currency, Amount: a.Amount})
	}
	return out
}

func sumOf(rt *rapid.T, tx *ledger.Tx, account, code string) money.Amount {
	page, err := tx.Balances(ledger.BalanceFilter{Account: account, Currency: code, Limit: 100000})
	if err != nil {
		rt.Fatal(err)
	}
	sum := money.Zero(money.MustLookup(code))
	for _, b := range page.Balances {
		sum, _ = sum.Add(b.Amount)
	}
	return sum
}
