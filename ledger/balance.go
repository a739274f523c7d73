package ledger

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	bolt "go.etcd.io/bbolt"

	"github.com/amanat-ledger/amanat/ledger/money"
)

// Balance is an account's holding of one currency.
type Balance struct {
	Account  string
	Amount   money.Amount
	Postings uint64 // postings to this account in this currency, for the current balance
}

func balanceKey(account, cur string) []byte {
	k := make([]byte, 0, len(account)+len(cur)+1)
	k = append(k, account...)
	k = append(k, 0)
	return append(k, cur...)
}

func splitBalanceKey(k []byte) (account, cur string, ok bool) {
	a, c, ok := bytes.Cut(k, []byte{0})
	return string(a), string(c), ok
}

// historyPrefix is the key prefix of one account's history in one currency.
func historyPrefix(account, cur string) []byte {
	k := balanceKey(account, cur)
	return append(k, 0)
}

func historyKey(prefix []byte, at time.Time, id uint64) []byte {
	k := make([]byte, 0, len(prefix)+16)
	k = append(k, prefix...)
	k = binary.BigEndian.AppendUint64(k, nanos(at))
	return binary.BigEndian.AppendUint64(k, id)
}

// latest is the last instant a uint64 of Unix nanoseconds can hold in order;
// as-of reads past it (year 2262) clamp to it.
var latest = time.Unix(0, 1<<63-1)

func nanos(at time.Time) uint64 {
	if at.After(latest) {
		return 1<<63 - 1
	}
	return uint64(at.UnixNano())
}

// pair is the value layout of the balances and history buckets: two decimals
// (or a decimal and a count) separated by one space.
func pair(a, b string) []byte { return []byte(a + " " + b) }

func splitPair(v []byte) (string, string, error) {
	a, b, ok := strings.Cut(string(v), " ")
	if !ok {
		return "", "", fmt.Errorf("malformed index value %q", v)
	}
	return a, b, nil
}

type group struct {
	account string
	cur     money.Currency
	delta   decimal.Decimal
	n       uint64
}

// groupPostings combines a transaction's postings per account and currency, in
// the order each pair first appears. The history index keeps one entry per
// pair and transaction.
func groupPostings(t *Transaction) []group { return appendGroups(nil, t) }

// appendGroups is groupPostings into a caller's scratch slice.
func appendGroups(out []group, t *Transaction) []group {
	for _, p := range t.Postings {
		cur := p.Amount.Currency()
		found := false
		for i := range out {
			if out[i].account == p.Account && out[i].cur.Code == cur.Code {
				out[i].delta = out[i].delta.Add(p.Amount.Decimal())
				out[i].n++
				found = true
				break
			}
		}
		if !found {
			out = append(out, group{account: p.Account, cur: cur, delta: p.Amount.Decimal(), n: 1})
		}
	}
	return out
}

