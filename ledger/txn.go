package ledger

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/amanat-ledger/amanat/ledger/money"
)

// Transaction is one balanced movement of the books. Once committed it is
// never changed; a correction is a new transaction that Reverses it.
type Transaction struct {
	ID        uint64    // assigned on commit, from 1 without gaps
	Effective time.Time // when the movement happened (a seizure's time); as-of reads use it
	Recorded  time.Time // when the store committed it
	Actor     string    // who asked for it: "role:token-name"
	Memo      string
	Reverses  uint64 // the transaction this one reverses, or 0
	Links     []Link
	Postings  []Posting
}

// Link ties a transaction to a record outside the ledger: a case, an item, a
// custody entry, a rate.
type Link struct {
	Kind string // lower-case word: "case", "item", "custody", ...
	Ref  string
}

// Posting moves an amount into (positive) or out of (negative) an account.
type Posting struct {
	Account string
	Amount  money.Amount
}

// ChartRoots are the top-level accounts of the chart (docs/ledger.md says
// what each holds). A posting to any other root is refused, so a typo cannot
// open a new branch of the books.
var ChartRoots = map[string]bool{
	"custody":    true, // what the agency holds, per item
	"superdari":  true, // what is out on a bond (superdari), per item
	"seized":     true, // the trust owed for each case
	"conversion": true, // clearing for liquidations
	"proceeds":   true, // PKR received from conversions, per case
	"fees":       true, // costs of conversion
	"gains":      true, // realised difference of a conversion against valuation
	"variance":   true, // differences found by reconciliation
	"forfeited":  true, // released to the state by court order
	"returned":   true, // released to the owner by court order
	"disposed":   true, // destroyed or written off
}

// validAccountSyntax matches ^[a-z0-9][a-z0-9_.-]*(:[a-z0-9][a-z0-9_.-]*)*$
// by hand: it runs for every posting.
func validAccountSyntax(name string) bool {
	segStart := true
	for i := 0; i < len(name); i++ {
		ch := name[i]
		switch {
		case ch >= 'a' && ch <= 'z', ch >= '0' && ch <= '9':
			segStart = false
		case ch == '_' || ch == '.' || ch == '-':
			if segStart {
				return false
			}
		case ch == ':':
			if segStart {
				return false
			}
			segStart = true
		default:
			return false
		}
	}
	return !segStart
}

const maxAccountLen = 200

// CheckAccount says why name is not an account of the chart, or nil.
func CheckAccount(name string) error {
	if name == "" {
		return fmt.Errorf("account is empty")
	}
	if len(name) > maxAccountLen {
		return fmt.Errorf("account is longer than %d characters", maxAccountLen)
	}
	if !validAccountSyntax(name) {
		return fmt.Errorf("account %q must be colon-separated segments of a-z, 0-9, '_', '.', '-' starting with a letter or digit", name)
	}
	root, _, _ := strings.Cut(name, ":")
	if !ChartRoots[root] {
		return fmt.Errorf("account %q is not in the chart of accounts (roots: %s)", name, strings.Join(sortedRoots(), ", "))
	}
	return nil
}

