package evidence

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/money"
)

// Court orders are records of the register, like cases and items: each is
// stored once (ledger.EvidenceOrders), made a leaf of the custody log, and
// never edited. A later order that corrects or cancels one names it in
// supersedes or vacates; the earlier order then stays readable but no
// longer authorises anything. ledger.EvidenceItemOrder indexes the items an
// order covers, ledger.EvidenceOrderEnds the order that ended another.

// OrderRecordKind is the custody log's record kind of a court order.
const OrderRecordKind = "evidence.court_order"

// Order kinds: what a court may order of seized property.
const (
	OrderForfeiture = "forfeiture"
	OrderReturn     = "return"
	OrderSuperdari  = "superdari"
	OrderDisposal   = "disposal"
	OrderSale       = "sale"
	OrderProduction = "production"
	OrderTransfer   = "transfer"
)

// OrderKinds lists every order kind.
var OrderKinds = []string{OrderForfeiture, OrderReturn, OrderSuperdari, OrderDisposal, OrderSale, OrderProduction, OrderTransfer}

// OrderConditions are what an order imposes: the bond and surety of a
// superdari, the date by which the item must be produced in court.
type OrderConditions struct {
	Bond      *Holding `json:"bond,omitempty"`
	Surety    string   `json:"surety,omitempty"`
	ProduceBy string   `json:"produce_by,omitempty"` // YYYY-MM-DD
}

// CourtOrder is a registered order of a court about seized items.
type CourtOrder struct {
	ID         uint64           `json:"id"`
	Kind       string           `json:"kind"`
	Court      string           `json:"court"`
	Judge      string           `json:"judge,omitempty"`
	CaseNumber string           `json:"case_number"`
	Number     string           `json:"number"`
	Date       string           `json:"date"` // YYYY-MM-DD
	Items      []uint64         `json:"items"`
	To         string           `json:"to,omitempty"` // a return's recipient, a superdar
	Conditions *OrderConditions `json:"conditions,omitempty"`
	ScanSHA256 string           `json:"scan_sha256"`
	Supersedes uint64           `json:"supersedes,omitempty"`
	Vacates    uint64           `json:"vacates,omitempty"`
	Recorded   time.Time        `json:"recorded"`
	RecordedBy string           `json:"recorded_by"`
}

// Covers says whether the order names item.
func (o *CourtOrder) Covers(item uint64) bool { return slices.Contains(o.Items, item) }

// CourtOrderRequest is the body of POST /v1/court-orders as sent.
type CourtOrderRequest struct {
	Kind       string           `json:"kind"`
	Court      string           `json:"court"`
	Judge      string           `json:"judge,omitempty"`
	CaseNumber string           `json:"case_number"`
	Number     string           `json:"number"`
	Date       string           `json:"date"`
	Items      []ID             `json:"items"`
	To         string           `json:"to,omitempty"`
	Conditions *OrderConditions `json:"conditions,omitempty"`
	ScanSHA256 string           `json:"scan_sha256"`
	Supersedes ID               `json:"supersedes,omitempty"`
	Vacates    ID               `json:"vacates,omitempty"`
}

const maxOrderItems = 1000

