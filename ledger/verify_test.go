package ledger

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestVerifyNamesTheFirstBadRecord tampers with the stored file the way a
// careless or dishonest hand might, and checks the checker catches each and
// names the record.
func TestVerifyNamesTheFirstBadRecord(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, btx *bolt.Tx)
		record string // part of the VerifyError's record
	}{
		{"an amount changed inside a transaction", func(t *testing.T, btx *bolt.Tx) {
			b := btx.Bucket(LedgerTxns.name)
			v := bytes.Clone(b.Get(BE64(2)))
			b.Put(BE64(2), bytes.Replace(v, []byte(" USD 250.00\n"), []byte(" USD 260.00\n"), 1))
		}, "transaction 2"},
		{"both legs changed so the transaction still balances", func(t *testing.T, btx *bolt.Tx) {
			b := btx.Bucket(LedgerTxns.name)
			v := bytes.Clone(b.Get(BE64(2)))
			v = bytes.Replace(v, []byte(" USD 250.00\n"), []byte(" USD 260.00\n"), 1)
			v = bytes.Replace(v, []byte(" USD -250.00\n"), []byte(" USD -260.00\n"), 1)
			b.Put(BE64(2), v)
		}, "balance custody:item:2 USD"},
		{"a transaction deleted", func(t *testing.T, btx *bolt.Tx) {
			btx.Bucket(LedgerTxns.name).Delete(BE64(2))
		}, "transaction 2"},
		{"the newest transaction deleted", func(t *testing.T, btx *bolt.Tx) {
			btx.Bucket(LedgerTxns.name).Delete(BE64(3))
		}, "transaction 3"},
		{"two transactions swapped", func(t *testing.T, btx *bolt.Tx) {
			b := btx.Bucket(LedgerTxns.name)
			one, two := bytes.Clone(b.Get(BE64(1))), bytes.Clone(b.Get(BE64(2)))
			b.Put(BE64(1), two)
			b.Put(BE64(2), one)
		}, "transaction 1"},
		{"a balance edited", func(t *testing.T, btx *bolt.Tx) {
			btx.Bucket(LedgerBalances.name).Put(balanceKey("custody:item:1", "BTC"), []byte("0.60000000 1"))
		}, "balance custody:item:1 BTC"},
		{"a balance deleted", func(t *testing.T, btx *bolt.Tx) {
			btx.Bucket(LedgerBalances.name).Delete(balanceKey("seized:case:1", "BTC"))
		}, "balance seized:case:1 BTC"},
		{"a running balance in the history edited", func(t *testing.T, btx *bolt.Tx) {
			b := btx.Bucket(LedgerHistory.name)
			k := historyKey(historyPrefix("custody:item:2", "USD"), day.Add(time.Hour), 2)
			b.Put(k, []byte("250.00 251.00"))
		}, "history custody:item:2 USD transaction 2"},
		{"a history entry moved in time", func(t *testing.T, btx *bolt.Tx) {
			b := btx.Bucket(LedgerHistory.name)
			k := historyKey(historyPrefix("custody:item:2", "USD"), day.Add(time.Hour), 2)
			v := bytes.Clone(b.Get(k))
			b.Delete(k)
			b.Put(historyKey(historyPrefix("custody:item:2", "USD"), day.Add(2*time.Hour), 2), v)
		}, "history index"},
		{"a running balance written with an exponent, equal in value", func(t *testing.T, btx *bolt.Tx) {
			b := btx.Bucket(LedgerHistory.name)
			k := historyKey(historyPrefix("custody:item:2", "USD"), day.Add(time.Hour), 2)
			b.Put(k, []byte("250.00 2.5e2"))
		}, "history custody:item:2 USD transaction 2"},
		{"a delta written past the stored bound", func(t *testing.T, btx *bolt.Tx) {
			b := btx.Bucket(LedgerHistory.name)
			k := historyKey(historyPrefix("custody:item:2", "USD"), day.Add(time.Hour), 2)
			b.Put(k, []byte("1"+strings.Repeat("0", 101)+" 250.00"))
		}, "history custody:item:2 USD transaction 2"},
		{"a balance written with an exponent", func(t *testing.T, btx *bolt.Tx) {
			btx.Bucket(LedgerBalances.name).Put(balanceKey("custody:item:1", "BTC"), []byte("5e-1 1"))
		}, "balance custody:item:1 BTC"},
		{"a transaction stored under a key that is not an id", func(t *testing.T, btx *bolt.Tx) {
			b := btx.Bucket(LedgerTxns.name)
			b.Put([]byte("not-an-id"), bytes.Clone(b.Get(BE64(3))))
		}, "transaction key 6e6f742d616e2d6964"},
		{"a byte flipped in a transaction's memo", func(t *testing.T, btx *bolt.Tx) {
			b := btx.Bucket(LedgerTxns.name)
			v := bytes.Clone(b.Get(BE64(1)))
			v = bytes.Replace(v, []byte("seizure"), []byte("seizurE"), 1)
			b.Put(BE64(1), v)
		}, ""}, // the ledger alone cannot tell a memo edit; the custody log's leaf hash does
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "books.db")
			s := mustOpenAt(t, path, Options{})
			post(t, s, seize(t, 1, 1, "BTC", "0.5", day))
			post(t, s, seize(t, 2, 1, "USD", "250.00", day.Add(time.Hour)))
			post(t, s, seize(t, 3, 2, "VND", "1000", day.Add(2*time.Hour)))
			mustVerify(t, s)
			s.Close()

			db, err := bolt.Open(path, 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Update(func(btx *bolt.Tx) error { tt.tamper(t, btx); return nil }); err != nil {
				t.Fatal(err)
			}
			db.Close()

			s2 := mustOpenAt(t, path, Options{ReadOnly: true})
			_, err = s2.Verify()
			if tt.record == "" {
				if err != nil {
					t.Fatalf("verify: %v", err)
				}
				return
			}
			var ve *VerifyError
			if !errors.As(err, &ve) {
				t.Fatalf("verify after tampering = %v, want a VerifyError", err)
			}
			if !strings.Contains(ve.Record, tt.record) {
				t.Fatalf("verify named %q (%s), want %q", ve.Record, ve.Reason, tt.record)
			}
		})
	}
}