func sortedRoots() []string {
	out := make([]string, 0, len(ChartRoots))
	for r := range ChartRoots {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

var linkKindRE = regexp.MustCompile(`^[a-z][a-z_]{0,31}$`)

// Check is check for callers outside the store that read a transaction
// from its canonical bytes, such as the offline check of a court bundle:
// the rules Post enforces before it looks at the store.
func (t *Transaction) Check() error { return t.check() }

// check validates everything about t that does not need the store: at least
// two postings, known accounts, non-zero amounts within money.MaxPostingDigits,
// and a zero sum per currency.
// It names the field at fault as seen from a caller ("postings[2].amount").
func (t *Transaction) check() error {
	var p Problems
	if t.Effective.IsZero() {
		p.Add("effective", "is required")
	} else if t.Effective.Before(time.Unix(0, 0)) {
		p.Add("effective", "is before 1970")
	}
	if t.Actor == "" {
		p.Add("actor", "is required")
	}
	if len(t.Memo) > 4096 {
		p.Add("memo", "is longer than 4096 bytes")
	}
	for i, l := range t.Links {
		if !linkKindRE.MatchString(l.Kind) {
			p.Addf(fmt.Sprintf("links[%d].kind", i), "%q must be a lower-case word", l.Kind)
		}
		if l.Ref == "" || len(l.Ref) > 200 {
			p.Add(fmt.Sprintf("links[%d].ref", i), "must be 1 to 200 bytes")
		}
	}
	if len(t.Postings) < 2 {
		p.Add("postings", "a transaction needs at least two postings")
	}
	// Per-currency sums in a small slice: a transaction holds one or two
	// currencies, and this runs for every stored transaction in verify.
	type sum struct {
		cur money.Currency
		val decimal.Decimal
	}
	var sums []sum
	for i, ps := range t.Postings {
		if err := CheckAccount(ps.Account); err != nil {
			p.Add(fmt.Sprintf("postings[%d].account", i), err.Error())
		}
		cur := ps.Amount.Currency()
		if cur.Code == "" {
			p.Add(fmt.Sprintf("postings[%d].amount", i), "has no currency")
			continue
		}
		if ps.Amount.IsZero() {
			p.Add(fmt.Sprintf("postings[%d].amount", i), "must not be zero")
		} else if err := ps.Amount.CheckPosting(); err != nil {
			// The bound keeps every balance readable by money.ParseStored,
			// whoever builds the transaction.
			p.Add(fmt.Sprintf("postings[%d].amount", i), err.Error())
		}
		j := 0
		for j < len(sums) && sums[j].cur.Code != cur.Code {
			j++
		}
		if j == len(sums) {
			sums = append(sums, sum{cur: cur})
		}
		sums[j].val = sums[j].val.Add(ps.Amount.Decimal())
	}
	for _, s := range sums {
		if !s.val.IsZero() {
			p.Addf("postings", "%s postings sum to %s, not zero", s.cur.Code, s.val.StringFixed(s.cur.Scale))
		}
	}
	return p.Err()
}

// Canonical is the transaction's stored form and its leaf in the tamper-evident
// log: UTF-8 text, one field a line, in a fixed order, free text quoted with
// strconv.Quote, amounts at their currency's scale. docs/ledger.md gives the
// grammar. The same transaction always gives the same bytes.
func (t *Transaction) Canonical() []byte {
	return t.appendCanonical(make([]byte, 0, 192+64*len(t.Postings)))
}

// canonBufs holds scratch buffers for the canonical check of DecodeTransaction.
var canonBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

func (t *Transaction) appendCanonical(b []byte) []byte {
	b = append(b, "amanat-txn/1\nid "...)
	b = strconv.AppendUint(b, t.ID, 10)
	b = append(b, "\neffective "...)
	b = t.Effective.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, "\nrecorded "...)
	b = t.Recorded.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, "\nactor "...)
	b = strconv.AppendQuote(b, t.Actor)
	b = append(b, "\nmemo "...)
	b = strconv.AppendQuote(b, t.Memo)
	b = append(b, '\n')
	if t.Reverses != 0 {
		b = append(b, "reverses "...)
		b = strconv.AppendUint(b, t.Reverses, 10)
		b = append(b, '\n')
	}
	for _, l := range t.Links {
		b = append(b, "link "...)
		b = append(b, l.Kind...)
		b = append(b, ' ')
		b = strconv.AppendQuote(b, l.Ref)
		b = append(b, '\n')
	}
	for _, ps := range t.Postings {
		b = append(b, "posting "...)
		b = append(b, ps.Account...)
		b = append(b, ' ')
		b = append(b, ps.Amount.Currency().Code...)
		b = append(b, ' ')
		b = ps.Amount.Append(b)
		b = append(b, '\n')
	}
	return b
}

// DecodeTransaction reads the canonical form. It is strict: the bytes must be
// exactly what Canonical would write for the result.
func DecodeTransaction(data []byte) (Transaction, error) {
	var t Transaction
	if len(data) == 0 || data[len(data)-1] != '\n' {
		return t, fmt.Errorf("record does not end in a newline")
	}
	// One string for the whole record: every field below is a substring of
	// it, not a copy.
	text := string(data)
	head, rest, _ := strings.Cut(text, "\n")
	if head != "amanat-txn/1" {
		return t, fmt.Errorf("unknown record format %q", head)
	}
	for n := 0; rest != ""; n++ {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		key, val, ok := strings.Cut(line, " ")
		if !ok {
			return t, fmt.Errorf("line %d: no value", n+2)
		}
		var err error
		switch key {
		case "id":
			t.ID, err = strconv.ParseUint(val, 10, 64)
		case "effective":
			t.Effective, err = time.Parse(time.RFC3339Nano, val)
		case "recorded":
			t.Recorded, err = time.Parse(time.RFC3339Nano, val)
		case "actor":
			t.Actor, err = strconv.Unquote(val)
		case "memo":
			t.Memo, err = strconv.Unquote(val)
		case "reverses":
			t.Reverses, err = strconv.ParseUint(val, 10, 64)
		case "link":
			kind, ref, ok := strings.Cut(val, " ")
			if !ok {
				return t, fmt.Errorf("line %d: link without a reference", n+2)
			}
			var l Link
			l.Kind = kind
			l.Ref, err = strconv.Unquote(ref)
			t.Links = append(t.Links, l)
		case "posting":
			account, rest2, ok1 := strings.Cut(val, " ")
			code, amount, ok2 := strings.Cut(rest2, " ")
			if !ok1 || !ok2 {
				return t, fmt.Errorf("line %d: posting needs account, currency and amount", n+2)
			}
			var cur money.Currency
			cur, err = money.Lookup(code)
			if err == nil {
				var a money.Amount
				a, err = money.ParseStored(cur, amount)
				t.Postings = append(t.Postings, Posting{Account: account, Amount: a})
			}
		default:
			return t, fmt.Errorf("line %d: unknown field %q", n+2, key)
		}
		if err != nil {
			return t, fmt.Errorf("line %d (%s): %w", n+2, key, err)
		}
	}
	t.Effective, t.Recorded = t.Effective.UTC(), t.Recorded.UTC()
	buf := canonBufs.Get().(*[]byte)
	*buf = t.appendCanonical((*buf)[:0])
	same := bytes.Equal(*buf, data)
	canonBufs.Put(buf)
	if !same {
		return t, fmt.Errorf("record is not in canonical form")
	}
	return t, nil
}