// CheckCourtOrder checks what an order says on its own, naming every bad
// field; now bounds its date. CreateCourtOrder checks what needs the store.
func CheckCourtOrder(req CourtOrderRequest, now time.Time) (CourtOrder, error) {
	var c checker
	o := CourtOrder{Kind: req.Kind, Court: req.Court, Judge: req.Judge, CaseNumber: req.CaseNumber,
		Number: req.Number, Date: req.Date, To: req.To, ScanSHA256: req.ScanSHA256,
		Supersedes: uint64(req.Supersedes), Vacates: uint64(req.Vacates)}
	switch {
	case req.Kind == "":
		c.p.Addf("kind", "is required (one of %s)", strings.Join(OrderKinds, ", "))
	case !slices.Contains(OrderKinds, req.Kind):
		c.p.Addf("kind", "%q is not an order kind (one of %s)", req.Kind, strings.Join(OrderKinds, ", "))
	}
	c.text("court", req.Court, maxShortText, true)
	c.text("judge", req.Judge, maxShortText, false)
	c.text("case_number", req.CaseNumber, maxShortText, true)
	c.text("number", req.Number, maxShortText, true)
	c.text("to", req.To, maxShortText, req.Kind == OrderReturn || req.Kind == OrderSuperdari)
	if req.To != "" && !slices.Contains([]string{OrderReturn, OrderSuperdari, OrderTransfer}, req.Kind) {
		c.p.Addf("to", "a %s order names no recipient", req.Kind)
	}
	date, ok := orderDate(&c, "date", req.Date, true)
	if ok && date.After(now.UTC()) {
		c.p.Addf("date", "%s is in the future", req.Date)
	}
	if !isSHA256(req.ScanSHA256) {
		c.p.Add("scan_sha256", "must be 64 lower-case hex digits (the SHA-256 of the scanned order)")
	}
	if len(req.Items) == 0 {
		c.p.Add("items", "is required: the ids of the items the order covers")
	} else if len(req.Items) > maxOrderItems {
		c.p.Addf("items", "at most %d items", maxOrderItems)
	}
	for i, id := range req.Items {
		if id == 0 {
			c.p.Addf(fmt.Sprintf("items[%d]", i), "is not an item id")
		} else if slices.Contains(o.Items, uint64(id)) {
			c.p.Addf(fmt.Sprintf("items[%d]", i), "item %d is named twice", id)
		}
		o.Items = append(o.Items, uint64(id))
	}
	if o.Supersedes != 0 && o.Vacates != 0 {
		c.p.Add("vacates", "an order either supersedes or vacates an earlier order, not both")
	}
	o.Conditions = checkConditions(&c, req.Kind, req.Conditions, date)
	return o, c.p.Err()
}

// checkConditions checks an order's conditions: a superdari needs its bond
// and surety; only a superdari or a production order sets a produce-by date,
// on or after the order's date.
func checkConditions(c *checker, kind string, in *OrderConditions, date time.Time) *OrderConditions {
	if in == nil {
		if kind == OrderSuperdari {
			c.p.Add("conditions", "a superdari order sets the bond, the surety and the produce_by date")
		}
		return nil
	}
	out := *in
	if kind != OrderSuperdari && kind != OrderProduction {
		c.p.Addf("conditions", "a %s order sets no conditions", kind)
		return &out
	}
	if kind == OrderSuperdari && in.Bond == nil {
		c.p.Add("conditions.bond", "is required for a superdari: {\"amount\": ..., \"currency\": ...}")
	}
	if in.Bond != nil {
		if kind != OrderSuperdari {
			c.p.Add("conditions.bond", "only a superdari sets a bond")
		} else if cur, err := money.Lookup(in.Bond.Currency); err != nil {
			c.p.Addf("conditions.bond.currency", "%q is not a known currency", in.Bond.Currency)
		} else if a, err := money.ParseAmount(cur, in.Bond.Amount, money.Positive); err != nil {
			c.p.Add("conditions.bond.amount", err.Error())
		} else {
			out.Bond = &Holding{Currency: cur.Code, Amount: a.String()}
		}
	}
	c.text("conditions.surety", in.Surety, maxShortText, kind == OrderSuperdari)
	if d, ok := orderDate(c, "conditions.produce_by", in.ProduceBy, kind == OrderSuperdari); ok && !date.IsZero() && d.Before(date) {
		c.p.Addf("conditions.produce_by", "%s is before the order's date", in.ProduceBy)
	}
	return &out
}

func orderDate(c *checker, field, v string, required bool) (time.Time, bool) {
	if v == "" {
		if required {
			c.p.Add(field, "is required (YYYY-MM-DD)")
		}
		return time.Time{}, false
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		c.p.Addf(field, "%q is not a date YYYY-MM-DD", v)
		return time.Time{}, false
	}
	return d, true
}

