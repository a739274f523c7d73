package ledger

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/ledger/money"
)

func TestPostRefusesWhatDoesNotBalance(t *testing.T) {
	s := mustOpen(t)
	usd := func(v string) money.Amount { return amt(t, "USD", v) }
	tests := []struct {
		name  string
		txn   Transaction
		field string
		code  Code
	}{
		{"postings that do not sum to zero", Transaction{Effective: day, Actor: "a:b", Postings: []Posting{
			{Account: "custody:item:1", Amount: usd("100.00")}, {Account: "seized:case:1", Amount: usd("-99.99")}}}, "postings", EInvalid},
		{"a single posting", Transaction{Effective: day, Actor: "a:b", Postings: []Posting{
			{Account: "custody:item:1", Amount: usd("100.00")}}}, "postings", EInvalid},
		{"balanced in total but not per currency", Transaction{Effective: day, Actor: "a:b", Postings: []Posting{
			{Account: "custody:item:1", Amount: usd("1.00")}, {Account: "seized:case:1", Amount: amt(t, "EUR", "-1.00")}}}, "postings", EInvalid},
		{"an account outside the chart", Transaction{Effective: day, Actor: "a:b", Postings: []Posting{
			{Account: "custdy:item:1", Amount: usd("1.00")}, {Account: "seized:case:1", Amount: usd("-1.00")}}}, "postings[0].account", EInvalid},
		{"an account with upper case", Transaction{Effective: day, Actor: "a:b", Postings: []Posting{
			{Account: "custody:Item:1", Amount: usd("1.00")}, {Account: "seized:case:1", Amount: usd("-1.00")}}}, "postings[0].account", EInvalid},
		{"a zero posting", Transaction{Effective: day, Actor: "a:b", Postings: []Posting{
			{Account: "custody:item:1", Amount: usd("0")}, {Account: "seized:case:1", Amount: usd("0")}}}, "postings[0].amount", EInvalid},
		{"no actor", Transaction{Effective: day, Postings: []Posting{
			{Account: "custody:item:1", Amount: usd("1")}, {Account: "seized:case:1", Amount: usd("-1")}}}, "actor", EInvalid},
		{"no effective time", Transaction{Actor: "a:b", Postings: []Posting{
			{Account: "custody:item:1", Amount: usd("1")}, {Account: "seized:case:1", Amount: usd("-1")}}}, "effective", EInvalid},
		{"an effective time in the future", Transaction{Effective: time.Now().Add(time.Hour), Actor: "a:b", Postings: []Posting{
			{Account: "custody:item:1", Amount: usd("1")}, {Account: "seized:case:1", Amount: usd("-1")}}}, "effective", EInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Write(context.Background(), func(tx *Tx) error { _, err := tx.Post(tt.txn); return err })
			var e *Error
			if !errors.As(err, &e) || e.Code != tt.code {
				t.Fatalf("Post = %v, want a %s error", err, tt.code)
			}
			if !hasField(e, tt.field) {
				t.Fatalf("error %v does not name field %q", e, tt.field)
			}
		})
	}
	if r := mustVerify(t, s); r.Transactions != 0 || r.Balances != 0 {
		t.Fatalf("refused transactions left records behind: %v", r)
	}
}

