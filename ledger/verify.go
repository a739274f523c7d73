package ledger

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/bits"
	"sort"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
	bolt "go.etcd.io/bbolt"

	"github.com/amanat-ledger/amanat/ledger/money"
)

// Report summarises a passing check of the books.
type Report struct {
	Transactions   uint64 `json:"transactions"`
	Reversals      uint64 `json:"reversals"`
	Postings       uint64 `json:"postings"`
	Balances       uint64 `json:"balances"`
	HistoryEntries uint64 `json:"history_entries"`
}

func (r Report) String() string {
	return fmt.Sprintf("%d transactions (%d reversals), %d postings, %d balances, %d history entries",
		r.Transactions, r.Reversals, r.Postings, r.Balances, r.HistoryEntries)
}

// VerifyError names the first record that breaks an invariant.
type VerifyError struct {
	Record string // "transaction 17", "balance custody:item:3 USD", ...
	Reason string
}

func (e *VerifyError) Error() string { return e.Record + ": " + e.Reason }

func bad(record, format string, args ...any) error {
	return &VerifyError{Record: record, Reason: fmt.Sprintf(format, args...)}
}

// Verify checks the whole store; see VerifyTx.
func (s *Store) Verify() (Report, error) {
	var r Report
	err := s.View(func(tx *Tx) error {
		var err error
		r, err = VerifyTx(tx)
		return err
	})
	return r, err
}

type acc struct {
	cur   money.Currency
	sum   decimal.Decimal
	count uint64
}

// digest is an order-independent fingerprint of a set of history entries:
// the sum modulo 2^256 of each entry's SHA-256. The transactions give one set,
// the history index the other; equal sums mean equal sets (short of a SHA-256
// collision), without holding a million entries in memory.
type digest [4]uint64

func (d *digest) add(buf *[]byte, key []byte, delta string) {
	b := append(append(append((*buf)[:0], key...), 0), delta...)
	*buf = b
	sum := sha256.Sum256(b)
	var carry uint64
	for i := 0; i < 4; i++ {
		d[i], carry = bits.Add64(d[i], binary.BigEndian.Uint64(sum[i*8:]), carry)
	}
}

// VerifyTx proves from the stored postings alone that the books hold:
// transaction ids run 1..n without a gap; each record is in canonical form,
// names chart accounts and known currencies within scale, and sums to zero per
// currency; each reversal exactly negates a transaction reversed once; every
// stored balance equals the sum of its postings; and the history index holds
// exactly one entry per account, currency and transaction with running
// balances that add up. It returns the first record that breaks a rule.
func VerifyTx(tx *Tx) (Report, error) {
	var r Report
	if err := checkFormat(tx.Bolt); err != nil {
		return r, bad("store", "%v", err)
	}
	txns := tx.Bolt.Bucket(bucketTxns)
	revs := tx.Bolt.Bucket(bucketReversals)
	accs := map[string]*acc{}
	var want digest
	var scratch []byte
	reversed := map[uint64]uint64{}
	var expect uint64 = 1
	c := txns.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(k) != 8 {
			return r, bad(fmt.Sprintf("transaction key %x", k), "is not an 8-byte id")
		}
		id := binary.BigEndian.Uint64(k)
		rec := "transaction " + strconv.FormatUint(id, 10)
		if id != expect {
			return r, bad(fmt.Sprintf("transaction %d", expect), "is missing (next stored id is %d)", id)
		}
		expect++
		t, err := DecodeTransaction(v)
		if err != nil {
			return r, bad(rec, "%v", err)
		}
		if t.ID != id {
			return r, bad(rec, "record says id %d", t.ID)
		}
		if err := t.check(); err != nil {
			return r, bad(rec, "%v", err)
		}
		if t.Reverses != 0 {
			if t.Reverses >= id {
				return r, bad(rec, "reverses transaction %d, which is not older", t.Reverses)
			}
			if prev, dup := reversed[t.Reverses]; dup {
				return r, bad(rec, "reverses transaction %d, already reversed by %d", t.Reverses, prev)
			}
			reversed[t.Reverses] = id
			orig, err := tx.Transaction(t.Reverses)
			if err != nil {
				return r, bad(rec, "reverses transaction %d: %v", t.Reverses, err)
			}
			if orig.Reverses != 0 || !negates(t.Postings, orig.Postings) {
				return r, bad(rec, "is not the exact negation of transaction %d", t.Reverses)
			}
			if by := revs.Get(be64(t.Reverses)); by == nil || binary.BigEndian.Uint64(by) != id {
				return r, bad(rec, "reversal index does not record it as the reversal of %d", t.Reverses)
			}
			r.Reversals++
		}
		for _, g := range groupPostings(&t) {
			bk := string(balanceKey(g.account, g.cur.Code))
			a := accs[bk]
			if a == nil {
				a = &acc{cur: g.cur}
				accs[bk] = a
			}
			a.sum = a.sum.Add(g.delta)
			a.count += g.n
			want.add(&scratch, historyKey(historyPrefix(g.account, g.cur.Code), t.Effective, t.ID), g.delta.StringFixed(g.cur.Scale))
			r.HistoryEntries++
		}
		r.Transactions++
		r.Postings += uint64(len(t.Postings))
	}
	if seq := txns.Sequence(); seq != expect-1 {
		return r, bad(fmt.Sprintf("transaction %d", expect), "is missing (ids were issued up to %d)", seq)
	}
	if n := uint64(revs.Stats().KeyN); n != r.Reversals {
		return r, bad("reversal index", "holds %d entries for %d reversals", n, r.Reversals)
	}
	if err := verifyBalances(tx.Bolt, accs, &r); err != nil {
		return r, err
	}
	if err := verifyHistory(tx.Bolt, accs, want, r.HistoryEntries); err != nil {
		return r, err
	}
	return r, nil
}

