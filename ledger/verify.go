package ledger

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/bits"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

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
//
// This goroutine alone reads the bbolt transaction (bbolt objects are not safe
// for concurrent use); it hands copies of the records to workers that decode
// and check them on every core, and to one worker that walks the history
// index in order.
func VerifyTx(tx *Tx) (Report, error) {
	var r Report
	if err := tx.checkFormat(); err != nil {
		return r, bad("store", "%v", err)
	}
	workers := min(max(runtime.GOMAXPROCS(0), 1), 8)
	txnCh := make(chan []rawRec, 2*workers)
	histCh := make(chan []rawRec, 4)
	parts := make([]txnPart, workers)
	var hist histPart
	var wg sync.WaitGroup
	for i := range parts {
		wg.Add(1)
		go func(p *txnPart) { defer wg.Done(); p.run(txnCh) }(&parts[i])
	}
	wg.Add(1)
	go func() { defer wg.Done(); hist.run(histCh) }()

	txns := tx.Bolt.Bucket(LedgerTxns.name)
	var ids idChecker
	feed(txns, txnCh, ids.check)
	feed(tx.Bolt.Bucket(LedgerHistory.name), histCh, nil)
	wg.Wait()

	// The first bad transaction, by id, wins over everything later.
	first := ids.missing
	for i := range parts {
		first = lowest(first, parts[i].err)
	}
	if first != nil {
		return r, first.err
	}
	accs := map[string]*acc{}
	var want digest
	var reversals []Transaction
	for i := range parts {
		p := &parts[i]
		r.Transactions += p.txns
		r.Postings += p.postings
		r.HistoryEntries += p.groups
		want.merge(p.digest)
		reversals = append(reversals, p.reversals...)
		for k, a := range p.accs {
			if b := accs[k]; b != nil {
				b.sum = b.sum.Add(a.sum)
				b.count += a.count
			} else {
				accs[k] = a
			}
		}
	}
	if seq := txns.Sequence(); seq != r.Transactions {
		return r, bad(fmt.Sprintf("transaction %d", r.Transactions+1), "is missing (ids were issued up to %d)", seq)
	}
	if err := verifyReversals(tx, reversals); err != nil {
		return r, err
	}
	r.Reversals = uint64(len(reversals))
	if err := verifyBalances(tx.Bolt, accs, &r); err != nil {
		return r, err
	}
	if err := hist.compare(accs, want, r.HistoryEntries); err != nil {
		return r, err
	}
	return r, nil
}

// rawRec is a copied key and value: bbolt's slices live only as long as the
// transaction and may not be shared with other goroutines.
type rawRec struct{ k, v []byte }

const feedBatch = 512

// feed sends copies of every record of b to ch in key order, in batches that
// share one allocation, and closes ch. check, when not nil, sees every key
// first (the transaction bucket checks its ids with it).
func feed(b *bolt.Bucket, ch chan<- []rawRec, check func(k []byte)) {
	defer close(ch)
	batch := make([]rawRec, 0, feedBatch)
	var slab []byte
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if check != nil {
			check(k)
		}
		if cap(slab)-len(slab) < len(k)+len(v) {
			slab = make([]byte, 0, max(64<<10, len(k)+len(v)))
		}
		off := len(slab)
		slab = append(append(slab, k...), v...)
		batch = append(batch, rawRec{k: slab[off : off+len(k) : off+len(k)], v: slab[off+len(k) : len(slab) : len(slab)]})
		if len(batch) == feedBatch {
			ch <- batch
			batch = make([]rawRec, 0, feedBatch)
		}
	}
	if len(batch) > 0 {
		ch <- batch
	}
}

// idChecker checks that transaction keys are 8-byte ids running from 1
// without a gap; missing is the first break.
type idChecker struct {
	expect  uint64
	missing *idError
}

func (c *idChecker) check(k []byte) {
	if c.missing != nil {
		return
	}
	c.expect++
	switch {
	case len(k) != 8:
		c.missing = &idError{id: c.expect, err: bad(fmt.Sprintf("transaction key %x", k), "is not an 8-byte id")}
	case binary.BigEndian.Uint64(k) != c.expect:
		c.missing = &idError{id: c.expect, err: bad(fmt.Sprintf("transaction %d", c.expect), "is missing (next stored id is %d)", binary.BigEndian.Uint64(k))}
	}
}