func hasField(e *Error, field string) bool {
	for _, f := range e.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

func TestBalancesFollowPostings(t *testing.T) {
	s := mustOpen(t)
	post(t, s, seize(t, 1, 1, "BTC", "0.00012345", day))
	post(t, s, seize(t, 2, 1, "BTC", "1.5", day.Add(time.Hour)))
	post(t, s, seize(t, 3, 2, "VND", "250000", day.Add(2*time.Hour)))
	err := s.View(func(tx *Tx) error {
		for _, tc := range []struct {
			account, code, want string
			n                   uint64
		}{
			{"custody:item:1", "BTC", "0.00012345", 1},
			{"custody:item:2", "BTC", "1.50000000", 1},
			{"seized:case:1", "BTC", "-1.50012345", 2},
			{"seized:case:2", "VND", "-250000", 1},
			{"seized:case:2", "BTC", "0.00000000", 0},
		} {
			b, err := tx.Balance(tc.account, money.MustLookup(tc.code))
			if err != nil {
				return err
			}
			if b.Amount.String() != tc.want || b.Postings != tc.n {
				t.Errorf("balance %s %s = %s over %d, want %s over %d", tc.account, tc.code, b.Amount, b.Postings, tc.want, tc.n)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	mustVerify(t, s)
}

func TestBalanceAsOfAnInstant(t *testing.T) {
	s := mustOpen(t)
	post(t, s, seize(t, 1, 1, "USD", "100.00", day))
	post(t, s, seize(t, 1, 1, "USD", "50.00", day.Add(48*time.Hour)))
	// Registered late but dated between the two: the index must place it.
	post(t, s, seize(t, 1, 1, "USD", "7.25", day.Add(24*time.Hour)))
	usd := money.MustLookup("USD")
	for _, tc := range []struct {
		name string
		at   time.Time
		want string
		held bool
	}{
		{"before anything", day.Add(-time.Nanosecond), "0.00", false},
		{"at the first instant", day, "100.00", true},
		{"between first and backdated", day.Add(time.Hour), "100.00", true},
		{"at the backdated entry", day.Add(24 * time.Hour), "107.25", true},
		{"after everything", day.Add(72 * time.Hour), "157.25", true},
		{"far future clamps", time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), "157.25", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.View(func(tx *Tx) error {
				got, held, err := tx.BalanceAt("custody:item:1", usd, tc.at)
				if err != nil {
					t.Fatal(err)
				}
				if got.String() != tc.want || held != tc.held {
					t.Errorf("as of %s: %s (held %v), want %s (held %v)", tc.at, got, held, tc.want, tc.held)
				}
				return nil
			})
		})
	}
	mustVerify(t, s)
}

func TestReversal(t *testing.T) {
	s := mustOpen(t)
	orig := post(t, s, seize(t, 1, 1, "EUR", "20.00", day))
	var rev Transaction
	err := s.Write(context.Background(), func(tx *Tx) error {
		var err error
		rev, err = tx.Reverse(orig.ID, "finance:f", "entered twice", day.Add(time.Hour))
		return err
	})
	if err != nil {
		t.Fatalf("reverse: %v", err)
	}
	if rev.Reverses != orig.ID || !rev.Postings[0].Amount.Equal(amt(t, "EUR", "-20.00")) {
		t.Fatalf("reversal = %+v", rev)
	}
	t.Run("a second reversal is a conflict", func(t *testing.T) {
		err := s.Write(context.Background(), func(tx *Tx) error {
			_, err := tx.Reverse(orig.ID, "finance:f", "again", day.Add(2*time.Hour))
			return err
		})
		if ErrorCode(err) != EConflict {
			t.Fatalf("second reversal: %v, want conflict", err)
		}
	})
	t.Run("a reversal cannot be reversed", func(t *testing.T) {
		err := s.Write(context.Background(), func(tx *Tx) error {
			_, err := tx.Reverse(rev.ID, "finance:f", "undo", day.Add(2*time.Hour))
			return err
		})
		if ErrorCode(err) != EInvalid {
			t.Fatalf("reverse a reversal: %v, want invalid", err)
		}
	})
	t.Run("a hand-made reversal must negate exactly", func(t *testing.T) {
		other := post(t, s, seize(t, 2, 1, "EUR", "5.00", day))
		bad := seize(t, 2, 1, "EUR", "-4.00", day.Add(time.Hour))
		bad.Reverses = other.ID
		err := s.Write(context.Background(), func(tx *Tx) error { _, err := tx.Post(bad); return err })
		if ErrorCode(err) != EInvalid {
			t.Fatalf("partial reversal: %v, want invalid", err)
		}
	})
	t.Run("reversing what does not exist", func(t *testing.T) {
		err := s.Write(context.Background(), func(tx *Tx) error { _, err := tx.Reverse(999, "finance:f", "?", day); return err })
		if ErrorCode(err) != ENotFound {
			t.Fatalf("reverse 999: %v, want not found", err)
		}
	})
	s.View(func(tx *Tx) error {
		b, _ := tx.Balance("custody:item:1", money.MustLookup("EUR"))
		if !b.Amount.IsZero() || b.Postings != 2 {
			t.Errorf("after reversal balance = %s over %d postings, want 0 over 2", b.Amount, b.Postings)
		}
		if tx.ReversedBy(orig.ID) != rev.ID {
			t.Errorf("ReversedBy(%d) = %d, want %d", orig.ID, tx.ReversedBy(orig.ID), rev.ID)
		}
		return nil
	})
	mustVerify(t, s)
}

func TestIdempotentWrites(t *testing.T) {
	path := t.TempDir() + "/idem.db"
	s := mustOpenAt(t, path, Options{})
	ctx := context.Background()
	calls := 0
	write := func(s *Store, key string, body string) (Reply, bool, error) {
		return s.WriteOnce(ctx, key, RequestHash([]byte(body)), func(tx *Tx) (Reply, error) {
			calls++
			t, err := tx.Post(seize(t, 1, 1, "USD", "10.00", day))
			if err != nil {
				return Reply{}, err
			}
			return Reply{Code: 201, Body: []byte(fmt.Sprintf(`{"txn":%d}`, t.ID))}, nil
		})
	}
	first, replayed, err := write(s, "k1", "body")
	if err != nil || replayed || first.Code != 201 {
		t.Fatalf("first write: %+v %v %v", first, replayed, err)
	}
	again, replayed, err := write(s, "k1", "body")
	if err != nil || !replayed || string(again.Body) != string(first.Body) || again.Code != 201 {
		t.Fatalf("retry: %+v %v %v, want the first answer replayed", again, replayed, err)
	}
	if _, _, err := write(s, "k1", "another body"); ErrorCode(err) != EConflict {
		t.Fatalf("reuse with another body: %v, want conflict", err)
	}
	// Across a restart the key still holds.
	s.Close()
	s2 := mustOpenAt(t, path, Options{})
	again, replayed, err = write(s2, "k1", "body")
	if err != nil || !replayed || string(again.Body) != string(first.Body) {
		t.Fatalf("retry after restart: %+v %v %v", again, replayed, err)
	}
	if r := mustVerify(t, s2); r.Transactions != 1 {
		t.Fatalf("retries wrote more: %v", r)
	}
	if calls != 1 {
		t.Fatalf("the write ran %d times for one key", calls)
	}
}

func TestGroupCommitIsolatesAFailingWriter(t *testing.T) {
	s := mustOpen(t)
	const writers = 64
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := 0; i < writers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			txn := seize(t, i+1, 1, "USD", "1.00", day)
			if i%8 == 0 {
				txn.Postings[1].Amount = amt(t, "USD", "-0.99") // does not balance
			}
			errs[i] = s.Write(context.Background(), func(tx *Tx) error { _, err := tx.Post(txn); return err })
		}(i)
	}
	wg.Wait()
	ok := 0
	for i, err := range errs {
		if i%8 == 0 {
			if ErrorCode(err) != EInvalid {
				t.Errorf("writer %d: %v, want invalid", i, err)
			}
		} else if err != nil {
			t.Errorf("writer %d: %v", i, err)
		} else {
			ok++
		}
	}
	r := mustVerify(t, s)
	if r.Transactions != uint64(ok) {
		t.Fatalf("%d transactions stored, %d writers succeeded", r.Transactions, ok)
	}
}

func TestAPanickingWriteFailsAlone(t *testing.T) {
	s := mustOpen(t)
	err := s.Write(context.Background(), func(tx *Tx) error { panic("boom") })
	if ErrorCode(err) != EInternal || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("panicking write: %v", err)
	}
	post(t, s, seize(t, 1, 1, "USD", "1.00", day))
	mustVerify(t, s)
}

