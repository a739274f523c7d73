package finance

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/money"
)

// Groupings of a valuation.
const (
	ByCurrency = "currency"
	ByCase     = "case"
	ByCircle   = "circle"
	ByLocation = "location"
)

// Unknown is the group key of an item the directory does not know.
const Unknown = "unknown"

// Priced is an amount converted to PKR at the rate in force on a date, or
// marked missing when no rate was in force: never zero for want of a rate.
type Priced struct {
	Amount        string  `json:"amount"`
	Rate          *string `json:"rate"`
	RateEffective *string `json:"rate_effective"`
	RateSource    *string `json:"rate_source"`
	PKR           *string `json:"pkr"`
	MissingRate   bool    `json:"missing_rate"`
	// RateAgeDays is how many days before the valuation date the rate took
	// effect (null when missing); StaleRate is true when that is more than
	// the configured age (Config.StaleRateDays): the books then value the
	// holding at a rate nobody has confirmed for a while.
	RateAgeDays *int `json:"rate_age_days"`
	StaleRate   bool `json:"stale_rate"`

	pkr money.Amount
}

// ValuationRow is the holding of one currency in one group.
type ValuationRow struct {
	CaseID   string `json:"case_id,omitempty"`
	Circle   string `json:"circle,omitempty"`
	Location string `json:"location,omitempty"`
	Currency string `json:"currency"`
	Items    int    `json:"items"`
	Priced
}

// Valuation is the answer to "what were the holdings worth in PKR at the end
// of a date".
type Valuation struct {
	AsOf     string         `json:"as_of"`
	GroupBy  string         `json:"group_by"`
	Rows     []ValuationRow `json:"rows"`
	TotalPKR string         `json:"total_pkr"`
	// Complete is false when some currency had no rate: TotalPKR then
	// excludes those rows, and Note and MissingRates say which.
	Complete     bool     `json:"complete"`
	MissingRates []string `json:"missing_rates"`
	Note         string   `json:"note,omitempty"`
}

// rateCache remembers the rate in force per currency for one date.
type rateCache struct {
	s    *Service
	tx   *ledger.Tx
	on   time.Time
	memo map[string]*Rate
}

func (s *Service) newRateCache(tx *ledger.Tx, on time.Time) *rateCache {
	return &rateCache{s: s, tx: tx, on: on, memo: map[string]*Rate{}}
}

func (c *rateCache) get(cur string) (*Rate, error) {
	if r, seen := c.memo[cur]; seen {
		return r, nil
	}
	var rp *Rate
	if cur == money.PKR.Code {
		rp = &Rate{Currency: cur, Text: "1", Value: decimal.NewFromInt(1), Effective: FormatDate(c.on), Source: "par"}
	} else {
		r, ok, err := c.s.RateInForce(c.tx, cur, c.on, "")
		if err != nil {
			return nil, err
		}
		if ok {
			rp = &r
		}
	}
	c.memo[cur] = rp
	return rp, nil
}

// RateAgeDays is the number of whole days from a rate's effective date
// (YYYY-MM-DD) to the date of on: 0 for a rate of that very day.
func RateAgeDays(effective string, on time.Time) (int, error) {
	eff, err := ParseDate(effective)
	if err != nil {
		return 0, err
	}
	return int(Today(on).Sub(eff).Hours() / 24), nil
}

// price converts amt at the rate in force: amount × rate rounded to 0.01 PKR
// half away from zero.
func (c *rateCache) price(amt money.Amount) (Priced, error) {
	p := Priced{Amount: amt.String()}
	r, err := c.get(amt.Currency().Code)
	if err != nil {
		return p, err
	}
	if r == nil {
		p.MissingRate = true
		return p, nil
	}
	p.pkr = amt.ToPKR(r.Value)
	text, eff, src, pkr := r.Text, r.Effective, r.Source, p.pkr.String()
	p.Rate, p.RateEffective, p.RateSource, p.PKR = &text, &eff, &src, &pkr
	age, err := RateAgeDays(r.Effective, c.on)
	if err != nil {
		return p, fmt.Errorf("rate %d of %s: %w", r.ID, r.Currency, err)
	}
	p.RateAgeDays, p.StaleRate = &age, age > c.s.staleDays
	return p, nil
}