// tamperFile closes s, runs tamper on the raw bbolt file, and reopens the
// store read-only.
func tamperFile(t *testing.T, s *Store, tamper func(btx *bolt.Tx) error) *Store {
	t.Helper()
	path := s.Path()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(tamper); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return mustOpenAt(t, path, Options{ReadOnly: true})
}

// wantVerifyError checks that verify fails naming record, with a reason
// holding every one of reasons.
func wantVerifyError(t *testing.T, s *Store, record string, reasons ...string) {
	t.Helper()
	_, err := s.Verify()
	var ve *VerifyError
	if !errors.As(err, &ve) {
		t.Fatalf("verify = %v, want a VerifyError naming %q", err, record)
	}
	if ve.Record != record {
		t.Fatalf("verify named %q (%s), want %q", ve.Record, ve.Reason, record)
	}
	if ve.Error() != ve.Record+": "+ve.Reason {
		t.Fatalf("error text %q does not name the record, then the reason", ve.Error())
	}
	for _, r := range reasons {
		if !strings.Contains(ve.Reason, r) {
			t.Fatalf("verify reason %q does not say %q", ve.Reason, r)
		}
	}
}

// release moves amount out of an item's custody account to the state.
func release(t testing.TB, item, kase int, code, text string, at time.Time) Transaction {
	t.Helper()
	a := amt(t, code, text)
	return Transaction{Effective: at, Actor: "custodian:test", Memo: "release", Postings: []Posting{
		{Account: itemAccount(item), Amount: a.Neg()},
		{Account: "forfeited:case:" + itoa(kase), Amount: a},
	}}
}

