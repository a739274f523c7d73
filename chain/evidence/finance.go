package evidence

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/finance"
	"github.com/amanat-ledger/amanat/ledger/money"
)

// What finance needs of the register and the custody log: an item's case,
// circle, location, seizure and end of custody (the item directory), the
// conversion's custody entry, and the pricing of holdings for case and item
// reads. Finance cannot import the custody log (it would be a cycle), so the
// register adapts both to finance's interfaces here.

// LocationText names a custody location for valuation by location and for
// location reconciliations: "circle/building/room" for a physical place
// (empty parts left out), "wallet:ADDRESS" for an agency wallet.
func LocationText(l chain.Location) string {
	if l.Wallet != "" {
		return "wallet:" + l.Wallet
	}
	var parts []string
	for _, p := range []string{l.Circle, l.Building, l.Room} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "/")
}

// stateLocation is where an item is for finance: out on a bond it is
// "superdari:HOLDER", whatever place its last custody entry named, so a
// valuation by location shows what is out on superdari and with whom, and
// no count of a malkhana expects it.
func stateLocation(st chain.ItemState) string {
	if st.Status == chain.StatusSuperdari {
		return "superdari:" + st.Holder
	}
	return LocationText(st.Location)
}

// custodyState is what the item directory needs of the custody log.
type custodyState interface {
	State(tx *ledger.Tx, item uint64) (chain.ItemState, error)
	StateAt(tx *ledger.Tx, item uint64, at time.Time) (chain.ItemState, error)
}

// itemDirectory adapts the evidence register and the custody log to what
// finance needs of an item: its case, circle, current location, seizure
// time, kind, and the event that ended its custody.
type itemDirectory struct {
	reg     *Registry
	custody custodyState
}

// FinanceItems is the item directory finance uses, over the evidence
// register and (for locations; nil leaves them empty) the custody log.
func FinanceItems(reg *Registry, custody custodyState) finance.ItemDirectory {
	return itemDirectory{reg: reg, custody: custody}
}

// ref is what finance knows of it. Its circle is the item's (In), which is
// its case's until it is received in another circle.
func (d itemDirectory) ref(tx *ledger.Tx, it Item) (finance.ItemRef, error) {
	circles, err := d.reg.ItemCircles(tx, it)
	if err != nil {
		return finance.ItemRef{}, err
	}
	ref := finance.ItemRef{ID: strconv.FormatUint(it.ID, 10), CaseID: strconv.FormatUint(it.CaseID, 10), Circle: circles.Circle, SeizedAt: it.SeizedAt, Kind: it.Kind}
	if d.custody != nil {
		st, err := d.custody.State(tx, it.ID)
		if err != nil && ledger.ErrorCode(err) != ledger.ENotFound {
			return finance.ItemRef{}, err
		}
		ref.Location = stateLocation(st)
		if chain.Terminal[st.Status] {
			ref.Ended = st.Status
		}
	}
	return ref, nil
}

func (d itemDirectory) Item(tx *ledger.Tx, id string) (finance.ItemRef, error) {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return finance.ItemRef{}, ledger.Errorf(ledger.ENotFound, "item %q not found", id)
	}
	it, err := d.reg.Item(tx, n)
	if err != nil {
		return finance.ItemRef{}, err
	}
	return d.ref(tx, it)
}

// LocationAt is where the custody log put item at the instant at.
func (d itemDirectory) LocationAt(tx *ledger.Tx, id string, at time.Time) (string, error) {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil || d.custody == nil {
		return "", ledger.Errorf(ledger.ENotFound, "item %q not found", id)
	}
	st, err := d.custody.StateAt(tx, n, at)
	if err != nil {
		return "", err
	}
	return stateLocation(st), nil
}

