package finance

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/money"
	"github.com/amanat-ledger/amanat/ledger/text"
)

// ItemRef is what finance needs to know of an evidence item: the case it
// belongs to, the circle that owns the case, where the item is kept, when it
// was seized, what kind of item it is and whether its custody has ended.
type ItemRef struct {
	ID       string
	CaseID   string
	Circle   string
	Location string
	SeizedAt time.Time
	// Kind is KindCash or KindWallet; "" when the register does not say,
	// and then no currency is refused for the item's kind.
	Kind string
	// Ended names the custody event that ended the item's custody
	// (converted, forfeited, returned, destroyed, written_off); "" while
	// the item is in custody.
	Ended string
}

// Item kinds, as the evidence register names them. A cash item holds
// banknotes, so only fiat currencies; a wallet holds only crypto assets.
const (
	KindCash   = "cash"
	KindWallet = "wallet"
)

// kindRefuses says why an item of kind may not hold cur, or "" when it may.
func kindRefuses(kind string, cur money.Currency) string {
	switch {
	case kind == KindCash && cur.Crypto:
		return fmt.Sprintf("a cash item cannot hold %s, a crypto asset", cur.Code)
	case kind == KindWallet && !cur.Crypto:
		return fmt.Sprintf("a wallet item cannot hold %s, a fiat currency", cur.Code)
	}
	return ""
}

// ItemDirectory answers for the evidence register (package chain/evidence and
// the custody log). Item returns an *ledger.Error with ENotFound for an
// unknown item.
type ItemDirectory interface {
	Item(tx *ledger.Tx, id string) (ItemRef, error)
	Items(tx *ledger.Tx) ([]ItemRef, error)
}

// ItemLocator is an ItemDirectory that can also say where an item was at a
// past instant; valuation by location as of a past date uses it, so an item
// counts where it was then, not where it is now.
type ItemLocator interface {
	LocationAt(tx *ledger.Tx, id string, at time.Time) (string, error)
}

// ConversionEvent is the custody side of a conversion: the item left custody
// by liquidation in ledger transaction TxnID.
type ConversionEvent struct {
	ItemID       string
	At           time.Time
	Actor        string
	ApprovedBy   string // the supervisor who approved it (two-person rule), "" when none
	Sold         []money.Amount
	ProceedsPKR  money.Amount
	AtParPKR     money.Amount // the item's own PKR, moved to the proceeds at par; zero when none
	Counterparty string
	Reference    string
	TxnID        uint64
	CourtOrderID uint64 // the sale order it carries out, 0 when none was named
}

// CustodyRecorder appends the `converted` custody entry for a conversion in
// the same transaction and returns its reference (the entry's sequence
// number). The custody log implements it; it refuses an event the item's
// state does not allow.
type CustodyRecorder interface {
	RecordConversion(tx *ledger.Tx, ev ConversionEvent) (entry string, err error)
}

// Config configures a Service.
type Config struct {
	// SourcePreference ranks rate sources, most preferred first. When two
	// rates of a currency take effect on the same date the better-ranked
	// source is in force; unlisted sources rank after every listed one.
	// Default DefaultSourcePreference.
	SourcePreference []string
	// Items maps items to cases, circles and locations. Valuation by case,
	// circle or location, conversions and reconciliations need it.
	Items ItemDirectory
	// Custody records the custody entry of a conversion.
	Custody CustodyRecorder
	// Records, when set, logs each rate in the custody log (rates.go).
	Records RecordLog
	// StaleRateDays is the age in days past which a rate is stale: a
	// valuation row priced at an older rate says so (stale_rate). Default
	// DefaultStaleRateDays.
	StaleRateDays int
}

// DefaultStaleRateDays is how old a rate may be before it is stale.
const DefaultStaleRateDays = 7

// DefaultSourcePreference puts the central bank's interbank rate first, then
// its weighted-average rate, a court-ordered rate, then exchange closes.
var DefaultSourcePreference = []string{"sbp-interbank", "sbp-weighted-average", "court-order", "exchange-close"}

// Service is the finance desk over one store.
type Service struct {
	pref    map[string]int
	items   ItemDirectory
	custody CustodyRecorder
	records RecordLog
	// staleDays is Config.StaleRateDays.
	staleDays int
	// scoped says the desk sees only the items of items (Within).
	scoped bool
}