func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	return strings.Trim(s, "0123456789abcdef") == ""
}

// CreateCourtOrder stores a checked order inside tx: every item it names
// must be registered, and an order it supersedes or vacates must exist, be
// in force and be no later than it.
func (r *Registry) CreateCourtOrder(tx *ledger.Tx, o CourtOrder, actor string) (CourtOrder, error) {
	var p ledger.Problems
	for i, id := range o.Items {
		it, err := r.Item(tx, id)
		switch {
		case ledger.ErrorCode(err) == ledger.ENotFound:
			p.Addf(fmt.Sprintf("items[%d]", i), "item %d not found", id)
		case err != nil:
			return CourtOrder{}, err
		case it.SeizedAt.UTC().Format(time.DateOnly) > o.Date:
			// A court orders what has been seized: an order dated
			// before the seizure is a back-dated one.
			p.Addf(fmt.Sprintf("items[%d]", i), "item %d was seized on %s, after the order's date %s", id, it.SeizedAt.UTC().Format(time.DateOnly), o.Date)
		}
	}
	for field, earlier := range map[string]uint64{"supersedes": o.Supersedes, "vacates": o.Vacates} {
		if earlier == 0 {
			continue
		}
		prev, err := r.CourtOrder(tx, earlier)
		switch {
		case ledger.ErrorCode(err) == ledger.ENotFound:
			p.Addf(field, "court order %d not found", earlier)
		case err != nil:
			return CourtOrder{}, err
		case prev.EndedBy != 0:
			p.Addf(field, "court order %d was already ended by order %d", earlier, prev.EndedBy)
		case prev.Date > o.Date:
			p.Addf(field, "court order %d is dated %s, after this order (%s)", earlier, prev.Date, o.Date)
		case r.scope != nil:
			// Ending an order ends it for every item it covers: only a
			// caller who sees them all may.
			if whole, err := r.courtOrder(tx, earlier); err != nil {
				return CourtOrder{}, err
			} else if len(whole.Items) != len(prev.Items) {
				p.Addf(field, "court order %d also covers items of circles outside the caller's: only a caller who sees every item it covers may end it", earlier)
			}
		}
	}
	if err := p.Err(); err != nil {
		return CourtOrder{}, err
	}
	id, err := tx.NextSequence(ledger.EvidenceOrders)
	if err != nil {
		return CourtOrder{}, fmt.Errorf("next court order id: %w", err)
	}
	o.ID, o.Recorded, o.RecordedBy = id, tx.Now, actor
	data, err := encodeRecord(o)
	if err != nil {
		return CourtOrder{}, fmt.Errorf("encode court order: %w", err)
	}
	if err := tx.Put(ledger.EvidenceOrders, be64(id), data); err != nil {
		return CourtOrder{}, fmt.Errorf("store court order %d: %w", id, err)
	}
	for _, item := range o.Items {
		if err := tx.Put(ledger.EvidenceItemOrder, append(be64(item), be64(id)...), nil); err != nil {
			return CourtOrder{}, fmt.Errorf("index court order %d under item %d: %w", id, item, err)
		}
	}
	if earlier := max(o.Supersedes, o.Vacates); earlier != 0 {
		if err := tx.Put(ledger.EvidenceOrderEnds, be64(earlier), be64(id)); err != nil {
			return CourtOrder{}, fmt.Errorf("record the end of court order %d: %w", earlier, err)
		}
	}
	if err := r.custody.LogRecord(tx, OrderRecordKind, id, data); err != nil {
		return CourtOrder{}, fmt.Errorf("log court order %d: %w", id, err)
	}
	return o, nil
}

// OrderView is a court order with what later orders did to it.
type OrderView struct {
	CourtOrder
	// EndedBy is the later order that vacated or superseded this one; 0
	// while it is in force.
	EndedBy uint64
}