// idError is a failure tied to a transaction id, so the lowest can be named.
type idError struct {
	id  uint64
	err error
}

// lowest is whichever of a and b names the lower transaction id; nil is no
// failure. The workers each stop at their own first failure, so the lowest of
// those is the first bad transaction of the store.
func lowest(a, b *idError) *idError {
	if a == nil || (b != nil && b.id < a.id) {
		return b
	}
	return a
}

// txnPart is one worker's share of the transaction checks.
type txnPart struct {
	accs      map[string]*acc
	digest    digest
	txns      uint64
	postings  uint64
	groups    uint64
	reversals []Transaction
	err       *idError
	scratch   []byte
	keyBuf    []byte
	groupBuf  []group
}

func (p *txnPart) run(ch <-chan []rawRec) {
	p.accs = map[string]*acc{}
	for batch := range ch {
		for _, rec := range batch {
			if p.err != nil || len(rec.k) != 8 {
				continue // keep draining; the reader reports bad keys
			}
			id := binary.BigEndian.Uint64(rec.k)
			if err := p.check(id, rec.v); err != nil {
				p.err = &idError{id: id, err: err}
			}
		}
	}
}

func (p *txnPart) check(id uint64, v []byte) error {
	rec := recName{id}
	t, err := DecodeTransaction(v)
	if err != nil {
		return bad(rec.String(), "%v", err)
	}
	if t.ID != id {
		return bad(rec.String(), "record says id %d", t.ID)
	}
	if err := t.check(); err != nil {
		return bad(rec.String(), "%v", err)
	}
	if t.Reverses != 0 {
		if t.Reverses >= id {
			return bad(rec.String(), "reverses transaction %d, which is not older", t.Reverses)
		}
		p.reversals = append(p.reversals, t)
	}
	p.groupBuf = appendGroups(p.groupBuf[:0], &t)
	for _, g := range p.groupBuf {
		// The history key of this group, built in a reused buffer: account
		// 0 currency 0 BE(effective) BE(id).
		k := append(append(append(append(p.keyBuf[:0], g.account...), 0), g.cur.Code...), 0)
		bk := k[:len(k)-1]
		a := p.accs[string(bk)]
		if a == nil {
			a = &acc{cur: g.cur}
			p.accs[string(bk)] = a
		}
		a.sum = a.sum.Add(g.delta)
		a.count += g.n
		k = binary.BigEndian.AppendUint64(k, nanos(t.Effective))
		k = binary.BigEndian.AppendUint64(k, t.ID)
		p.keyBuf = k
		p.digest.add(&p.scratch, k, g.delta.StringFixed(g.cur.Scale))
		p.groups++
	}
	p.txns++
	p.postings += uint64(len(t.Postings))
	return nil
}

// recName names a transaction in a failure, built only when one is reported.
type recName struct{ id uint64 }

func (r recName) String() string { return "transaction " + strconv.FormatUint(r.id, 10) }

// verifyReversals checks, in id order, that each reversal exactly negates an
// older transaction that is not itself a reversal, that no transaction is
// reversed twice, and that the reversal index says the same and no more.
func verifyReversals(tx *Tx, reversals []Transaction) error {
	sort.Slice(reversals, func(i, j int) bool { return reversals[i].ID < reversals[j].ID })
	revs := tx.Bolt.Bucket(LedgerReversals.name)
	reversed := map[uint64]uint64{}
	for _, t := range reversals {
		rec := "transaction " + strconv.FormatUint(t.ID, 10)
		if prev, dup := reversed[t.Reverses]; dup {
			return bad(rec, "reverses transaction %d, already reversed by %d", t.Reverses, prev)
		}
		reversed[t.Reverses] = t.ID
		orig, err := tx.Transaction(t.Reverses)
		if err != nil {
			return bad(rec, "reverses transaction %d: %v", t.Reverses, err)
		}
		if orig.Reverses != 0 {
			return bad(rec, "reverses transaction %d, which is itself a reversal", t.Reverses)
		}
		if !negates(t.Postings, orig.Postings) {
			return bad(rec, "is not the exact negation of transaction %d", t.Reverses)
		}
		if by := revs.Get(BE64(t.Reverses)); by == nil || binary.BigEndian.Uint64(by) != t.ID {
			return bad(rec, "reversal index does not record it as the reversal of %d", t.Reverses)
		}
	}
	if n := revs.Stats().KeyN; n != len(reversals) {
		return bad("reversal index", "holds %d entries for %d reversals", n, len(reversals))
	}
	return nil
}