// holdings calls fn with every non-zero holding of every custody:item account,
// and of every superdari:item account (what is out on a bond is still the
// case's, under the court's control, so it is valued), as of the instant at. When at lies beyond anything that can have been
// posted yet (the ledger refuses effective times more than a minute ahead),
// the current balances are the as-of balances and are read directly.
func holdings(tx *ledger.Tx, at time.Time, fn func(item string, amt money.Amount) error) error {
	visit := func(b ledger.Balance) error {
		if b.Amount.IsZero() {
			return nil
		}
		item, ok := strings.CutPrefix(b.Account, itemPrefix)
		if !ok {
			item, ok = strings.CutPrefix(b.Account, bondPrefix)
		}
		if !ok || strings.Contains(item, ":") {
			return nil
		}
		return fn(item, b.Amount)
	}
	for _, root := range []string{"custody:item", "superdari:item"} {
		if err := rootHoldings(tx, root, at, visit); err != nil {
			return err
		}
	}
	return nil
}

// rootHoldings calls visit with every balance below root as of at.
func rootHoldings(tx *ledger.Tx, root string, at time.Time, visit func(ledger.Balance) error) error {
	if !at.After(tx.Now.Add(2 * time.Minute)) {
		// One forward pass over the history index beats a seek per account.
		return tx.ForEachBalanceAt(root, at, visit)
	}
	f := ledger.BalanceFilter{Account: root, Limit: 1000}
	for {
		page, err := tx.Balances(f)
		if err != nil {
			return err
		}
		for _, b := range page.Balances {
			if err := visit(b); err != nil {
				return err
			}
		}
		if page.Next == nil {
			return nil
		}
		f.After = page.Next
	}
}

// CheckGroupBy says why g is not a grouping.
func CheckGroupBy(g string) error {
	switch g {
	case ByCurrency, ByCase, ByCircle, ByLocation:
		return nil
	}
	return fmt.Errorf("%q is not one of currency, case, circle, location", g)
}

// Value values every holding in custody at the end of date asOf (UTC) at the
// rates in force on that date, one row per group and currency. Each row is
// rounded on its own; TotalPKR is the exact sum of the rounded rows that have
// a rate.
func (s *Service) Value(tx *ledger.Tx, asOf time.Time, groupBy string) (Valuation, error) {
	if groupBy == "" {
		groupBy = ByCurrency
	}
	if err := CheckGroupBy(groupBy); err != nil {
		return Valuation{}, ledger.FieldErr("group_by", err.Error())
	}
	dir, err := s.itemDirectory(tx, groupBy)
	if err != nil {
		return Valuation{}, err
	}
	sums, err := s.sumHoldings(tx, asOf, groupBy, dir)
	if err != nil {
		return Valuation{}, err
	}
	keys := make([]valueKey, 0, len(sums))
	for k := range sums {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].group != keys[j].group {
			return lessID(keys[i].group, keys[j].group)
		}
		return keys[i].cur < keys[j].cur
	})
	v := Valuation{AsOf: FormatDate(asOf), GroupBy: groupBy, Rows: make([]ValuationRow, 0, len(keys)), Complete: true, MissingRates: []string{}}
	rates := s.newRateCache(tx, asOf)
	total := money.Zero(money.PKR)
	missing := map[string]bool{}
	for _, k := range keys {
		row, err := valuationRow(k, sums[k], groupBy, rates)
		if err != nil {
			return Valuation{}, err
		}
		if row.MissingRate {
			if !missing[k.cur] {
				missing[k.cur] = true
				v.MissingRates = append(v.MissingRates, k.cur)
			}
		} else if total, err = total.Add(row.pkr); err != nil {
			return Valuation{}, err
		}
		v.Rows = append(v.Rows, row)
	}
	sort.Strings(v.MissingRates)
	v.TotalPKR = total.String()
	if len(v.MissingRates) > 0 {
		v.Complete = false
		v.Note = fmt.Sprintf("total_pkr excludes holdings in %s: no rate in force on or before %s", strings.Join(v.MissingRates, ", "), v.AsOf)
	}
	return v, nil
}

// valueKey is one row of a valuation: a group (case, circle, location, or
// "" by currency) and a currency.
type valueKey struct{ group, cur string }

// valueSum is what the items of one row hold together.
type valueSum struct {
	sum   decimal.Decimal
	cur   money.Currency
	items int
}

