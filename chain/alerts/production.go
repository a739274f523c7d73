package alerts

import (
	"fmt"
	"time"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/chain/evidence"
	"github.com/amanat-ledger/amanat/ledger"
)

// productionAlerts holds every court order in force that sets a produce-by
// date (a production order, a superdari's bond) to it: for each item it
// covers whose custody has not ended and that was not brought to court on or
// after the order's date (a `produced` entry of an item on superdari, or a
// `checked_out` of an item in the malkhana, which is how it leaves for the
// court), production-due opens ProductionNoticeDays before
// the date, and production-missed the day after it.
func (s *Service) productionAlerts(tx *ledger.Tx, now time.Time) ([]Alert, error) {
	var out []Alert
	for after := uint64(0); ; {
		orders, next, err := s.reg.CourtOrders(tx, evidence.OrderFilter{After: after, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, o := range orders {
			as, err := s.orderAlerts(tx, o, now)
			if err != nil {
				return nil, err
			}
			out = append(out, as...)
		}
		if next == 0 {
			return out, nil
		}
		after = next
	}
}

func (s *Service) orderAlerts(tx *ledger.Tx, o evidence.OrderView, now time.Time) ([]Alert, error) {
	if o.EndedBy != 0 || o.Conditions == nil || o.Conditions.ProduceBy == "" {
		return nil, nil
	}
	due, err := time.Parse(time.DateOnly, o.Conditions.ProduceBy)
	if err != nil {
		return nil, fmt.Errorf("court order %d: produce_by %q: %w", o.ID, o.Conditions.ProduceBy, err)
	}
	made, err := time.Parse(time.DateOnly, o.Date)
	if err != nil {
		return nil, fmt.Errorf("court order %d: date %q: %w", o.ID, o.Date, err)
	}
	missedFrom := due.AddDate(0, 0, 1) // the whole produce-by day is in time
	dueFrom := due.AddDate(0, 0, -s.limits.ProductionNoticeDays)
	if now.Before(dueFrom) {
		return nil, nil
	}
	var out []Alert
	for _, item := range o.Items {
		open, err := s.awaitsProduction(tx, item, made)
		if err != nil {
			return nil, err
		}
		if !open {
			continue
		}
		a := Alert{Rule: RuleProductionDue, ItemID: item, Since: dueFrom,
			Detail: fmt.Sprintf("court order %s (id %d) wants item %d produced by %s", o.Number, o.ID, item, o.Conditions.ProduceBy)}
		if !now.Before(missedFrom) {
			a.Rule, a.Since = RuleProductionMissed, missedFrom
			a.Detail = fmt.Sprintf("court order %s (id %d) wanted item %d produced by %s; no production is recorded", o.Number, o.ID, item, o.Conditions.ProduceBy)
		}
		out = append(out, a)
	}
	return out, nil
}

// awaitsProduction says whether item is still held (not ended) and has not
// been produced or checked out for court on or after since.
func (s *Service) awaitsProduction(tx *ledger.Tx, item uint64, since time.Time) (bool, error) {
	st, err := s.custody.State(tx, item)
	if err != nil {
		if ledger.ErrorCode(err) == ledger.ENotFound {
			return false, nil
		}
		return false, err
	}
	if chain.Terminal[st.Status] {
		return false, nil
	}
	entries, err := s.custody.Entries(tx, item)
	if err != nil {
		return false, err
	}
	for _, e := range entries {
		if (e.Event == chain.EventProduced || e.Event == chain.EventCheckedOut) && !e.At.Before(since) {
			return false, nil
		}
	}
	return true, nil
}