// CourtOrder reads order id; ENotFound when there is none or when the
// caller sees none of the items it covers. A caller limited to some
// circles reads only the items it sees among those the order covers.
func (r *Registry) CourtOrder(tx *ledger.Tx, id uint64) (OrderView, error) {
	o, err := r.courtOrder(tx, id)
	if err != nil || r.scope == nil {
		return o, err
	}
	var seen []uint64
	for _, item := range o.Items {
		ok, err := r.SeesItem(tx, item)
		if err != nil {
			return OrderView{}, err
		}
		if ok {
			seen = append(seen, item)
		}
	}
	if len(seen) == 0 {
		return OrderView{}, ledger.Errorf(ledger.ENotFound, "court order %d not found", id)
	}
	o.Items = seen
	return o, nil
}

func (r *Registry) courtOrder(tx *ledger.Tx, id uint64) (OrderView, error) {
	v := tx.Get(ledger.EvidenceOrders, be64(id))
	if v == nil {
		return OrderView{}, ledger.Errorf(ledger.ENotFound, "court order %d not found", id)
	}
	var o OrderView
	if err := decodeRecord(v, &o.CourtOrder); err != nil {
		return OrderView{}, fmt.Errorf("decode court order %d: %w", id, err)
	}
	if end := tx.Get(ledger.EvidenceOrderEnds, be64(id)); len(end) == 8 {
		o.EndedBy = binary.BigEndian.Uint64(end)
	}
	return o, nil
}

// OrderFilter selects court orders: those covering Item, of Kind (either
// left empty: any), with id > After, at most Limit.
type OrderFilter struct {
	Item  uint64
	Kind  string
	After uint64
	Limit int
}

// CourtOrders lists orders in id order (EInvalid for a kind that is none); next is the last id of a full page
// (resume after it), 0 on the last page.
func (r *Registry) CourtOrders(tx *ledger.Tx, f OrderFilter) (out []OrderView, next uint64, err error) {
	if f.Kind != "" && !slices.Contains(OrderKinds, f.Kind) {
		return nil, 0, ledger.FieldErr("kind", fmt.Sprintf("%q is not an order kind (one of %s)", f.Kind, strings.Join(OrderKinds, ", ")))
	}
	ids, err := r.orderIDs(tx, f.Item, f.After)
	if err != nil {
		return nil, 0, err
	}
	for _, id := range ids {
		o, err := r.CourtOrder(tx, id)
		if ledger.ErrorCode(err) == ledger.ENotFound {
			continue // outside the caller's circles
		}
		if err != nil {
			return nil, 0, err
		}
		if f.Kind != "" && o.Kind != f.Kind {
			continue
		}
		if len(out) == f.Limit {
			return out, out[len(out)-1].ID, nil
		}
		out = append(out, o)
	}
	return out, 0, nil
}

// orderIDs are the ids above after of every order, or of those covering
// item when item is not 0, in order.
func (r *Registry) orderIDs(tx *ledger.Tx, item, after uint64) ([]uint64, error) {
	var ids []uint64
	if item == 0 {
		c := tx.Cursor(ledger.EvidenceOrders)
		for k, _ := c.Seek(be64(after + 1)); k != nil; k, _ = c.Next() {
			ids = append(ids, binary.BigEndian.Uint64(k))
		}
		return ids, nil
	}
	prefix := be64(item)
	c := tx.Cursor(ledger.EvidenceItemOrder)
	for k, _ := c.Seek(append(be64(item), be64(after+1)...)); len(k) == 16 && string(k[:8]) == string(prefix); k, _ = c.Next() {
		ids = append(ids, binary.BigEndian.Uint64(k[8:]))
	}
	return ids, nil
}

// ItemOrders are the ids of every order that covers item, oldest first.
func (r *Registry) ItemOrders(tx *ledger.Tx, item uint64) ([]uint64, error) {
	return r.orderIDs(tx, item, 0)
}