func (d *digest) merge(o digest) {
	var carry uint64
	for i := 0; i < 4; i++ {
		d[i], carry = bits.Add64(d[i], o[i], carry)
	}
}

func verifyBalances(btx *bolt.Tx, accs map[string]*acc, r *Report) error {
	seen := 0
	err := btx.Bucket(LedgerBalances.name).ForEach(func(k, v []byte) error {
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
			if btx.Bucket(LedgerBalances.name).Get([]byte(k)) == nil {
				account, code, _ := strings.Cut(k, "\x00")
				return bad(fmt.Sprintf("balance %s %s", account, code), "is missing although postings exist")
			}
		}
	}
	return nil
}

// histPart walks the history index in key order: per account and currency,
// each running balance must be the previous one plus its delta. Key order is
// time order within an account and currency, so the same walk replays each
// custody account through time and finds the first instant it holds less
// than nothing.
type histPart struct {
	finals map[string]decimal.Decimal // account 0 currency -> last running balance
	digest digest
	n      uint64
	neg    *negative // the earliest instant a custody account is below zero
	err    error
}

// negative is a custody account below zero as of an instant: the balance
// after the last entry (highest transaction id) of that instant.
type negative struct {
	at, id        uint64 // effective Unix nanoseconds, transaction id
	account, code string
	run           string
}

// custodyRoot starts the name of every account that holds what the agency
// has in hand (custody:item:<id>); such a balance is never negative.
var custodyRoot = []byte("custody:")

// before orders negatives by instant, then by transaction id.
func (n *negative) before(o *negative) bool {
	return n.at < o.at || (n.at == o.at && n.id < o.id)
}

func (h *histPart) run(ch <-chan []rawRec) {
	h.finals = map[string]decimal.Decimal{}
	w := histWalk{h: h}
	for batch := range ch {
		for _, rec := range batch {
			if h.err == nil {
				h.err = w.entry(rec.k, rec.v)
			}
		}
	}
	if h.err == nil {
		w.finish()
	}
}

// histWalk is where the walk over the history index stands: the group
// (account and currency) being read, its running balance, and the custody
// balance of the instant being read.
type histWalk struct {
	h       *histPart
	scratch []byte
	prefix  []byte // account 0 currency 0 of the group being read
	cur     money.Currency
	running decimal.Decimal
	fast    int64 // the running balance in minor units while it fits
	fastOK  bool
	custody bool
	pending *negative // the custody balance as of the instant being read
}

// entry checks one history entry against the entries before it.
func (w *histWalk) entry(k, v []byte) error {
	// account 0 currency 0 BE(effective) BE(id): neither name holds a 0
	// byte, so the first two zeros split the key. A missing separator
	// leaves tail empty.
	account, rest, _ := bytes.Cut(k, []byte{0})
	code, tail, _ := bytes.Cut(rest, []byte{0})
	if len(tail) != 16 {
		return bad(fmt.Sprintf("history key %x", k), "is malformed")
	}
	p := k[:len(k)-16]
	name := func() string { // only a failure needs the record's name
		return fmt.Sprintf("history %s %s transaction %d", account, code, binary.BigEndian.Uint64(tail[8:]))
	}
	if !bytes.Equal(p, w.prefix) {
		w.finish()
		c, err := money.Lookup(string(code))
		if err != nil {
			return bad(name(), "%v", err)
		}
		w.prefix, w.cur = p, c
		w.running, w.fast, w.fastOK = decimal.Zero, 0, true
		w.custody = bytes.HasPrefix(p, custodyRoot)
	}
	d, r, err := splitPair(v)
	if err != nil {
		return bad(name(), "%v", err)
	}
	if err := w.add(d, r, name); err != nil {
		return err
	}
	if w.custody {
		at, id := binary.BigEndian.Uint64(k[len(k)-16:]), binary.BigEndian.Uint64(k[len(k)-8:])
		if w.pending != nil && w.pending.at != at {
			w.settle()
		}
		below := (w.fastOK && w.fast < 0) || (!w.fastOK && w.running.Sign() < 0)
		w.pending = &negative{at: at, id: id}
		if below {
			w.pending.run = r
		}
	}
	w.h.digest.add(&w.scratch, k, d)
	w.h.n++
	return nil
}

