package evidence

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/ledger"
)

// What a custody event needs of the court orders: an event that carries
// out an order names the registered order (court_order_id), and the
// register checks, inside the write, that the order fits the event, covers
// the item, was made on or before the event, is still in force and, for a
// return, names the entry's recipient. The entry then carries the order's
// number and date, so that a court bundle reads without the register.

// eventOrders are the order kinds each event may carry out; required says
// which events may not be recorded without one.
var eventOrders = map[string]struct {
	kinds    []string
	required bool
}{
	chain.EventForfeited:   {[]string{OrderForfeiture}, true},
	chain.EventReturned:    {[]string{OrderReturn}, true},
	chain.EventDestroyed:   {[]string{OrderDisposal}, true},
	chain.EventConverted:   {[]string{OrderSale}, true},
	chain.EventSuperdari:   {[]string{OrderSuperdari}, true},
	chain.EventTransferred: {[]string{OrderTransfer}, false},
	chain.EventProduced:    {[]string{OrderProduction, OrderSuperdari}, false},
	chain.EventReceived:    {OrderKinds, false},
}

// NeedsOrder says whether event may be recorded only under a registered
// court order, and of which kinds.
func NeedsOrder(event string) ([]string, bool) {
	f, ok := eventOrders[event]
	return f.kinds, ok && f.required
}

// errFreeTextOrder refuses a free-text court order on a new write: only a
// registered order is named, by its id (CheckEvent).
var errFreeTextOrder = chain.RuleErr(chain.RuleRegisteredOrder, "court_order",
	"a court order is registered first (POST /v1/court-orders) and then named as court_order_id; free-text orders are no longer recorded")

// applyOrder checks the order e names and copies its number and date into
// e, whose own court_order must be empty.
func (r *Registry) applyOrder(tx *ledger.Tx, e *chain.Entry) error {
	if e.CourtOrder != nil {
		return errFreeTextOrder
	}
	fit, known := eventOrders[e.Event]
	if e.CourtOrderID == 0 {
		if fit.required {
			return chain.RuleErr(chain.RuleRegisteredOrder, "court_order_id",
				fmt.Sprintf("%s needs a registered %s order covering item %d (court_order_id)", e.Event, strings.Join(fit.kinds, " or "), e.Item))
		}
		return nil
	}
	if !known {
		return chain.RuleErr(chain.RuleOrderFits, "court_order_id", fmt.Sprintf("%s carries out no court order", e.Event))
	}
	o, err := r.CourtOrder(tx, e.CourtOrderID)
	if ledger.ErrorCode(err) == ledger.ENotFound {
		return chain.RuleErr(chain.RuleRegisteredOrder, "court_order_id", fmt.Sprintf("court order %d is not registered", e.CourtOrderID))
	} else if err != nil {
		return err
	}
	if err := orderFits(o, fit.kinds, e); err != nil {
		return err
	}
	e.CourtOrder = &chain.CourtOrder{Number: o.Number, Date: o.Date}
	return nil
}

func orderFits(o OrderView, kinds []string, e *chain.Entry) error {
	field := "court_order_id"
	switch {
	case !slices.Contains(kinds, o.Kind):
		return chain.RuleErr(chain.RuleOrderFits, field, fmt.Sprintf("court order %d is a %s order; %s needs a %s order", o.ID, o.Kind, e.Event, strings.Join(kinds, " or ")))
	case !o.Covers(e.Item):
		return chain.RuleErr(chain.RuleOrderCovers, field, fmt.Sprintf("court order %d does not cover item %d", o.ID, e.Item))
	case o.Date > e.At.UTC().Format(time.DateOnly):
		return chain.RuleErr(chain.RuleOrderBefore, field, fmt.Sprintf("court order %d is dated %s, after the event (%s)", o.ID, o.Date, e.At.UTC().Format(time.DateOnly)))
	case o.EndedBy != 0:
		return chain.RuleErr(chain.RuleOrderInForce, field, fmt.Sprintf("court order %d was vacated or superseded by order %d", o.ID, o.EndedBy))
	case (o.Kind == OrderReturn || o.Kind == OrderSuperdari) && e.Event == handoverEvent(o.Kind) && e.To != o.To:
		return chain.RuleErr(chain.RuleOrderRecipient, "to", fmt.Sprintf("court order %d hands item %d to %q, not %q", o.ID, e.Item, o.To, e.To))
	}
	return nil
}

// handoverEvent is the event that hands the item to the person an order of
// kind names: a return order's recipient, a superdari order's superdar.
func handoverEvent(kind string) string {
	if kind == OrderSuperdari {
		return chain.EventSuperdari
	}
	return chain.EventReturned
}