// itemDirectory is every item by id, when groupBy needs the register (nil
// by currency).
func (s *Service) itemDirectory(tx *ledger.Tx, groupBy string) (map[string]ItemRef, error) {
	if groupBy == ByCurrency && !s.scoped {
		return nil, nil
	}
	if s.items == nil {
		return nil, ledger.Errorf(ledger.EInternal, "valuation by %s needs the item directory, which is not configured", groupBy)
	}
	refs, err := s.items.Items(tx)
	if err != nil {
		return nil, fmt.Errorf("list items: %w", err)
	}
	dir := make(map[string]ItemRef, len(refs))
	for _, r := range refs {
		dir[r.ID] = r
	}
	return dir, nil
}

// sumHoldings adds up what every item held at the end of asOf, by row.
func (s *Service) sumHoldings(tx *ledger.Tx, asOf time.Time, groupBy string, dir map[string]ItemRef) (map[valueKey]*valueSum, error) {
	sums := map[valueKey]*valueSum{}
	at := EndOfDay(asOf)
	// Where an item was on the date, not where it is now; "now" reads the
	// current state the directory already gave.
	var locator ItemLocator
	if l, ok := s.items.(ItemLocator); ok && groupBy == ByLocation && !at.After(tx.Now) {
		locator = l
	}
	err := holdings(tx, at, func(item string, amt money.Amount) error {
		k := valueKey{cur: amt.Currency().Code}
		if dir != nil {
			ref, ok := dir[item]
			switch {
			case !ok && s.scoped:
				return nil // an item the caller does not see
			case groupBy == ByCurrency:
			case !ok:
				k.group = Unknown
			case groupBy == ByCase:
				k.group = ref.CaseID
			case groupBy == ByCircle:
				k.group = ref.Circle
			case groupBy == ByLocation && locator != nil:
				loc, err := locator.LocationAt(tx, item, at)
				if err != nil && ledger.ErrorCode(err) != ledger.ENotFound {
					return fmt.Errorf("location of item %s as of %s: %w", item, FormatDate(asOf), err)
				}
				k.group = loc
			case groupBy == ByLocation:
				k.group = ref.Location
			}
			if k.group == "" && groupBy != ByCurrency {
				k.group = Unknown
			}
		}
		a := sums[k]
		if a == nil {
			a = &valueSum{cur: amt.Currency()}
			sums[k] = a
		}
		a.sum = a.sum.Add(amt.Decimal())
		a.items++
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sums, nil
}

// valuationRow prices one row at the rates of the day.
func valuationRow(k valueKey, a *valueSum, groupBy string, rates *rateCache) (ValuationRow, error) {
	amt, err := money.New(a.cur, a.sum)
	if err != nil {
		return ValuationRow{}, fmt.Errorf("holding of %s: %w", k.cur, err)
	}
	p, err := rates.price(amt)
	if err != nil {
		return ValuationRow{}, err
	}
	row := ValuationRow{Currency: k.cur, Items: a.items, Priced: p}
	switch groupBy {
	case ByCase:
		row.CaseID = k.group
	case ByCircle:
		row.Circle = k.group
	case ByLocation:
		row.Location = k.group
	}
	return row, nil
}

// ItemValue sets an item's holding of one currency at the date of seizure
// beside its holding on the report date, each valued at the rate of its own
// date.
type ItemValue struct {
	ItemID    string  `json:"item_id"`
	CaseID    string  `json:"case_id"`
	Currency  string  `json:"currency"`
	SeizedOn  *string `json:"seized_on"`
	AtSeizure *Priced `json:"at_seizure"`
	Current   Priced  `json:"current"`
}

// CaseValue sums a case's item rows at each date. A sum leaves out rows
// without a rate and says so.
type CaseValue struct {
	CaseID           string `json:"case_id"`
	AtSeizurePKR     string `json:"at_seizure_pkr"`
	AtSeizureMissing bool   `json:"at_seizure_missing_rate"`
	CurrentPKR       string `json:"current_pkr"`
	CurrentMissing   bool   `json:"current_missing_rate"`
}

// SeizureComparison is the value of each item at its seizure and on AsOf.
type SeizureComparison struct {
	AsOf  string      `json:"as_of"`
	Items []ItemValue `json:"items"`
	Cases []CaseValue `json:"cases"`
}

// CompareSeizure values each item (of caseID, or of every case when it is
// empty) at the date of its seizure, at that date's rates, beside its value at
// the end of asOf at asOf's rates; and sums both per case.
func (s *Service) CompareSeizure(tx *ledger.Tx, asOf time.Time, caseID string) (SeizureComparison, error) {
	if s.items == nil {
		return SeizureComparison{}, ledger.Errorf(ledger.EInternal, "the item directory is not configured")
	}
	refs, err := s.items.Items(tx)
	if err != nil {
		return SeizureComparison{}, fmt.Errorf("list items: %w", err)
	}
	sort.Slice(refs, func(i, j int) bool { return lessID(refs[i].ID, refs[j].ID) })
	out := SeizureComparison{AsOf: FormatDate(asOf), Items: []ItemValue{}, Cases: []CaseValue{}}
	now := s.newRateCache(tx, asOf)
	byDate := map[string]*rateCache{}
	type caseSum struct {
		seized, current    money.Amount
		seizedMiss, curMis bool
	}
	cases := map[string]*caseSum{}
	var caseOrder []string
	end := EndOfDay(asOf)
	for _, ref := range refs {
		if caseID != "" && ref.CaseID != caseID {
			continue
		}
		cs := cases[ref.CaseID]
		if cs == nil {
			cs = &caseSum{seized: money.Zero(money.PKR), current: money.Zero(money.PKR)}
			cases[ref.CaseID] = cs
			caseOrder = append(caseOrder, ref.CaseID)
		}
		page, err := tx.Balances(ledger.BalanceFilter{Account: custodyAccount(ref.ID), Limit: 1000})
		if err != nil {
			return SeizureComparison{}, err
		}
		for _, b := range page.Balances {
			if b.Account != custodyAccount(ref.ID) {
				continue
			}
			cur := b.Amount.Currency()
			iv := ItemValue{ItemID: ref.ID, CaseID: ref.CaseID, Currency: cur.Code}
			held, _, err := tx.BalanceAt(b.Account, cur, end)
			if err != nil {
				return SeizureComparison{}, err
			}
			if iv.Current, err = now.price(held); err != nil {
				return SeizureComparison{}, err
			}
			if iv.Current.MissingRate {
				cs.curMis = true
			} else if cs.current, err = cs.current.Add(iv.Current.pkr); err != nil {
				return SeizureComparison{}, err
			}
			if !ref.SeizedAt.IsZero() && !ref.SeizedAt.After(end) {
				day := FormatDate(ref.SeizedAt)
				iv.SeizedOn = &day
				rc := byDate[day]
				if rc == nil {
					rc = s.newRateCache(tx, Today(ref.SeizedAt))
					byDate[day] = rc
				}
				seized, _, err := tx.BalanceAt(b.Account, cur, EndOfDay(ref.SeizedAt))
				if err != nil {
					return SeizureComparison{}, err
				}
				p, err := rc.price(seized)
				if err != nil {
					return SeizureComparison{}, err
				}
				iv.AtSeizure = &p
				if p.MissingRate {
					cs.seizedMiss = true
				} else if cs.seized, err = cs.seized.Add(p.pkr); err != nil {
					return SeizureComparison{}, err
				}
			}
			out.Items = append(out.Items, iv)
		}
	}
	sort.SliceStable(caseOrder, func(i, j int) bool { return lessID(caseOrder[i], caseOrder[j]) })
	for _, id := range caseOrder {
		cs := cases[id]
		out.Cases = append(out.Cases, CaseValue{CaseID: id, AtSeizurePKR: cs.seized.String(), AtSeizureMissing: cs.seizedMiss, CurrentPKR: cs.current.String(), CurrentMissing: cs.curMis})
	}
	return out, nil
}

// PriceHoldings values holdings (an item's or a case's) at the rates in force
// on the UTC date of asOf: each holding rounded on its own, the total their
// exact sum. total is nil when some holding has no rate; missing names those
// currencies. The evidence registry's case and item reads use it.
func (s *Service) PriceHoldings(tx *ledger.Tx, holdings []money.Amount, asOf time.Time) (total *money.Amount, missing []string, err error) {
	rates := s.newRateCache(tx, Today(asOf))
	sum := money.Zero(money.PKR)
	for _, h := range holdings {
		if h.IsZero() {
			continue
		}
		p, err := rates.price(h)
		if err != nil {
			return nil, nil, err
		}
		if p.MissingRate {
			missing = append(missing, h.Currency().Code)
			continue
		}
		if sum, err = sum.Add(p.pkr); err != nil {
			return nil, nil, err
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, missing, nil
	}
	return &sum, nil, nil
}