func (d itemDirectory) Items(tx *ledger.Tx) ([]finance.ItemRef, error) {
	var out []finance.ItemRef
	err := d.reg.ForEachItem(tx, func(it Item) (bool, error) {
		ref, err := d.ref(tx, it)
		if err != nil {
			return false, err
		}
		out = append(out, ref)
		return true, nil
	})
	return out, err
}

// FinanceValue prices holdings for the evidence register's case and item
// reads with finance's rates and rounding.
func FinanceValue(f *finance.Service) ValueFunc {
	return func(tx *ledger.Tx, holdings []money.Amount, asOf time.Time) (Valuation, error) {
		total, missing, err := f.PriceHoldings(tx, holdings, asOf)
		if err != nil {
			return Valuation{}, err
		}
		return Valuation{PKR: total, MissingRate: len(missing) > 0, Missing: missing}, nil
	}
}

// custodyAppender is what a conversion needs of the custody log.
type custodyAppender interface {
	Append(tx *ledger.Tx, e chain.Entry) (chain.Entry, error)
	State(tx *ledger.Tx, item uint64) (chain.ItemState, error)
}

type conversionCustody struct {
	log custodyAppender
	reg *Registry
}

// FinanceCustody records a conversion's `converted` custody entry in the
// custody log: released by the item's holder, naming the ledger transaction
// and the registered sale order, which reg checks (nil: a read-only store,
// which records no conversion).
func FinanceCustody(log custodyAppender, reg *Registry) finance.CustodyRecorder {
	return conversionCustody{log: log, reg: reg}
}

func (cc conversionCustody) RecordConversion(tx *ledger.Tx, ev finance.ConversionEvent) (string, error) {
	id, err := strconv.ParseUint(ev.ItemID, 10, 64)
	if err != nil {
		return "", ledger.FieldErr("item_id", "is not an id")
	}
	st, err := cc.log.State(tx, id)
	if err != nil {
		return "", err
	}
	sold := make([]string, len(ev.Sold))
	for i, a := range ev.Sold {
		sold[i] = a.String() + " " + a.Currency().Code
	}
	remarks := fmt.Sprintf("sold %s for %s PKR net via %s", strings.Join(sold, ", "), ev.ProceedsPKR, ev.Counterparty)
	if !ev.AtParPKR.IsZero() {
		remarks += fmt.Sprintf("; its %s PKR to the proceeds at par", ev.AtParPKR)
	}
	if ev.Reference != "" {
		remarks += " (reference " + ev.Reference + ")"
	}
	e := chain.Entry{
		Item: id, Event: chain.EventConverted, At: ev.At, RecordedBy: ev.Actor, ApprovedBy: ev.ApprovedBy,
		From: st.Holder, Purpose: "liquidation", Remarks: remarks, LedgerTxn: ev.TxnID, CourtOrderID: ev.CourtOrderID,
	}
	if cc.reg == nil {
		return "", ledger.Errorf(ledger.EInternal, "conversions need the register, which is not configured")
	}
	if err := cc.reg.applyOrder(tx, &e); err != nil {
		return "", err
	}
	e, err = cc.log.Append(tx, e)
	if err != nil {
		var le *ledger.Error
		if errors.As(err, &le) && le.Code == ledger.EInvalid {
			return "", &ledger.Error{Code: ledger.EInvalid, Msg: "the custody log refuses the conversion: " + le.Error(), Fields: []ledger.FieldError{{Field: "item_id", Reason: le.Error()}}}
		}
		return "", err
	}
	if err := indexEntry(tx, &e); err != nil {
		return "", err
	}
	return strconv.FormatUint(e.Seq, 10), nil
}

// LocationCircle is the circle a location text (LocationText) names: its
// first part; "" for an agency wallet or a superdar, which lie in no circle.
func LocationCircle(loc string) string { return locationCircle(loc) }

func locationCircle(loc string) string {
	if strings.HasPrefix(loc, "wallet:") || strings.HasPrefix(loc, "superdari:") {
		return ""
	}
	circle, _, _ := strings.Cut(loc, "/")
	return circle
}