func TestBalancesListing(t *testing.T) {
	s := mustOpen(t)
	for i := 1; i <= 5; i++ {
		post(t, s, seize(t, i, 1, "USD", "1.00", day))
		post(t, s, seize(t, i, 1, "BTC", "0.1", day))
	}
	post(t, s, seize(t, 10, 2, "USD", "3.00", day))
	var all []string
	var after []byte
	for {
		var page BalancePage
		s.View(func(tx *Tx) error {
			var err error
			page, err = tx.Balances(BalanceFilter{Account: "custody:item:1", After: after, Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			return nil
		})
		for _, b := range page.Balances {
			all = append(all, b.Account+" "+b.Amount.Currency().Code+" "+b.Amount.String())
		}
		if page.Next == nil {
			break
		}
		after = page.Next
	}
	// "custody:item:1" matches itself and its sub-accounts, not custody:item:10.
	want := "custody:item:1 BTC 0.10000000|custody:item:1 USD 1.00"
	if got := strings.Join(all, "|"); got != want {
		t.Fatalf("paged listing = %s, want %s", got, want)
	}
	s.View(func(tx *Tx) error {
		at := day.Add(-time.Hour)
		page, err := tx.Balances(BalanceFilter{Account: "seized", AsOf: &at})
		if err != nil || len(page.Balances) != 0 {
			t.Errorf("as of before the seizures: %v, %v", page.Balances, err)
		}
		page, err = tx.Balances(BalanceFilter{Account: "seized", Currency: "USD"})
		if err != nil || len(page.Balances) != 2 || page.Balances[0].Amount.String() != "-5.00" {
			t.Errorf("seized USD = %v, %v", page.Balances, err)
		}
		return nil
	})
}

func TestCanonicalFormRoundTrips(t *testing.T) {
	txn := seize(t, 1, 7, "ETH", "1.000000000000000001", day)
	txn.ID, txn.Recorded = 42, day.Add(time.Minute)
	txn.Memo = "quoted \"memo\"\nwith a newline"
	txn.Links = []Link{{Kind: "case", Ref: "7"}, {Kind: "item", Ref: "1"}}
	got, err := DecodeTransaction(txn.Canonical())
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Canonical()) != string(txn.Canonical()) {
		t.Fatalf("round trip changed the record:\n%s\n%s", txn.Canonical(), got.Canonical())
	}
	if _, err := DecodeTransaction([]byte(strings.Replace(string(txn.Canonical()), "1.000000000000000001", "1.0000000000000000010", 1))); err == nil {
		t.Fatal("a non-canonical amount was accepted")
	}
}

func TestForEachBalanceAtAgreesWithBalanceAt(t *testing.T) {
	s := mustOpen(t)
	for i := 1; i <= 12; i++ {
		post(t, s, seize(t, i, 1, "USD", "1.00", day.Add(time.Duration(i)*time.Hour)))
		post(t, s, seize(t, i%3+1, 2, "BTC", "0.5", day.Add(time.Duration(i)*time.Minute)))
	}
	for _, at := range []time.Time{day, day.Add(5 * time.Hour), day.Add(30 * time.Minute), day.Add(48 * time.Hour)} {
		var got []string
		s.View(func(tx *Tx) error {
			err := tx.ForEachBalanceAt("custody:item", at, func(b Balance) error {
				want, held, err := tx.BalanceAt(b.Account, b.Amount.Currency(), at)
				if err != nil || !held || !want.Equal(b.Amount) {
					t.Errorf("%s %s as of %s: pass gives %s, seek gives %s (held %v, %v)", b.Account, b.Amount.Currency(), at, b.Amount, want, held, err)
				}
				got = append(got, b.Account+" "+b.Amount.Currency().Code)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// Every account the seek finds held is listed, and no other.
			page, err := tx.Balances(BalanceFilter{Account: "custody:item", AsOf: &at, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Balances) != len(got) {
				t.Errorf("as of %s: pass lists %d balances, Balances lists %d", at, len(got), len(page.Balances))
			}
			return nil
		})
	}
}

func TestPostBatchIsAllOrNothing(t *testing.T) {
	s := mustOpen(t)
	good := []Transaction{seize(t, 1, 1, "USD", "1.00", day), seize(t, 2, 1, "USD", "2.00", day)}
	posted, err := s.PostBatch(context.Background(), good)
	if err != nil || len(posted) != 2 || posted[1].ID != 2 {
		t.Fatalf("PostBatch = %v, %v", posted, err)
	}
	bad := []Transaction{seize(t, 3, 1, "USD", "1.00", day), seize(t, 4, 1, "USD", "1.00", day)}
	bad[1].Postings[0].Account = "nowhere:4"
	if _, err := s.PostBatch(context.Background(), bad); ErrorCode(err) != EInvalid || !strings.Contains(err.Error(), "transaction 1 of the batch") {
		t.Fatalf("bad batch: %v", err)
	}
	if r := mustVerify(t, s); r.Transactions != 2 {
		t.Fatalf("a refused batch left %d transactions, want 2", r.Transactions)
	}
}

// TestForEachBalanceAtTakesTheAccountAndWhatIsBelowIt: item 1's account and
// the accounts below it, never item 10's, whose name merely starts the same.
func TestForEachBalanceAtTakesTheAccountAndWhatIsBelowIt(t *testing.T) {
	s := mustOpen(t)
	post(t, s, seize(t, 1, 1, "USD", "1.00", day))
	post(t, s, seize(t, 1, 1, "BTC", "0.1", day))
	post(t, s, seize(t, 10, 1, "USD", "10.00", day))
	post(t, s, seize(t, 11, 1, "USD", "11.00", day))
	sub := seize(t, 1, 1, "USD", "2.00", day)
	sub.Postings[0].Account = "custody:item:1:envelope"
	post(t, s, sub)
	for _, tc := range []struct {
		account string
		want    string
	}{
		{"custody:item:1", "custody:item:1 BTC 0.10000000, custody:item:1 USD 1.00, custody:item:1:envelope USD 2.00"},
		{"custody:item:10", "custody:item:10 USD 10.00"},
		// Key order: ':' sorts after the digits.
		{"custody:item", "custody:item:1 BTC 0.10000000, custody:item:1 USD 1.00, custody:item:10 USD 10.00, custody:item:11 USD 11.00, custody:item:1:envelope USD 2.00"},
		{"custody:item:2", ""},
	} {
		var got []string
		err := s.View(func(tx *Tx) error {
			return tx.ForEachBalanceAt(tc.account, day, func(b Balance) error {
				got = append(got, b.Account+" "+b.Amount.Currency().Code+" "+b.Amount.String())
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, ", ") != tc.want {
			t.Errorf("ForEachBalanceAt(%s) = %s; want %s", tc.account, strings.Join(got, ", "), tc.want)
		}
	}
}

// TestPostingCountWithTwoPostingsToOneAccount: a transaction that posts twice
// to one account and currency counts two postings there, and keeps one
// history entry with their sum.
func TestPostingCountWithTwoPostingsToOneAccount(t *testing.T) {
	s := mustOpen(t)
	post(t, s, Transaction{Effective: day, Actor: "custodian:test", Memo: "two envelopes", Postings: []Posting{
		{Account: itemAccount(1), Amount: amt(t, "USD", "100.00")},
		{Account: itemAccount(1), Amount: amt(t, "USD", "50.00")},
		{Account: caseAccount(1), Amount: amt(t, "USD", "-150.00")},
	}})
	post(t, s, seize(t, 1, 1, "USD", "1.00", day.Add(time.Hour)))
	r := mustVerify(t, s)
	if r.Postings != 5 || r.HistoryEntries != 4 || r.Balances != 2 {
		t.Fatalf("report %v, want 5 postings, 4 history entries, 2 balances", r)
	}
	err := s.View(func(tx *Tx) error {
		for _, tc := range []struct {
			account, want string
			n             uint64
		}{{itemAccount(1), "151.00", 3}, {caseAccount(1), "-151.00", 2}} {
			b, err := tx.Balance(tc.account, money.MustLookup("USD"))
			if err != nil {
				return err
			}
			if b.Amount.String() != tc.want || b.Postings != tc.n {
				t.Errorf("balance %s = %s over %d postings, want %s over %d", tc.account, b.Amount, b.Postings, tc.want, tc.n)
			}
		}
		at, _, err := tx.BalanceAt(itemAccount(1), money.MustLookup("USD"), day)
		if err != nil || at.String() != "150.00" {
			t.Errorf("as of the first transaction %s, %v; want 150.00", at, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