func verifyBalances(btx *bolt.Tx, accs map[string]*acc, r *Report) error {
	seen := 0
	err := btx.Bucket(bucketBalances).ForEach(func(k, v []byte) error {
		account, code, _ := splitBalanceKey(k)
		rec := fmt.Sprintf("balance %s %s", account, code)
		a := accs[string(k)]
		if a == nil {
			return bad(rec, "has no postings")
		}
		seen++
		b, err := decodeBalance(account, a.cur, v)
		if err != nil {
			return bad(rec, "%v", err)
		}
		if !b.Amount.Decimal().Equal(a.sum) || b.Postings != a.count {
			return bad(rec, "is %s over %d postings; the postings sum to %s over %d",
				b.Amount, b.Postings, a.sum.StringFixed(a.cur.Scale), a.count)
		}
		r.Balances++
		return nil
	})
	if err != nil {
		return err
	}
	if seen != len(accs) {
		keys := make([]string, 0, len(accs))
		for k := range accs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if btx.Bucket(bucketBalances).Get([]byte(k)) == nil {
				account, code, _ := strings.Cut(k, "\x00")
				return bad(fmt.Sprintf("balance %s %s", account, code), "is missing although postings exist")
			}
		}
	}
	return nil
}

func verifyHistory(btx *bolt.Tx, accs map[string]*acc, want digest, wantN uint64) error {
	var got digest
	var scratch []byte
	var n uint64
	var prefix []byte
	var running decimal.Decimal
	var fast int64 // the running balance in minor units while it fits
	fastOK := true
	var cur *acc
	finish := func() error {
		if fastOK {
			running = decimal.New(fast, -curScale(cur))
		}
		if cur != nil && !running.Equal(cur.sum) {
			account, code, _ := splitBalanceKey(prefix[:len(prefix)-1])
			return bad(fmt.Sprintf("history %s %s", account, code), "ends at %s; the postings sum to %s", running.StringFixed(cur.cur.Scale), cur.sum.StringFixed(cur.cur.Scale))
		}
		return nil
	}
	c := btx.Bucket(bucketHistory).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(k) < 18 || k[len(k)-17] != 0 {
			return bad(fmt.Sprintf("history key %x", k), "is malformed")
		}
		p := k[:len(k)-16]
		account, code, _ := splitBalanceKey(p[:len(p)-1])
		id := binary.BigEndian.Uint64(k[len(k)-8:])
		rec := fmt.Sprintf("history %s %s transaction %d", account, code, id)
		if !bytes.Equal(p, prefix) {
			if err := finish(); err != nil {
				return err
			}
			prefix = bytes.Clone(p)
			running, fast, fastOK = decimal.Zero, 0, true
			cur = accs[string(p[:len(p)-1])]
			if cur == nil {
				return bad(rec, "has no postings")
			}
		}
		d, r, err := splitPair(v)
		if err != nil {
			return bad(rec, "%v", err)
		}
		// Most amounts fit in int64 minor units; exact decimals take over
		// for the rest.
		du, ok1 := fixedUnits(d, cur.cur.Scale)
		ru, ok2 := fixedUnits(r, cur.cur.Scale)
		if sum := fast + du; ok1 && ok2 && fastOK && noSignOverflow(fast, du, sum) {
			fast = sum
			if ru != fast {
				return bad(rec, "running balance %s, the entries before it add up to %s", r, decimal.New(fast, -cur.cur.Scale).StringFixed(cur.cur.Scale))
			}
			running = decimal.Decimal{}
		} else {
			if fastOK {
				running, fastOK = decimal.New(fast, -cur.cur.Scale), false
			}
			delta, err1 := decimal.NewFromString(d)
			run, err2 := decimal.NewFromString(r)
			if err1 != nil || err2 != nil {
				return bad(rec, "value %q is not two decimals", v)
			}
			running = running.Add(delta)
			if !run.Equal(running) {
				return bad(rec, "running balance %s, the entries before it add up to %s", r, running.StringFixed(cur.cur.Scale))
			}
		}
		got.add(&scratch, k, d)
		n++
	}
	if err := finish(); err != nil {
		return err
	}
	if n != wantN || got != want {
		return bad("history index", "holds %d entries that do not match the %d implied by the transactions", n, wantN)
	}
	return nil
}

func curScale(a *acc) int32 {
	if a == nil {
		return 0
	}
	return a.cur.Scale
}

// noSignOverflow says whether a+b=sum did not overflow int64.
func noSignOverflow(a, b, sum int64) bool {
	return !((a >= 0) == (b >= 0) && (sum >= 0) != (a >= 0))
}

// fixedUnits reads a plain decimal written with exactly scale places (as the
// indexes store them) as an int64 count of minor units. ok is false for any
// other shape or a value too large, and the caller falls back to decimals.
func fixedUnits(s string, scale int32) (int64, bool) {
	neg := false
	if len(s) > 0 && s[0] == '-' {
		neg, s = true, s[1:]
	}
	if len(s) == 0 || len(s) > 18 {
		return 0, false
	}
	var n int64
	point := -1
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch == '.' {
			if point >= 0 {
				return 0, false
			}
			point = i
			continue
		}
		if ch < '0' || ch > '9' {
			return 0, false
		}
		n = n*10 + int64(ch-'0')
	}
	places := 0
	if point >= 0 {
		places = len(s) - point - 1
	}
	if int32(places) != scale || point == 0 || point == len(s)-1 {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}