// applyPostings brings the balances and the history index up to date with t.
// A transaction dated before existing history entries shifts their running
// balances: the index is derived data, rebuilt from postings by the checker.
func applyPostings(btx *bolt.Tx, t *Transaction) error {
	bal := btx.Bucket(LedgerBalances.name)
	hist := btx.Bucket(LedgerHistory.name)
	for _, g := range groupPostings(t) {
		bk := balanceKey(g.account, g.cur.Code)
		current, count := decimal.Zero, uint64(0)
		if v := bal.Get(bk); v != nil {
			a, b, err := splitPair(v)
			if err != nil {
				return fmt.Errorf("balance %s %s: %w", g.account, g.cur.Code, err)
			}
			if current, err = decimal.NewFromString(a); err != nil {
				return fmt.Errorf("balance %s %s: %w", g.account, g.cur.Code, err)
			}
			if count, err = strconv.ParseUint(b, 10, 64); err != nil {
				return fmt.Errorf("balance %s %s: %w", g.account, g.cur.Code, err)
			}
		}
		newBal := current.Add(g.delta)
		if err := bal.Put(bk, pair(newBal.StringFixed(g.cur.Scale), strconv.FormatUint(count+g.n, 10))); err != nil {
			return err
		}

		prefix := historyPrefix(g.account, g.cur.Code)
		key := historyKey(prefix, t.Effective, t.ID)
		c := hist.Cursor()
		type later struct {
			k     []byte
			delta string
			run   decimal.Decimal
		}
		var shift []later
		k, v := c.Seek(key)
		for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			d, r, err := splitPair(v)
			if err != nil {
				return fmt.Errorf("history %x: %w", k, err)
			}
			run, err := decimal.NewFromString(r)
			if err != nil {
				return fmt.Errorf("history %x: %w", k, err)
			}
			shift = append(shift, later{bytes.Clone(k), d, run})
		}
		running := newBal
		if len(shift) > 0 {
			// Backdated: the running balance here is the one before the
			// first later entry, plus this delta.
			first := shift[0]
			fd, err := decimal.NewFromString(first.delta)
			if err != nil {
				return fmt.Errorf("history %x: %w", first.k, err)
			}
			running = first.run.Sub(fd).Add(g.delta)
			for _, l := range shift {
				if err := hist.Put(l.k, pair(l.delta, l.run.Add(g.delta).StringFixed(g.cur.Scale))); err != nil {
					return err
				}
			}
		}
		if err := hist.Put(key, pair(g.delta.StringFixed(g.cur.Scale), running.StringFixed(g.cur.Scale))); err != nil {
			return err
		}
	}
	return nil
}

// Balance is the current balance of account in cur (zero when it never held any).
func (tx *Tx) Balance(account string, cur money.Currency) (Balance, error) {
	v := tx.Get(LedgerBalances, balanceKey(account, cur.Code))
	if v == nil {
		return Balance{Account: account, Amount: money.Zero(cur)}, nil
	}
	return decodeBalance(account, cur, v)
}

func decodeBalance(account string, cur money.Currency, v []byte) (Balance, error) {
	a, b, err := splitPair(v)
	if err != nil {
		return Balance{}, fmt.Errorf("balance %s %s: %w", account, cur.Code, err)
	}
	amt, err := money.ParseStored(cur, a)
	if err != nil {
		return Balance{}, fmt.Errorf("balance %s %s: %w", account, cur.Code, err)
	}
	n, err := strconv.ParseUint(b, 10, 64)
	if err != nil {
		return Balance{}, fmt.Errorf("balance %s %s: %w", account, cur.Code, err)
	}
	return Balance{Account: account, Amount: amt, Postings: n}, nil
}

// BalanceAt is the balance of account in cur as of the instant at: the sum of
// every posting whose transaction took effect at or before at. It is one
// cursor seek in the history index, not a replay. ok is false when the account
// had no posting in cur by then.
func (tx *Tx) BalanceAt(account string, cur money.Currency, at time.Time) (money.Amount, bool, error) {
	prefix := historyPrefix(account, cur.Code)
	c := tx.Cursor(LedgerHistory)
	var k, v []byte
	if at.Before(time.Unix(0, 0)) {
		return money.Zero(cur), false, nil
	}
	seek := historyKey(prefix, at, ^uint64(0))
	if k, _ = c.Seek(seek); k == nil {
		k, v = c.Last()
	} else if bytes.Equal(k, seek) {
		v = tx.Get(LedgerHistory, k)
	} else {
		k, v = c.Prev()
	}
	if k == nil || !bytes.HasPrefix(k, prefix) {
		return money.Zero(cur), false, nil
	}
	_, r, err := splitPair(v)
	if err != nil {
		return money.Amount{}, false, fmt.Errorf("history %s %s: %w", account, cur.Code, err)
	}
	amt, err := money.ParseStored(cur, r)
	if err != nil {
		return money.Amount{}, false, fmt.Errorf("history %s %s: %w", account, cur.Code, err)
	}
	return amt, true, nil
}

// BalanceFilter selects balances. Account matches that account and every
// account below it in the colon path ("seized" matches "seized:case:7").
type BalanceFilter struct {
	Account  string
	Currency string
	AsOf     *time.Time // nil for current balances
	After    []byte     // resume after this key (from a previous page's Next)
	Limit    int
	// Sees, when set, says whether the caller may see an account; the
	// others are left out of the page (a caller limited to some circles).
	Sees func(account string) (bool, error)
}

