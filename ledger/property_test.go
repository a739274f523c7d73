package ledger

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/amanat-ledger/amanat/ledger/money"
)

// modelPosting is what a naive replay needs of a committed posting.
type modelPosting struct {
	account string
	cur     string
	at      time.Time
	amount  decimal.Decimal
}

var propAccounts = []string{"custody:item:1", "custody:item:2", "seized:case:1", "seized:case:2", "variance:item:1", "proceeds:case:1"}
var propCurrencies = []string{"BTC", "USD", "VND", "ETH"}

func genAmount(rt *rapid.T, code string) money.Amount {
	cur := money.MustLookup(code)
	units := rapid.Int64Range(1, 1_000_000_000_000).Draw(rt, "units")
	if rapid.Bool().Draw(rt, "negative") {
		units = -units
	}
	a, err := money.New(cur, decimal.New(units, -cur.Scale))
	if err != nil {
		rt.Fatalf("gen amount: %v", err)
	}
	return a
}

// genBalanced draws 2 to 5 postings that sum to zero per currency.
func genBalanced(rt *rapid.T, at time.Time) Transaction {
	t := Transaction{Effective: at, Actor: "custodian:prop", Memo: rapid.StringN(0, 20, -1).Draw(rt, "memo")}
	for _, code := range rapid.SliceOfNDistinct(rapid.SampledFrom(propCurrencies), 1, 2, rapid.ID[string]).Draw(rt, "currencies") {
		n := rapid.IntRange(1, 3).Draw(rt, "legs")
		sum := money.Zero(money.MustLookup(code))
		for i := 0; i < n; i++ {
			a := genAmount(rt, code)
			sum, _ = sum.Add(a)
			t.Postings = append(t.Postings, Posting{Account: rapid.SampledFrom(propAccounts).Draw(rt, "account"), Amount: a})
		}
		if sum.IsZero() {
			continue
		}
		t.Postings = append(t.Postings, Posting{Account: rapid.SampledFrom(propAccounts).Draw(rt, "account"), Amount: sum.Neg()})
	}
	return t
}