// New makes a Service.
func New(cfg Config) *Service {
	if cfg.SourcePreference == nil {
		cfg.SourcePreference = DefaultSourcePreference
	}
	if cfg.StaleRateDays <= 0 {
		cfg.StaleRateDays = DefaultStaleRateDays
	}
	s := &Service{pref: map[string]int{}, items: cfg.Items, custody: cfg.Custody, records: cfg.Records, staleDays: cfg.StaleRateDays}
	for i, src := range cfg.SourcePreference {
		if _, dup := s.pref[src]; !dup {
			s.pref[src] = i
		}
	}
	return s
}

func (s *Service) rank(source string) int {
	if r, ok := s.pref[source]; ok {
		return r
	}
	return len(s.pref)
}

const dateLayout = "2006-01-02"

// ParseDate reads a calendar date written YYYY-MM-DD, as midnight UTC.
func ParseDate(text string) (time.Time, error) {
	if len(text) != len(dateLayout) {
		return time.Time{}, fmt.Errorf("%q is not a date in the form YYYY-MM-DD", text)
	}
	d, err := time.Parse(dateLayout, text)
	if err != nil || d.Format(dateLayout) != text {
		return time.Time{}, fmt.Errorf("%q is not a date in the form YYYY-MM-DD", text)
	}
	if d.Year() < 1970 {
		return time.Time{}, fmt.Errorf("%q is before 1970", text)
	}
	return d, nil
}

// FormatDate writes t's UTC calendar date as YYYY-MM-DD.
func FormatDate(t time.Time) string { return t.UTC().Format(dateLayout) }

// EndOfDay is the last instant of d's UTC date: holdings "as of a date" are
// those at the end of it.
func EndOfDay(d time.Time) time.Time {
	y, m, day := d.UTC().Date()
	return time.Date(y, m, day+1, 0, 0, 0, 0, time.UTC).Add(-time.Nanosecond)
}

// Today is the UTC date of t.
func Today(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// CheckID says why text is not an id (a decimal uint64 greater than zero).
func CheckID(text string) error {
	if text == "" {
		return fmt.Errorf("is required")
	}
	n, err := strconv.ParseUint(text, 10, 64)
	if err != nil || n == 0 || strconv.FormatUint(n, 10) != text {
		return fmt.Errorf("%q is not an id (a decimal number greater than zero)", text)
	}
	return nil
}

// Accounts of the chart used by finance.
func custodyAccount(item string) string    { return ledger.ItemAccountOf("custody", item) }
func conversionAccount(item string) string { return ledger.ItemAccountOf("conversion", item) }
func varianceAccount(item string) string   { return ledger.ItemAccountOf("variance", item) }
func proceedsAccount(caseID string) string { return ledger.CaseAccountOf("proceeds", caseID) }

var (
	itemPrefix = custodyAccount("")
	bondPrefix = ledger.ItemAccountOf("superdari", "") // out on a bond (superdari)
)

const (
	feesAccount  = "fees:conversion"
	gainsAccount = "gains:conversion"
)

// recordVersion is the version byte of finance's stored records (rates,
// conversions, reconciliations), in the ledger's record format.
const recordVersion = 1

// lessID orders decimal ids numerically and other keys as text.
func lessID(a, b string) bool {
	an, aerr := strconv.ParseUint(a, 10, 64)
	bn, berr := strconv.ParseUint(b, 10, 64)
	if aerr == nil && berr == nil {
		return an < bn
	}
	if (aerr == nil) != (berr == nil) {
		return aerr == nil
	}
	return a < b
}

// cleanText trims free text and checks it with the one shared rule
// (text.Check: valid UTF-8, at most max bytes, no control character but
// those form allows, no wallet secret), so that nothing a finance write
// stores, logs or exports can carry a seed phrase or a private key.
func cleanText(p *ledger.Problems, field, s string, max int, form text.Form, required bool) string {
	// Judge the text as sent: trimming first would silently drop a
	// control character that strings.TrimSpace counts as space (U+0085,
	// a line break in a one-line field) instead of refusing it.
	if reason := text.Check(s, max, form); reason != "" {
		p.Add(field, reason)
		return s
	}
	s = strings.Trim(s, " ")
	if form == text.Block {
		s = strings.Trim(s, " \t\r\n")
	}
	if s == "" && required {
		p.Add(field, "is required")
	}
	return s
}
