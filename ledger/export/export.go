package export

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/finance"
	"github.com/amanat-ledger/amanat/ledger/money"
)

// Options select what is exported.
type Options struct {
	// AsOf, when set, limits the export to transactions that took effect by
	// the end of that date (UTC) and rates effective on or before it.
	AsOf time.Time
	// Rates supplies the P directives of the journal; nil for none.
	Rates *finance.Service
}

func (o Options) cutoff() (time.Time, bool) {
	if o.AsOf.IsZero() {
		return time.Time{}, false
	}
	return finance.EndOfDay(o.AsOf), true
}

// Symbol writes a commodity symbol as hledger and ledger read it: a symbol of
// letters only stands bare, anything else (digits, spaces, signs) is quoted.
func Symbol(code string) string {
	for i := 0; i < len(code); i++ {
		c := code[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return strconv.Quote(code)
		}
	}
	return code
}

// commodityDirective declares a currency with its scale so that both tools
// show every amount at exactly that many places. hledger wants a decimal
// point in a format ("1." for none), ledger refuses "1."; a currency with no
// decimal places is therefore declared without a format, and both tools then
// show its whole numbers as written.
func commodityDirective(w *bufio.Writer, cur money.Currency) {
	sym := Symbol(cur.Code)
	w.WriteString("commodity ")
	w.WriteString(sym)
	w.WriteByte('\n')
	if cur.Scale > 0 {
		w.WriteString("    format 1.")
		w.WriteString(strings.Repeat("0", int(cur.Scale)))
		w.WriteByte(' ')
		w.WriteString(sym)
		w.WriteByte('\n')
	}
}

// description makes a memo safe for a transaction's first line: no line
// breaks, no ';' (which starts a comment in both tools).
func description(t *ledger.Transaction) string {
	if t.Memo == "" {
		return "transaction " + strconv.FormatUint(t.ID, 10)
	}
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		switch {
		case r == ';':
			return ','
		case r < 0x20 || r == 0x7f:
			return ' '
		}
		return r
	}, t.Memo))
}

// Journal writes the books in the plain-text format of hledger and ledger:
// commodity declarations with each currency's scale, account declarations, P
// directives for the rates in force from each rate date, and every
// transaction with its postings, in id order.
func Journal(tx *ledger.Tx, out io.Writer, opt Options) (postings int, err error) {
	cut, limited := opt.cutoff()
	accounts, curs, err := accountsAndCurrencies(tx)
	if err != nil {
		return 0, err
	}
	rates, err := journalRates(tx, opt, curs)
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriterSize(out, 64<<10)
	journalHeader(w, opt, curs, accounts, rates)
	buf := make([]byte, 0, 256)
	err = tx.ForEachTransaction(0, func(t ledger.Transaction) (bool, error) {
		if limited && t.Effective.After(cut) {
			return true, nil
		}
		buf = appendJournalEntry(buf[:0], &t)
		postings += len(t.Postings)
		_, err := w.Write(buf)
		return err == nil, err
	})
	if err != nil {
		return postings, err
	}
	return postings, w.Flush()
}

// accountsAndCurrencies is every account and currency the books ever held,
// from the balance index rather than a second pass over the transactions.
// An as-of export may so declare an account first used later: a declaration
// posts nothing.
func accountsAndCurrencies(tx *ledger.Tx) (map[string]bool, map[string]money.Currency, error) {
	accounts := map[string]bool{}
	curs := map[string]money.Currency{}
	f := ledger.BalanceFilter{Limit: 1000}
	for {
		page, err := tx.Balances(f)
		if err != nil {
			return nil, nil, err
		}
		for _, b := range page.Balances {
			accounts[b.Account] = true
			c := b.Amount.Currency()
			curs[c.Code] = c
		}
		if page.Next == nil {
			return accounts, curs, nil
		}
		f.After = page.Next
	}
}