// TestVerifyFindsACustodyAccountBelowZero posts back-dated releases straight
// through the ledger, which accepts them, and checks the checker names the
// transaction that first (in effective time) takes a custody account below
// zero.
func TestVerifyFindsACustodyAccountBelowZero(t *testing.T) {
	tests := []struct {
		name    string
		txns    []Transaction
		record  string // "" when the books are sound
		reasons []string
	}{
		{"a release dated before the seizure", []Transaction{
			seize(t, 1, 1, "BTC", "0.5", day),
			release(t, 1, 1, "BTC", "0.5", day.Add(-time.Hour)),
		}, "transaction 2", []string{"takes custody:item:1 BTC to -0.50000000 as of 2025-06-02T08:00:00Z;"}},
		{"a release of more than was seized", []Transaction{
			seize(t, 1, 1, "USD", "100.00", day),
			release(t, 1, 1, "USD", "100.01", day.Add(time.Hour)),
		}, "transaction 2", []string{"takes custody:item:1 USD to -0.01 as of"}},
		{"the earlier instant wins over the lower account name", []Transaction{
			seize(t, 1, 1, "VND", "1000", day.Add(3*time.Hour)),
			seize(t, 2, 1, "VND", "1000", day.Add(3*time.Hour)),
			release(t, 1, 1, "VND", "1000", day.Add(2*time.Hour)),
			release(t, 2, 1, "VND", "1000", day.Add(time.Hour)),
		}, "transaction 4", []string{"takes custody:item:2 VND to -1000 as of"}},
		{"the earlier instant wins over the lower id", []Transaction{
			seize(t, 1, 1, "VND", "1000", day.Add(3*time.Hour)),
			seize(t, 2, 1, "VND", "1000", day.Add(3*time.Hour)),
			release(t, 2, 1, "VND", "1000", day.Add(2*time.Hour)),
			release(t, 1, 1, "VND", "1000", day.Add(time.Hour)),
		}, "transaction 4", []string{"custody:item:1 VND"}},
		{"at one instant the lower id wins", []Transaction{
			seize(t, 1, 1, "VND", "1000", day.Add(3*time.Hour)),
			seize(t, 2, 1, "VND", "1000", day.Add(3*time.Hour)),
			release(t, 1, 1, "VND", "1000", day.Add(time.Hour)),
			release(t, 2, 1, "VND", "1000", day.Add(time.Hour)),
		}, "transaction 3", []string{"custody:item:1 VND"}},
		{"at one instant the lower id wins over the lower account name", []Transaction{
			seize(t, 1, 1, "VND", "1000", day.Add(3*time.Hour)),
			seize(t, 2, 1, "VND", "1000", day.Add(3*time.Hour)),
			release(t, 2, 1, "VND", "1000", day.Add(time.Hour)),
			release(t, 1, 1, "VND", "1000", day.Add(time.Hour)),
		}, "transaction 3", []string{"custody:item:2 VND"}},
		{"one transaction takes two accounts below zero: the first is named", []Transaction{
			{Effective: day, Actor: "custodian:test", Postings: []Posting{
				{Account: itemAccount(1), Amount: amt(t, "USD", "-1.00")},
				{Account: itemAccount(2), Amount: amt(t, "USD", "-2.00")},
				{Account: "forfeited:case:1", Amount: amt(t, "USD", "3.00")},
			}},
		}, "transaction 1", []string{"takes custody:item:1 USD to -1.00 as of"}},
		{"an account that recovers is still caught", []Transaction{
			seize(t, 1, 1, "USD", "5.00", day),
			release(t, 1, 1, "USD", "5.00", day.Add(time.Hour)),
			release(t, 1, 1, "USD", "1.00", day.Add(2*time.Hour)),
			seize(t, 1, 1, "USD", "1.00", day.Add(3*time.Hour)),
		}, "transaction 3", []string{"custody:item:1 USD", "-1.00", "as of 2025-06-02T11:00:00Z"}},
		{"a release and a seizure at one instant are read together", []Transaction{
			release(t, 1, 1, "USD", "5.00", day),
			seize(t, 1, 1, "USD", "5.00", day),
		}, "", nil},
		{"a release to zero is sound", []Transaction{
			seize(t, 1, 1, "BTC", "0.5", day),
			release(t, 1, 1, "BTC", "0.5", day.Add(time.Hour)),
		}, "", nil},
		{"a trust account below zero is what it owes", []Transaction{
			seize(t, 1, 1, "BTC", "0.5", day),
		}, "", nil},
		{"a balance too large for the fast path", []Transaction{
			seize(t, 1, 1, "ETH", "1000000", day),
			release(t, 1, 1, "ETH", "1000000.000000000000000001", day.Add(time.Hour)),
		}, "transaction 2", []string{"custody:item:1 ETH", "-0.000000000000000001"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustOpen(t)
			for _, txn := range tt.txns {
				post(t, s, txn)
			}
			if tt.record == "" {
				mustVerify(t, s)
				return
			}
			wantVerifyError(t, s, tt.record, tt.reasons...)
		})
	}
}

