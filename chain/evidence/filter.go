package evidence

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/money"
	"github.com/amanat-ledger/amanat/ledger/text"
)

// ItemStatuses is every status an item can be in: in custody, in transit,
// checked out, on superdari, or the terminal event that ended its custody.
func ItemStatuses() []string {
	out := []string{chain.StatusInCustody, chain.StatusInTransit, chain.StatusCheckedOut, chain.StatusSuperdari}
	for _, e := range chain.Events {
		if chain.Terminal[e] {
			out = append(out, e)
		}
	}
	return out
}

// ItemQuery is the structured filter of an item list beyond ItemFilter's
// first fields, as the caller gave it: CheckItemQuery checks it and fills an
// ItemFilter. Empty fields select everything.
type ItemQuery struct {
	Status, Circle, Currency, SeizedFrom, SeizedAfter, SeizedBefore string
}

// CheckItemQuery checks q, adding each fault to probs naming its
// parameter, and sets the filter fields of f (which mean nothing once probs
// holds a fault).
func CheckItemQuery(q ItemQuery, f *ItemFilter, probs *ledger.Problems) {
	if q.Status != "" && !slices.Contains(ItemStatuses(), q.Status) {
		probs.Add("status", "must be one of "+strings.Join(ItemStatuses(), ", "))
	}
	if q.Circle != "" && !text.ValidCircle(q.Circle) {
		probs.Add("circle", text.CircleRule)
	}
	if q.Currency != "" {
		if _, err := money.Lookup(q.Currency); err != nil {
			probs.Add("currency", err.Error())
		}
	}
	if why := text.Check(q.SeizedFrom, 200, text.Line); why != "" {
		probs.Add("seized_from", why)
	}
	after, err := filterDate(q.SeizedAfter)
	if err != nil {
		probs.Add("seized_after", err.Error())
	}
	before, err := filterDate(q.SeizedBefore)
	if err != nil {
		probs.Add("seized_before", err.Error())
	}
	if !after.IsZero() && !before.IsZero() && !after.Before(before) {
		probs.Add("seized_before", "must be a later date than seized_after")
	}
	f.Status, f.Circle, f.Currency = q.Status, q.Circle, q.Currency
	f.SeizedFrom, f.SeizedAfter, f.SeizedBefore = Normalise(q.SeizedFrom), after, before
}

// filterDate reads a YYYY-MM-DD date as its first instant, UTC; "" is the
// zero time.
func filterDate(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("must be a date, YYYY-MM-DD")
	}
	return d, nil
}

// matchQuery says whether the item of v passes the structured filter of f.
func (r *Registry) matchQuery(tx *ledger.Tx, f *ItemFilter, v ItemView) (bool, error) {
	it := v.Item
	switch {
	case f.Status != "" && v.Custody.Status != f.Status,
		!f.SeizedAfter.IsZero() && it.SeizedAt.Before(f.SeizedAfter),
		!f.SeizedBefore.IsZero() && !it.SeizedAt.Before(f.SeizedBefore),
		f.SeizedFrom != "" && !strings.HasPrefix(Normalise(it.SeizedFrom.Name), f.SeizedFrom),
		f.Currency != "" && !holds(v.Balances, f.Currency):
		return false, nil
	}
	if f.Circle == "" {
		return true, nil
	}
	circle, err := r.ItemCircle(tx, v)
	return circle == f.Circle, err
}

// holds says whether balances hold a non-zero amount of currency.
func holds(balances []money.Amount, currency string) bool {
	for _, a := range balances {
		if a.Currency().Code == currency && !a.IsZero() {
			return true
		}
	}
	return false
}

// ItemCircle is the circle an item is in now: its custody location's
// circle, or, while its custody names none, its case's circle.
func (r *Registry) ItemCircle(tx *ledger.Tx, v ItemView) (string, error) {
	if c := v.Custody.Location.Circle; c != "" {
		return c, nil
	}
	cs, err := r.Case(tx, v.CaseID)
	if err != nil {
		return "", fmt.Errorf("case of item %d: %w", v.ID, err)
	}
	return cs.Circle, nil
}

// CaseFilter selects cases. Zero fields select everything.
type CaseFilter struct {
	Circle string
	// From and To bound the day the case was registered: on or after From,
	// before To (the day after the last day asked for).
	From, To time.Time
	After    uint64 // resume after this case id
	Limit    int
}

// CheckCaseQuery checks the parameters of a case list (circle, from, to,
// each date YYYY-MM-DD, to inclusive), each fault naming its parameter.
func CheckCaseQuery(circle, from, to string) (CaseFilter, error) {
	var f CaseFilter
	var probs ledger.Problems
	if circle != "" && !text.ValidCircle(circle) {
		probs.Add("circle", text.CircleRule)
	}
	var err error
	if f.From, err = filterDate(from); err != nil {
		probs.Add("from", err.Error())
	}
	if f.To, err = filterDate(to); err != nil {
		probs.Add("to", err.Error())
	}
	if !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1)
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		probs.Add("to", "must not be before from")
	}
	f.Circle = circle
	return f, probs.Err()
}

func (f CaseFilter) match(c Case) bool {
	return (f.Circle == "" || c.Circle == f.Circle) &&
		(f.From.IsZero() || !c.Created.Before(f.From)) && (f.To.IsZero() || c.Created.Before(f.To))
}