// BalancePage is one page of balances, in account then currency order.
type BalancePage struct {
	Balances []Balance
	Next     []byte // key to resume after; nil on the last page
}

// Balances lists balances matching f. Zero balances are listed: an account
// that held an item and released it shows that it did.
func (tx *Tx) Balances(f BalanceFilter) (BalancePage, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	var page BalancePage
	c := tx.Cursor(LedgerBalances)
	var k, v []byte
	switch {
	case f.After != nil:
		k, v = c.Seek(f.After)
		if bytes.Equal(k, f.After) {
			k, v = c.Next()
		}
	case f.Account != "":
		k, v = c.Seek([]byte(f.Account))
	default:
		k, v = c.First()
	}
	for ; k != nil; k, v = c.Next() {
		account, code, ok := splitBalanceKey(k)
		if !ok {
			return page, fmt.Errorf("malformed balance key %q", k)
		}
		if f.Account != "" {
			if !strings.HasPrefix(account, f.Account) {
				break
			}
			if account != f.Account && !strings.HasPrefix(account, f.Account+":") {
				continue
			}
		}
		if f.Currency != "" && code != f.Currency {
			continue
		}
		if f.Sees != nil {
			ok, err := f.Sees(account)
			if err != nil {
				return page, fmt.Errorf("balance of %s: %w", account, err)
			}
			if !ok {
				continue
			}
		}
		cur, err := money.Lookup(code)
		if err != nil {
			return page, fmt.Errorf("balance key %q: %w", k, err)
		}
		var b Balance
		if f.AsOf != nil {
			amt, held, err := tx.BalanceAt(account, cur, *f.AsOf)
			if err != nil {
				return page, err
			}
			if !held {
				continue
			}
			b = Balance{Account: account, Amount: amt}
		} else if b, err = decodeBalance(account, cur, v); err != nil {
			return page, err
		}
		if len(page.Balances) == f.Limit {
			page.Next = bytes.Clone(balanceKey(page.Balances[len(page.Balances)-1].Account, page.Balances[len(page.Balances)-1].Amount.Currency().Code))
			return page, nil
		}
		page.Balances = append(page.Balances, b)
	}
	return page, nil
}

// ForEachBalanceAt calls fn, in account then currency order, with the balance
// as of at of every account that matches account (itself and the accounts
// below it) and had a posting by then. It walks the history index forward
// once, so valuing many accounts costs one pass rather than a seek each.
func (tx *Tx) ForEachBalanceAt(account string, at time.Time, fn func(b Balance) error) error {
	limit := nanos(at)
	c := tx.Cursor(LedgerHistory)
	var (
		prefix []byte // account 0 currency 0 of the group being read
		last   []byte // value of its last entry at or before at
	)
	emit := func() error {
		if last == nil {
			return nil
		}
		acct, code, _ := splitBalanceKey(prefix[:len(prefix)-1])
		cur, err := money.Lookup(code)
		if err != nil {
			return fmt.Errorf("history %s %s: %w", acct, code, err)
		}
		_, r, err := splitPair(last)
		if err != nil {
			return fmt.Errorf("history %s %s: %w", acct, code, err)
		}
		amt, err := money.ParseStored(cur, r)
		if err != nil {
			return fmt.Errorf("history %s %s: %w", acct, code, err)
		}
		return fn(Balance{Account: acct, Amount: amt})
	}
	for k, v := c.Seek([]byte(account)); k != nil; k, v = c.Next() {
		if len(k) < 18 {
			return fmt.Errorf("malformed history key %x", k)
		}
		p := k[:len(k)-16]
		acct, _, _ := splitBalanceKey(p[:len(p)-1])
		if !strings.HasPrefix(acct, account) {
			break
		}
		if acct != account && !strings.HasPrefix(acct, account+":") {
			continue
		}
		if !bytes.Equal(p, prefix) {
			if err := emit(); err != nil {
				return err
			}
			prefix, last = bytes.Clone(p), nil
		}
		if binary.BigEndian.Uint64(k[len(k)-16:]) <= limit {
			last = v
		}
	}
	return emit()
}