// TestPropertyInvariantsHold drives the store with random streams of valid and
// invalid transactions, reversals and idempotent retries. After every stream
// the checker passes, every current balance equals the model's sum, and the
// as-of balance at random instants equals a naive replay.
func TestPropertyInvariantsHold(t *testing.T) {
	dir := t.TempDir()
	run := 0
	rapid.Check(t, func(rt *rapid.T) {
		run++
		s, err := Open(filepath.Join(dir, fmt.Sprintf("p%d.db", run)), Options{NoSync: true})
		if err != nil {
			rt.Fatal(err)
		}
		defer s.Close()
		ctx := context.Background()
		base := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
		var model []modelPosting
		committed := map[uint64]Transaction{}
		reversed := map[uint64]bool{}
		keys := map[string]string{} // idempotency key -> reply body

		record := func(t Transaction) {
			committed[t.ID] = t
			for _, p := range t.Postings {
				model = append(model, modelPosting{p.Account, p.Amount.Currency().Code, t.Effective, p.Amount.Decimal()})
			}
		}
		steps := rapid.IntRange(1, 30).Draw(rt, "steps")
		for i := 0; i < steps; i++ {
			at := base.Add(time.Duration(rapid.IntRange(0, 10*24*60).Draw(rt, "minute")) * time.Minute)
			switch rapid.IntRange(0, 3).Draw(rt, "op") {
			case 0: // a valid transaction
				txn := genBalanced(rt, at)
				if len(txn.Postings) < 2 {
					continue
				}
				var got Transaction
				if err := s.Write(ctx, func(tx *Tx) error { got, err = tx.Post(txn); return err }); err != nil {
					rt.Fatalf("valid transaction refused: %v", err)
				}
				record(got)
			case 1: // an invalid one: one leg off by one minor unit
				txn := genBalanced(rt, at)
				if len(txn.Postings) < 2 {
					continue
				}
				cur := txn.Postings[0].Amount.Currency()
				off, _ := money.New(cur, decimal.New(1, -cur.Scale))
				txn.Postings[0].Amount, _ = txn.Postings[0].Amount.Add(off)
				before := len(committed)
				err := s.Write(ctx, func(tx *Tx) error { _, err := tx.Post(txn); return err })
				if ErrorCode(err) != EInvalid {
					rt.Fatalf("unbalanced transaction: %v, want invalid", err)
				}
				if len(committed) != before {
					rt.Fatal("model changed")
				}
			case 2: // reverse a random committed transaction
				if len(committed) == 0 {
					continue
				}
				ids := make([]uint64, 0, len(committed))
				for id := range committed {
					ids = append(ids, id)
				}
				id := rapid.SampledFrom(sortedIDs(ids)).Draw(rt, "reverse")
				orig := committed[id]
				eff := orig.Effective.Add(time.Duration(rapid.IntRange(0, 600).Draw(rt, "later")) * time.Minute)
				var rev Transaction
				err := s.Write(ctx, func(tx *Tx) error { rev, err = tx.Reverse(id, "finance:prop", "correction", eff); return err })
				switch {
				case orig.Reverses != 0:
					if ErrorCode(err) != EInvalid {
						rt.Fatalf("reversing reversal %d: %v", id, err)
					}
				case reversed[id]:
					if ErrorCode(err) != EConflict {
						rt.Fatalf("second reversal of %d: %v", id, err)
					}
				default:
					if err != nil {
						rt.Fatalf("reverse %d: %v", id, err)
					}
					reversed[id] = true
					record(rev)
				}
			case 3: // an idempotent write, perhaps a retry
				key := rapid.SampledFrom([]string{"a", "b", "c"}).Draw(rt, "key")
				txn := genBalanced(rt, at)
				if len(txn.Postings) < 2 {
					continue
				}
				var got Transaction
				reply, replayed, err := s.WriteOnce(ctx, key, RequestHash([]byte(key)), func(tx *Tx) (Reply, error) {
					got, err = tx.Post(txn)
					return Reply{Code: 201, Body: []byte(fmt.Sprint(got.ID))}, err
				})
				if err != nil {
					rt.Fatalf("idempotent write: %v", err)
				}
				if prev, seen := keys[key]; seen {
					if !replayed || string(reply.Body) != prev {
						rt.Fatalf("retry of %s: replayed=%v body=%s, want %s", key, replayed, reply.Body, prev)
					}
				} else {
					if replayed {
						rt.Fatalf("first use of %s replayed", key)
					}
					keys[key] = string(reply.Body)
					record(got)
				}
			}
		}

		// Random postings take custody accounts below zero in many streams;
		// the checker must then name the first such instant, and pass
		// otherwise.
		r, err := s.Verify()
		if at, negative := firstCustodyNegative(model); negative {
			var ve *VerifyError
			if !errors.As(err, &ve) || !strings.Contains(ve.Reason, "as of "+at.Format(time.RFC3339Nano)+";") {
				rt.Fatalf("verify = %v, want custody below zero as of %s", err, at.Format(time.RFC3339Nano))
			}
		} else {
			if err != nil {
				rt.Fatalf("verify: %v", err)
			}
			if r.Transactions != uint64(len(committed)) {
				rt.Fatalf("store has %d transactions, model %d", r.Transactions, len(committed))
			}
		}
		probes := []time.Time{base.Add(-time.Minute), base.Add(11 * 24 * time.Hour)}
		for i := 0; i < 5; i++ {
			probes = append(probes, base.Add(time.Duration(rapid.IntRange(0, 10*24*60).Draw(rt, "probe"))*time.Minute))
		}
		s.View(func(tx *Tx) error {
			for _, account := range propAccounts {
				for _, code := range propCurrencies {
					cur := money.MustLookup(code)
					for _, at := range probes {
						want := decimal.Zero
						for _, p := range model {
							if p.account == account && p.cur == code && !p.at.After(at) {
								want = want.Add(p.amount)
							}
						}
						got, _, err := tx.BalanceAt(account, cur, at)
						if err != nil {
							rt.Fatal(err)
						}
						if !got.Decimal().Equal(want) {
							rt.Fatalf("%s %s as of %s = %s, replay says %s", account, code, at, got, want)
						}
					}
				}
			}
			return nil
		})
	})
}

// firstCustodyNegative replays the model naively: for every custody account
// and currency, the balance as of each instant it was posted at. It returns
// the earliest instant any of them is below zero.
func firstCustodyNegative(model []modelPosting) (time.Time, bool) {
	var first time.Time
	found := false
	type key struct{ account, cur string }
	instants := map[key][]time.Time{}
	for _, p := range model {
		if strings.HasPrefix(p.account, "custody:") {
			k := key{p.account, p.cur}
			instants[k] = append(instants[k], p.at)
		}
	}
	for k, ats := range instants {
		sort.Slice(ats, func(i, j int) bool { return ats[i].Before(ats[j]) })
		for _, at := range ats {
			sum := decimal.Zero
			for _, p := range model {
				if p.account == k.account && p.cur == k.cur && !p.at.After(at) {
					sum = sum.Add(p.amount)
				}
			}
			if sum.Sign() < 0 {
				if !found || at.Before(first) {
					first, found = at, true
				}
				break
			}
		}
	}
	return first, found
}

func sortedIDs(ids []uint64) []uint64 {
	for i := 1; i < len(ids); i++ {
		for j := i; j > 0 && ids[j] < ids[j-1]; j-- {
			ids[j], ids[j-1] = ids[j-1], ids[j]
		}
	}
	return ids
}