// TestVerifyCatchesACorruptReversal tampers with reversals in the file: each
// breaks one rule of reversals and nothing else the checker reads first.
func TestVerifyCatchesACorruptReversal(t *testing.T) {
	rewrite := func(id uint64, edit func(t *Transaction)) func(btx *bolt.Tx) error {
		return func(btx *bolt.Tx) error {
			b := btx.Bucket(LedgerTxns.name)
			txn, err := DecodeTransaction(b.Get(BE64(id)))
			if err != nil {
				return err
			}
			edit(&txn)
			return b.Put(BE64(id), txn.Canonical())
		}
	}
	tests := []struct {
		name    string
		tamper  func(btx *bolt.Tx) error
		record  string
		reasons []string
	}{
		{"a reversal that does not negate exactly", rewrite(2, func(t *Transaction) {
			// Both legs doubled: still balanced, no longer the negation.
			t.Postings[0].Amount, _ = t.Postings[0].Amount.Add(t.Postings[0].Amount)
			t.Postings[1].Amount, _ = t.Postings[1].Amount.Add(t.Postings[1].Amount)
		}), "transaction 2", []string{"not the exact negation of transaction 1"}},
		{"a reversal of a reversal", func(btx *bolt.Tx) error {
			// Transaction 3 posts the seizure again: the exact negation of
			// reversal 2. Made to say it reverses 2, and indexed so, only
			// the rule against reversing a reversal is broken.
			if err := rewrite(3, func(t *Transaction) { t.Reverses = 2 })(btx); err != nil {
				return err
			}
			return btx.Bucket(LedgerReversals.name).Put(BE64(2), BE64(3))
		}, "transaction 3", []string{"reverses transaction 2, which is itself a reversal"}},
		{"the reversal index names another transaction", func(btx *bolt.Tx) error {
			return btx.Bucket(LedgerReversals.name).Put(BE64(1), BE64(3))
		}, "transaction 2", []string{"reversal index does not record it as the reversal of 1"}},
		{"the reversal index lost its entry", func(btx *bolt.Tx) error {
			return btx.Bucket(LedgerReversals.name).Delete(BE64(1))
		}, "transaction 2", []string{"reversal index does not record it"}},
		{"an extra entry in the reversal index", func(btx *bolt.Tx) error {
			return btx.Bucket(LedgerReversals.name).Put(BE64(3), BE64(2))
		}, "reversal index", []string{"holds 2 entries for 1 reversals"}},
		{"a second reversal of one transaction", func(btx *bolt.Tx) error {
			// Transaction 4 is a release, the exact negation of seizure 1.
			return rewrite(4, func(t *Transaction) { t.Reverses = 1 })(btx)
		}, "transaction 4", []string{"reverses transaction 1, already reversed by 2"}},
		{"a transaction that reverses itself", rewrite(2, func(t *Transaction) { t.Reverses = 2 }), "transaction 2", []string{"reverses transaction 2, which is not older"}},
		{"a reversal of a later transaction", rewrite(2, func(t *Transaction) { t.Reverses = 3 }), "transaction 2", []string{"reverses transaction 3, which is not older"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustOpen(t)
			seized := post(t, s, seize(t, 1, 1, "USD", "250.00", day))
			if err := s.Write(context.Background(), func(tx *Tx) error {
				_, err := tx.Reverse(seized.ID, "finance:test", "entered twice", day.Add(time.Hour))
				return err
			}); err != nil {
				t.Fatal(err)
			}
			post(t, s, seize(t, 1, 1, "USD", "250.00", day.Add(2*time.Hour)))
			post(t, s, release(t, 1, 1, "USD", "250.00", day.Add(3*time.Hour)))
			mustVerify(t, s)
			s = tamperFile(t, s, tt.tamper)
			if tt.record == "" {
				mustVerify(t, s)
				return
			}
			wantVerifyError(t, s, tt.record, tt.reasons...)
		})
	}
}

