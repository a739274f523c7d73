package ledger

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/amanat-ledger/amanat/ledger/money"
)

// largestPosting is the largest amount of cur one posting may carry:
// 10^MaxPostingDigits less one unit of the last place.
func largestPosting(t testing.TB, code string) money.Amount {
	t.Helper()
	cur := money.MustLookup(code)
	a, err := money.New(cur, decimal.New(1, money.MaxPostingDigits).Sub(decimal.New(1, -cur.Scale)))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestPostRefusesAnAmountPastThePostingBound(t *testing.T) {
	s := mustOpen(t)
	eth := money.MustLookup("ETH")
	huge, err := money.New(eth, decimal.New(1, money.MaxPostingDigits))
	if err != nil {
		t.Fatal(err)
	}
	txn := Transaction{Effective: day, Actor: "custodian:test", Postings: []Posting{
		{Account: itemAccount(1), Amount: huge}, {Account: caseAccount(1), Amount: huge.Neg()}}}
	err = s.Write(context.Background(), func(tx *Tx) error { _, err := tx.Post(txn); return err })
	var e *Error
	if !errors.As(err, &e) || e.Code != EInvalid || !hasField(e, "postings[0].amount") || !hasField(e, "postings[1].amount") {
		t.Fatalf("Post of a %d-digit amount = %v, want EInvalid naming both postings", huge.Digits(), err)
	}
	if !strings.Contains(e.Error(), "too large") {
		t.Fatalf("reason %q does not say the amount is too large", e)
	}
	if r := mustVerify(t, s); r.Transactions != 0 || r.Balances != 0 {
		t.Fatalf("a refused transaction left records: %v", r)
	}
	// The bound itself is accepted.
	at := largestPosting(t, "ETH")
	post(t, s, Transaction{Effective: day, Actor: "custodian:test", Postings: []Posting{
		{Account: itemAccount(1), Amount: at}, {Account: caseAccount(1), Amount: at.Neg()}}})
	mustVerify(t, s)
}

// TestBalancesSummedFromManyLargestPostingsStillRead posts the largest
// posting many times into one account, at every kind of scale, and reads the
// sums back every way the books are read.
func TestBalancesSummedFromManyLargestPostingsStillRead(t *testing.T) {
	s := mustOpen(t)
	const n = 300
	codes := []string{"ETH", "BTC", "USD", "KWD", "VND"}
	var txns []Transaction
	for i := 0; i < n; i++ {
		var ps []Posting
		for _, code := range codes {
			a := largestPosting(t, code)
			ps = append(ps, Posting{Account: itemAccount(1), Amount: a}, Posting{Account: caseAccount(1), Amount: a.Neg()})
		}
		txns = append(txns, Transaction{Effective: day.Add(time.Duration(i) * time.Second), Actor: "custodian:test", Postings: ps})
	}
	if _, err := s.PostBatch(context.Background(), txns); err != nil {
		t.Fatal(err)
	}
	err := s.View(func(tx *Tx) error {
		for _, code := range codes {
			cur := money.MustLookup(code)
			want, _ := money.New(cur, largestPosting(t, code).Decimal().Mul(decimal.NewFromInt(n)))
			for _, acct := range []string{itemAccount(1), caseAccount(1)} {
				if acct == caseAccount(1) {
					want = want.Neg()
				}
				b, err := tx.Balance(acct, cur)
				if err != nil {
					t.Fatalf("balance %s %s: %v", acct, code, err)
				}
				if !b.Amount.Equal(want) || b.Postings != n {
					t.Fatalf("balance %s %s = %s over %d, want %s over %d", acct, code, b.Amount, b.Postings, want, n)
				}
				got, ok, err := tx.BalanceAt(acct, cur, day.Add(time.Hour))
				if err != nil || !ok || !got.Equal(want) {
					t.Fatalf("balance at %s %s = %s %v %v", acct, code, got, ok, err)
				}
			}
		}
		seen := 0
		if err := tx.ForEachBalanceAt("custody", day.Add(time.Hour), func(b Balance) error { seen++; return nil }); err != nil {
			t.Fatalf("ForEachBalanceAt: %v", err)
		}
		page, err := tx.Balances(BalanceFilter{Limit: 100})
		if err != nil || len(page.Balances) != 2*len(codes) || seen != len(codes) {
			t.Fatalf("Balances: %d, %v; ForEachBalanceAt saw %d", len(page.Balances), err, seen)
		}
		return tx.ForEachTransaction(0, func(Transaction) (bool, error) { return true, nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	mustVerify(t, s)
}
