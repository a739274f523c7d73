package alerts

import (
	"fmt"
	"regexp"
	"sort"
	"time"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/chain/evidence"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/finance"
)

// Rules, as alerts name them.
const (
	RuleInTransit        = "in-transit-too-long"
	RuleNotDeposited     = "not-deposited"
	RuleCheckout         = "checkout-overdue"
	RuleNotCounted       = "not-counted"
	RuleStaleRate        = "stale-rate"
	RuleProductionDue    = "production-due"
	RuleProductionMissed = "production-missed"
)

// Limits are the deadlines the rules hold items and rates to. A zero field
// takes its default (WithDefaults).
type Limits struct {
	// InTransit is how long a transferred item may wait to be received.
	InTransit time.Duration
	// NotDeposited is how long a seized item may go without being stored
	// or received (deposited at a malkhana).
	NotDeposited time.Duration
	// CheckedOut is how long an item may stay checked out.
	CheckedOut time.Duration
	// NotCountedDays is how many days an item in custody may go without a
	// count of itself or of the location where it is.
	NotCountedDays int
	// StaleRateDays is the age in days past which a rate is stale.
	StaleRateDays int
	// ProductionNoticeDays is how many days before an order's produce-by
	// date the production-due alert opens.
	ProductionNoticeDays int
}

// Defaults of Limits.
const (
	DefaultInTransit      = 24 * time.Hour
	DefaultNotDeposited   = 24 * time.Hour
	DefaultCheckedOut     = 72 * time.Hour
	DefaultNotCountedDays = 90
	// DefaultProductionNoticeDays: a week's notice to bring an item (or
	// its superdar) before the court.
	DefaultProductionNoticeDays = 7
)

// WithDefaults fills every zero or negative limit with its default.
func (l Limits) WithDefaults() Limits {
	if l.InTransit <= 0 {
		l.InTransit = DefaultInTransit
	}
	if l.NotDeposited <= 0 {
		l.NotDeposited = DefaultNotDeposited
	}
	if l.CheckedOut <= 0 {
		l.CheckedOut = DefaultCheckedOut
	}
	if l.NotCountedDays <= 0 {
		l.NotCountedDays = DefaultNotCountedDays
	}
	if l.ProductionNoticeDays <= 0 {
		l.ProductionNoticeDays = DefaultProductionNoticeDays
	}
	if l.StaleRateDays <= 0 {
		l.StaleRateDays = finance.DefaultStaleRateDays
	}
	return l
}

// Alert is one open alert. Since is the instant the deadline passed.
type Alert struct {
	Rule     string    `json:"rule"`
	ItemID   uint64    `json:"item_id,omitempty"`
	Currency string    `json:"currency,omitempty"`
	Since    time.Time `json:"since"`
	Detail   string    `json:"detail"`
}

// key orders alerts (items by id, then currencies, each by rule) and is the
// cursor a page resumes after.
func (a Alert) key() string {
	return fmt.Sprintf("%020d/%s/%s", a.ItemID, a.Currency, a.Rule)
}

var keyRE = regexp.MustCompile(`^[0-9]{20}/[A-Z0-9]{0,12}/[a-z-]{1,40}$`)

// IsKey reports whether after is a key List gave out as next.
func IsKey(after string) bool { return keyRE.MatchString(after) }

// Source is a further set of alerts from another part of the register (the
// production deadlines of court orders, for one): it lists its open alerts
// as of tx.Now.
type Source func(tx *ledger.Tx) ([]Alert, error)

// Service computes alerts over one store.
type Service struct {
	limits  Limits
	reg     *evidence.Registry
	custody *chain.Custody
	fin     *finance.Service
	sources []Source
}

// New makes a Service. Extra sources are asked after the built-in rules.
func New(limits Limits, reg *evidence.Registry, custody *chain.Custody, fin *finance.Service, sources ...Source) *Service {
	return &Service{limits: limits.WithDefaults(), reg: reg, custody: custody, fin: fin, sources: sources}
}

// In is the alerts a caller sees who sees the register reg (a register
// limited to the caller's circles, evidence.Registry.In): those about items
// it sees, and the alerts about no item (a currency's rate), which name no
// case, item or amount.
func (s *Service) In(reg *evidence.Registry) *Service {
	c := *s
	c.reg = reg
	return &c
}

// Limits are the limits the service holds the store to.
func (s *Service) Limits() Limits { return s.limits }

// List answers the open alerts as of tx.Now in key order, at most limit of
// them after the key after ("" for the first page); next is the key to
// resume after, "" on the last page.
func (s *Service) List(tx *ledger.Tx, after string, limit int) (out []Alert, next string, err error) {
	all, err := s.All(tx)
	if err != nil {
		return nil, "", err
	}
	i := sort.Search(len(all), func(i int) bool { return all[i].key() > after })
	out = all[i:]
	if limit > 0 && len(out) > limit {
		out = out[:limit]
		next = out[limit-1].key()
	}
	return out, next, nil
}

// All is every open alert as of tx.Now, in key order.
func (s *Service) All(tx *ledger.Tx) ([]Alert, error) {
	now := tx.Now
	counts, err := s.fin.LastCounts(tx)
	if err != nil {
		return nil, err
	}
	var out []Alert
	err = s.reg.ForEachItem(tx, func(it evidence.Item) (bool, error) {
		as, err := s.itemAlerts(tx, it, counts, now)
		out = append(out, as...)
		return true, err
	})
	if err != nil {
		return nil, err
	}
	rates, err := s.rateAlerts(tx, now)
	if err != nil {
		return nil, err
	}
	out = append(out, rates...)
	prod, err := s.productionAlerts(tx, now)
	if err != nil {
		return nil, err
	}
	out = append(out, prod...)
	for _, src := range s.sources {
		more, err := src(tx)
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	}
	if out, err = s.visible(tx, out); err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].key() < out[j].key() })
	return out, nil
}

// visible keeps the alerts the caller sees (In): whatever rule or source
// raised an alert about an item, it is dropped unless the caller sees the
// item.
func (s *Service) visible(tx *ledger.Tx, all []Alert) ([]Alert, error) {
	if !s.reg.Scoped() {
		return all, nil
	}
	out := all[:0]
	for _, a := range all {
		if a.ItemID != 0 {
			ok, err := s.reg.SeesItem(tx, a.ItemID)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
		}
		out = append(out, a)
	}
	return out, nil
}