// TestVerifyNamesAMalformedHistoryKey writes history keys of the wrong shape.
func TestVerifyNamesAMalformedHistoryKey(t *testing.T) {
	ones := func(n int) []byte { return bytes.Repeat([]byte{1}, n) }
	join := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	for _, tc := range []struct {
		name string
		key  []byte
	}{
		{"no separator", join([]byte("custody:item:1USD"), ones(16))},
		{"no separator after the currency", join([]byte("custody:item:1\x00USD"), ones(16))},
		{"a time and id one byte short", join([]byte("custody:item:1\x00USD\x00"), ones(15))},
		{"a time and id one byte long", join([]byte("custody:item:1\x00USD\x00"), ones(17))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := mustOpen(t)
			post(t, s, seize(t, 1, 1, "USD", "1.00", day))
			s = tamperFile(t, s, func(btx *bolt.Tx) error { return btx.Bucket(LedgerHistory.name).Put(tc.key, []byte("1.00 1.00")) })
			wantVerifyError(t, s, fmt.Sprintf("history key %x", tc.key), "is malformed")
		})
	}
}

// TestVerifyRunningBalancesPastTheFastPath posts deltas the checker adds in
// int64 minor units until the running balance outgrows 18 characters (at the
// second entry), where it
// carries on in decimals: sound books pass, and an edit on either side of the
// change is named with the right sum.
func TestVerifyRunningBalancesPastTheFastPath(t *testing.T) {
	const n = 12
	open := func(t *testing.T) *Store {
		s := mustOpen(t)
		for i := 0; i < n; i++ {
			post(t, s, seize(t, 1, 1, "USD", "999999999999999.99", day.Add(time.Duration(i)*time.Hour)))
		}
		mustVerify(t, s)
		return s
	}
	t.Run("sound books pass", func(t *testing.T) { open(t) })
	for _, tc := range []struct {
		name, value, reason string
		id                  int
	}{
		{"an edit before the change", "999999999999999.99 999999999999999.98", "running balance 999999999999999.98, the entries before it add up to 999999999999999.99", 1},
		{"an edit after the change", "999999999999999.99 11999999999999999.87", "running balance 11999999999999999.87, the entries before it add up to 11999999999999999.88", 12},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			k := historyKey(historyPrefix(itemAccount(1), "USD"), day.Add(time.Duration(tc.id-1)*time.Hour), uint64(tc.id))
			s = tamperFile(t, s, func(btx *bolt.Tx) error {
				if btx.Bucket(LedgerHistory.name).Get(k) == nil {
					t.Fatal("no such history entry")
				}
				return btx.Bucket(LedgerHistory.name).Put(k, []byte(tc.value))
			})
			wantVerifyError(t, s, fmt.Sprintf("history custody:item:1 USD transaction %d", tc.id), tc.reason)
		})
	}
}

func TestLowestNamesTheFirstBadTransaction(t *testing.T) {
	three, five, alsoThree := &idError{id: 3}, &idError{id: 5}, &idError{id: 3}
	for _, tc := range []struct {
		a, b, want *idError
	}{
		{nil, nil, nil},
		{three, nil, three},
		{nil, three, three},
		{five, three, three},
		{three, five, three},
		{three, alsoThree, three}, // a tie keeps the one found first: the gap in the ids
	} {
		if got := lowest(tc.a, tc.b); got != tc.want {
			t.Errorf("lowest(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestFixedUnits(t *testing.T) {
	for _, tc := range []struct {
		s     string
		scale int32
		want  int64
		ok    bool
	}{
		{"1.25", 2, 125, true},
		{"-0.00000001", 8, -1, true},
		{"250000", 0, 250000, true},
		{"1.5", 2, 0, false},   // not at scale: left to decimals
		{"1.250", 2, 0, false}, // not at scale
		{".25", 2, 0, false},
		{"1.", 0, 0, false},
		{"1234567890123456789", 0, 0, false}, // 19 digits: left to decimals
		{"123456789012345678", 0, 123456789012345678, true},
		{"999999999999999.99", 2, 99999999999999999, true},
		{"-9.99", 2, -999, true},
		{".1.25", 2, 0, false},
		{"1.2.5", 1, 0, false},
		{"1e5", 0, 0, false},
		{"", 0, 0, false},
	} {
		got, ok := fixedUnits(tc.s, tc.scale)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("fixedUnits(%q, %d) = %d, %v; want %d, %v", tc.s, tc.scale, got, ok, tc.want, tc.ok)
		}
	}
}