// journalRates is the rate in force from each rate date the export covers;
// it adds each rate's currency, and PKR, to curs.
func journalRates(tx *ledger.Tx, opt Options, curs map[string]money.Currency) ([]finance.Rate, error) {
	if opt.Rates == nil {
		return nil, nil
	}
	var rates []finance.Rate
	upTo := time.Time{}
	if _, limited := opt.cutoff(); limited {
		upTo = opt.AsOf
	}
	err := opt.Rates.RatesByDate(tx, upTo, func(r finance.Rate) error {
		rates = append(rates, r)
		c, err := money.Lookup(r.Currency)
		if err != nil {
			return err
		}
		curs[c.Code] = c
		curs[money.PKR.Code] = money.PKR
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rates, nil
}

// journalHeader writes the journal's comments and its commodity, account
// and price directives, each kind in sorted order.
func journalHeader(w *bufio.Writer, opt Options, curs map[string]money.Currency, accounts map[string]bool, rates []finance.Rate) {
	w.WriteString("; Amanat journal export: read it with hledger -f FILE or ledger -f FILE\n")
	if _, limited := opt.cutoff(); limited {
		fmt.Fprintf(w, "; transactions that took effect by the end of %s (UTC), rates effective by then\n", finance.FormatDate(opt.AsOf))
	}
	w.WriteString("; transaction dates are the UTC dates on which they took effect\n\n")
	codes := make([]string, 0, len(curs))
	for c := range curs {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		commodityDirective(w, curs[c])
	}
	w.WriteByte('\n')
	names := make([]string, 0, len(accounts))
	for a := range accounts {
		names = append(names, a)
	}
	sort.Strings(names)
	for _, a := range names {
		w.WriteString("account ")
		w.WriteString(a)
		w.WriteByte('\n')
	}
	if len(rates) > 0 {
		w.WriteByte('\n')
		for _, r := range rates {
			// P DATE COMMODITY PRICE: PKR per one unit, the rate as entered.
			fmt.Fprintf(w, "P %s %s %s %s\n", r.Effective, Symbol(r.Currency), r.Text, Symbol(money.PKR.Code))
		}
	}
}

// appendJournalEntry appends t as a journal entry: its date, id and
// description, a comment with what the journal format has no place for, and
// its postings.
func appendJournalEntry(buf []byte, t *ledger.Transaction) []byte {
	buf = append(buf, '\n')
	buf = t.Effective.UTC().AppendFormat(buf, "2006-01-02")
	buf = append(buf, " * ("...)
	buf = strconv.AppendUint(buf, t.ID, 10)
	buf = append(buf, ") "...)
	buf = append(buf, description(t)...)
	buf = append(buf, "\n    ; txn="...)
	buf = strconv.AppendUint(buf, t.ID, 10)
	buf = append(buf, " effective="...)
	buf = t.Effective.UTC().AppendFormat(buf, time.RFC3339Nano)
	buf = append(buf, " actor="...)
	buf = strconv.AppendQuote(buf, t.Actor)
	if t.Reverses != 0 {
		buf = append(buf, " reverses="...)
		buf = strconv.AppendUint(buf, t.Reverses, 10)
	}
	for _, l := range t.Links {
		buf = append(buf, ' ')
		buf = append(buf, l.Kind...)
		buf = append(buf, '=')
		buf = strconv.AppendQuote(buf, l.Ref)
	}
	buf = append(buf, '\n')
	for _, p := range t.Postings {
		buf = append(buf, "    "...)
		buf = append(buf, p.Account...)
		buf = append(buf, "    "...)
		buf = append(buf, p.Amount.String()...)
		buf = append(buf, ' ')
		buf = append(buf, Symbol(p.Amount.Currency().Code)...)
		buf = append(buf, '\n')
	}
	return buf
}

// CSVHeader is the header row of the CSV export.
var CSVHeader = []string{"transaction_id", "effective", "recorded", "actor", "memo", "reverses", "links", "posting", "account", "currency", "amount"}

// CSV writes one row per posting, with a header row. Amounts are plain
// decimals at the currency's scale; times are RFC 3339 UTC; links are
// "kind=ref" joined by spaces.
func CSV(tx *ledger.Tx, out io.Writer, opt Options) (postings int, err error) {
	cut, limited := opt.cutoff()
	w := csv.NewWriter(out)
	if err := w.Write(CSVHeader); err != nil {
		return 0, err
	}
	row := make([]string, len(CSVHeader))
	err = tx.ForEachTransaction(0, func(t ledger.Transaction) (bool, error) {
		if limited && t.Effective.After(cut) {
			return true, nil
		}
		links := make([]string, len(t.Links))
		for i, l := range t.Links {
			links[i] = l.Kind + "=" + l.Ref
		}
		row[0] = strconv.FormatUint(t.ID, 10)
		row[1] = t.Effective.UTC().Format(time.RFC3339Nano)
		row[2] = t.Recorded.UTC().Format(time.RFC3339Nano)
		row[3] = t.Actor
		row[4] = t.Memo
		row[5] = ""
		if t.Reverses != 0 {
			row[5] = strconv.FormatUint(t.Reverses, 10)
		}
		row[6] = strings.Join(links, " ")
		for i, p := range t.Postings {
			row[7] = strconv.Itoa(i + 1)
			row[8] = p.Account
			row[9] = p.Amount.Currency().Code
			row[10] = p.Amount.String()
			if err := w.Write(row); err != nil {
				return false, err
			}
			postings++
		}
		return true, nil
	})
	if err != nil {
		return postings, err
	}
	w.Flush()
	return postings, w.Error()
}

// Balance is one non-zero balance of an account in a currency.
type Balance struct {
	Account  string
	Currency string
	Amount   string
}

// Balances are Amanat's own non-zero balances, current or as of the end of
// opt.AsOf, in account then currency order: what hledger's and ledger's
// balance reports of the journal must equal.
func Balances(tx *ledger.Tx, opt Options) ([]Balance, error) {
	f := ledger.BalanceFilter{Limit: 1000}
	if cut, limited := opt.cutoff(); limited {
		f.AsOf = &cut
	}
	var out []Balance
	for {
		page, err := tx.Balances(f)
		if err != nil {
			return nil, err
		}
		for _, b := range page.Balances {
			if !b.Amount.IsZero() {
				out = append(out, Balance{b.Account, b.Amount.Currency().Code, b.Amount.String()})
			}
		}
		if page.Next == nil {
			break
		}
		f.After = page.Next
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Account != out[j].Account {
			return out[i].Account < out[j].Account
		}
		return out[i].Currency < out[j].Currency
	})
	return out, nil
}

// WriteBalances writes balances one a line: account TAB currency TAB amount.
func WriteBalances(out io.Writer, bs []Balance) error {
	w := bufio.NewWriter(out)
	for _, b := range bs {
		w.WriteString(b.Account)
		w.WriteByte('\t')
		w.WriteString(b.Currency)
		w.WriteByte('\t')
		w.WriteString(b.Amount)
		w.WriteByte('\n')
	}
	return w.Flush()
}