// add adds delta d to the running balance and checks it against the stored
// running balance r.
func (w *histWalk) add(d, r string, name func() string) error {
	scale := w.cur.Scale
	// fixedUnits takes only digits at exactly the scale, which
	// money.ParseStored reads too; anything else is read by ParseStored
	// itself, so every stored amount is proved readable.
	du, ok1 := fixedUnits(d, scale)
	ru, ok2 := fixedUnits(r, scale)
	// fixedUnits reads at most 18 digits, so fast (the last running balance
	// it read) and du are below 10^18 and their sum below 2 × 10^18 < 2^63:
	// it cannot overflow.
	if ok1 && ok2 && w.fastOK {
		w.fast += du
		if ru != w.fast {
			return bad(name(), "running balance %s, the entries before it add up to %s", r, decimal.New(w.fast, -scale).StringFixed(scale))
		}
		return nil
	}
	if w.fastOK {
		w.running, w.fastOK = decimal.New(w.fast, -scale), false
	}
	delta, err := money.ParseStored(w.cur, d)
	if err != nil {
		return bad(name(), "delta: %v", err)
	}
	run, err := money.ParseStored(w.cur, r)
	if err != nil {
		return bad(name(), "running balance: %v", err)
	}
	w.running = w.running.Add(delta.Decimal())
	if !run.Decimal().Equal(w.running) {
		return bad(name(), "running balance %s, the entries before it add up to %s", r, w.running.StringFixed(scale))
	}
	return nil
}

// settle keeps the balance of a finished instant if it is negative and
// earlier than any found so far. Entries of one instant are summed before
// the sign counts: an as-of read sees them together.
func (w *histWalk) settle() {
	h := w.h
	if w.pending != nil && w.pending.run != "" && (h.neg == nil || w.pending.before(h.neg)) {
		account, code, _ := splitBalanceKey(w.prefix[:len(w.prefix)-1])
		w.pending.account, w.pending.code = account, code
		h.neg = w.pending
	}
	w.pending = nil
}

// finish records the final balance of the group just read.
func (w *histWalk) finish() {
	if w.prefix == nil {
		return
	}
	w.settle()
	if w.fastOK {
		w.running = decimal.New(w.fast, -w.cur.Scale)
	}
	w.h.finals[string(w.prefix[:len(w.prefix)-1])] = w.running
}

// compare checks the walk against the transactions: every history run ends at
// its postings' sum, and the set of entries is exactly the one the
// transactions imply.
func (h *histPart) compare(accs map[string]*acc, want digest, wantN uint64) error {
	if h.err != nil {
		return h.err
	}
	keys := make([]string, 0, len(h.finals))
	for k := range h.finals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		account, code, _ := splitBalanceKey([]byte(k))
		a := accs[k]
		if a == nil {
			return bad(fmt.Sprintf("history %s %s", account, code), "has no postings")
		}
		if got := h.finals[k]; !got.Equal(a.sum) {
			return bad(fmt.Sprintf("history %s %s", account, code), "ends at %s; the postings sum to %s", got.StringFixed(a.cur.Scale), a.sum.StringFixed(a.cur.Scale))
		}
	}
	if h.n != wantN || h.digest != want {
		return bad("history index", "holds %d entries that do not match the %d implied by the transactions", h.n, wantN)
	}
	// The index is now proved equal to the postings, so its walk is a replay
	// of them in time order.
	if n := h.neg; n != nil {
		return bad("transaction "+strconv.FormatUint(n.id, 10), "takes %s %s to %s as of %s; a custody account never holds less than nothing",
			n.account, n.code, n.run, time.Unix(0, int64(n.at)).UTC().Format(time.RFC3339Nano))
	}
	return nil
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
