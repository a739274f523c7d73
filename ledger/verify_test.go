package ledger

import (
	"bytes"
	"errors"
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
			b := btx.Bucket(bucketTxns)
			v := bytes.Clone(b.Get(be64(2)))
			b.Put(be64(2), bytes.Replace(v, []byte(" USD 250.00\n"), []byte(" USD 260.00\n"), 1))
		}, "transaction 2"},
		{"both legs changed so the transaction still balances", func(t *testing.T, btx *bolt.Tx) {
			b := btx.Bucket(bucketTxns)
			v := bytes.Clone(b.Get(be64(2)))
			v = bytes.Replace(v, []byte(" USD 250.00\n"), []byte(" USD 260.00\n"), 1)
			v = bytes.Replace(v, []byte(" USD -250.00\n"), []byte(" USD -260.00\n"), 1)
			b.Put(be64(2), v)
		}, "balance custody:item:2 USD"},
		{"a transaction deleted", func(t *testing.T, btx *bolt.Tx) {
			btx.Bucket(bucketTxns).Delete(be64(2))
		}, "transaction 2"},
		{"the newest transaction deleted", func(t *testing.T, btx *bolt.Tx) {
			btx.Bucket(bucketTxns).Delete(be64(3))
		}, "transaction 3"},
		{"two transactions swapped", func(t *testing.T, btx *bolt.Tx) {
			b := btx.Bucket(bucketTxns)
			one, two := bytes.Clone(b.Get(be64(1))), bytes.Clone(b.Get(be64(2)))
			b.Put(be64(1), two)
			b.Put(be64(2), one)
		}, "transaction 1"},
		{"a balance edited", func(t *testing.T, btx *bolt.Tx) {
			btx.Bucket(bucketBalances).Put(balanceKey("custody:item:1", "BTC"), []byte("0.60000000 1"))
		}, "balance custody:item:1 BTC"},
		{"a balance deleted", func(t *testing.T, btx *bolt.Tx) {
			btx.Bucket(bucketBalances).Delete(balanceKey("seized:case:1", "BTC"))
		}, "balance seized:case:1 BTC"},
		{"a running balance in the history edited", func(t *testing.T, btx *bolt.Tx) {
			b := btx.Bucket(bucketHistory)
			k := historyKey(historyPrefix("custody:item:2", "USD"), day.Add(time.Hour), 2)
			b.Put(k, []byte("250.00 251.00"))
		}, "history custody:item:2 USD transaction 2"},
		{"a history entry moved in time", func(t *testing.T, btx *bolt.Tx) {
			b := btx.Bucket(bucketHistory)
			k := historyKey(historyPrefix("custody:item:2", "USD"), day.Add(time.Hour), 2)
			v := bytes.Clone(b.Get(k))
			b.Delete(k)
			b.Put(historyKey(historyPrefix("custody:item:2", "USD"), day.Add(2*time.Hour), 2), v)
		}, "history index"},
		{"a byte flipped in a transaction's memo", func(t *testing.T, btx *bolt.Tx) {
			b := btx.Bucket(bucketTxns)
			v := bytes.Clone(b.Get(be64(1)))
			v = bytes.Replace(v, []byte("seizure"), []byte("seizurE"), 1)
			b.Put(be64(1), v)
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
		{"1234567890123456789", 0, 0, false}, // could overflow
		{"1e5", 0, 0, false},
		{"", 0, 0, false},
	} {
		got, ok := fixedUnits(tc.s, tc.scale)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("fixedUnits(%q, %d) = %d, %v; want %d, %v", tc.s, tc.scale, got, ok, tc.want, tc.ok)
		}
	}
}
