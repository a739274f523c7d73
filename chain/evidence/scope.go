package evidence

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/finance"
)

// Scope is the circles a caller may see and act in. access.Scope satisfies
// it; the register takes the interface so that it need not know how callers
// are authenticated.
type Scope interface {
	Allows(circle string) bool
}

// In is the register as a caller of scope sees it: every read and write of
// the copy is limited to the cases and items of the scope's circles, and a
// case or item outside them is not found, with the words of one that does
// not exist. A nil scope is every circle.
//
// A case belongs to its circle. An item belongs to its case's circle until
// it is first received by transfer; from then on to the circle of its
// latest location. While it is in transit to another circle, it belongs to
// both: the receiving custodian must see it to receive it.
func (r *Registry) In(scope Scope) *Registry {
	c := *r
	c.scope = scope
	if all, ok := scope.(interface{ EveryCircle() bool }); ok && all.EveryCircle() {
		c.scope = nil // every circle: the unlimited register
	}
	return &c
}

// Scoped reports whether the register is limited to some circles: made by
// In with a scope that is not every circle's. (A scope that allows every
// circle without saying so, by an EveryCircle method, still limits the
// register to each item's and case's circles, and hides the store-wide
// accounts.)
func (r *Registry) Scoped() bool { return r.scope != nil }

func (r *Registry) allows(circle string) bool { return r.scope == nil || r.scope.Allows(circle) }

// Circles are the circles an item belongs to now.
type Circles struct {
	// Circle is the circle that holds the item.
	Circle string
	// Incoming is the circle the item is in transit to, "" when none.
	Incoming string
}

// Allows reports whether a caller of scope sees the item.
func (c Circles) allowedBy(r *Registry) bool {
	return r.allows(c.Circle) || (c.Incoming != "" && r.allows(c.Incoming))
}

// caseRecord reads case id, whatever the scope.
func (r *Registry) caseRecord(tx *ledger.Tx, id uint64) (Case, error) {
	var c Case
	v := tx.Get(ledger.EvidenceCases, be64(id))
	if v == nil {
		return c, ledger.Errorf(ledger.ENotFound, "case %d not found", id)
	}
	if err := decodeRecord(v, &c); err != nil {
		return c, fmt.Errorf("decode case %d: %w", id, err)
	}
	return c, nil
}

// itemRecord reads item id, whatever the scope.
func (r *Registry) itemRecord(tx *ledger.Tx, id uint64) (Item, error) {
	var it Item
	v := tx.Get(ledger.EvidenceItems, be64(id))
	if v == nil {
		return it, ledger.Errorf(ledger.ENotFound, "item %d not found", id)
	}
	if err := decodeRecord(v, &it); err != nil {
		return it, fmt.Errorf("decode item %d: %w", id, err)
	}
	return it, nil
}

// ItemCircles says which circles item it belongs to now (see In).
func (r *Registry) ItemCircles(tx *ledger.Tx, it Item) (Circles, error) {
	cs, err := r.caseRecord(tx, it.CaseID)
	if err != nil {
		return Circles{}, fmt.Errorf("item %d: %w", it.ID, err)
	}
	st, err := r.custody.State(tx, it.ID)
	if err != nil && ledger.ErrorCode(err) != ledger.ENotFound {
		return Circles{}, fmt.Errorf("custody state of item %d: %w", it.ID, err)
	}
	// Nearly every item lies in its case's circle: whether or not it was
	// ever received, that is then its circle, and its entries need not be
	// read. (A location an on-chain move gave, which has a wallet, does
	// not count: replayCircles.)
	if st.Status != chain.StatusInTransit && st.Location.Wallet == "" && (st.Location.Circle == "" || st.Location.Circle == cs.Circle) {
		return Circles{Circle: cs.Circle}, nil
	}
	es, err := r.custody.EntriesAfter(tx, it.ID, 0, 0)
	if err != nil {
		return Circles{}, fmt.Errorf("custody of item %d: %w", it.ID, err)
	}
	return replayCircles(cs.Circle, es), nil
}

// replayCircles follows an item's entries from its case's circle: a
// transfer naming another circle makes it incoming there, a receipt moves
// the item to the circle of its location, and once received any later
// location's circle is the item's. An on-chain move never moves it: the
// agency wallet's keys may be kept by another circle's desk, but the
// wallet is the item's, and its circle still answers for it.
func replayCircles(caseCircle string, es []chain.Entry) Circles {
	out := Circles{Circle: caseCircle}
	loc, received := "", false
	for _, e := range es {
		if e.Event == chain.EventMovedOnChain {
			continue
		}
		if e.Location.Circle != "" {
			loc = e.Location.Circle
		}
		switch {
		case e.Event == chain.EventSeized:
		case e.Event == chain.EventTransferred:
			if e.Location.Circle != "" && e.Location.Circle != out.Circle {
				out.Incoming = e.Location.Circle
			}
		case e.Event == chain.EventReceived:
			received, out.Incoming = true, ""
			if loc != "" {
				out.Circle = loc
			}
		case received && e.Location.Circle != "":
			out.Circle = e.Location.Circle
		}
	}
	return out
}

// visibleItem reports whether the caller sees it.
func (r *Registry) visibleItem(tx *ledger.Tx, it Item) (bool, error) {
	if r.scope == nil {
		return true, nil
	}
	c, err := r.ItemCircles(tx, it)
	if err != nil {
		return false, err
	}
	return c.allowedBy(r), nil
}

// SeesItem reports whether the caller sees item id (false too when there is
// no such item).
func (r *Registry) SeesItem(tx *ledger.Tx, id uint64) (bool, error) {
	it, err := r.itemRecord(tx, id)
	if ledger.ErrorCode(err) == ledger.ENotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return r.visibleItem(tx, it)
}

// OwnsItem reports whether item id is of one of the caller's circles now:
// seen, and not only on its way in. Totals count an item in its own circle
// alone, so that the circles' totals add up to the whole store's even
// while an item travels between two of them.
func (r *Registry) OwnsItem(tx *ledger.Tx, id uint64) (bool, error) {
	if r.scope == nil {
		return true, nil
	}
	it, err := r.itemRecord(tx, id)
	if ledger.ErrorCode(err) == ledger.ENotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	c, err := r.ItemCircles(tx, it)
	if err != nil {
		return false, err
	}
	return r.allows(c.Circle), nil
}

// SeesCase reports whether the caller sees case id.
func (r *Registry) SeesCase(tx *ledger.Tx, id uint64) (bool, error) {
	cs, err := r.caseRecord(tx, id)
	if ledger.ErrorCode(err) == ledger.ENotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return r.allows(cs.Circle), nil
}

// scopedItems is finance's item directory limited to what the register's
// caller sees.
type scopedItems struct {
	inner finance.ItemDirectory
	reg   *Registry
}

func (d scopedItems) Item(tx *ledger.Tx, id string) (finance.ItemRef, error) {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return finance.ItemRef{}, ledger.Errorf(ledger.ENotFound, "item %q not found", id)
	}
	if ok, err := d.reg.SeesItem(tx, n); err != nil || !ok {
		if err != nil {
			return finance.ItemRef{}, err
		}
		return finance.ItemRef{}, ledger.Errorf(ledger.ENotFound, "item %q not found", id)
	}
	return d.inner.Item(tx, id)
}

// Items are the items of the caller's circles (OwnsItem): an item on its
// way in from another circle counts in the sending circle's totals until it
// is received.
func (d scopedItems) Items(tx *ledger.Tx) ([]finance.ItemRef, error) {
	refs, err := d.inner.Items(tx)
	if err != nil {
		return nil, err
	}
	out := refs[:0]
	for _, ref := range refs {
		n, err := strconv.ParseUint(ref.ID, 10, 64)
		if err != nil {
			continue
		}
		ok, err := d.reg.OwnsItem(tx, n)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, ref)
		}
	}
	return out, nil
}

// LocationAt is the inner directory's, for valuation by location as of a
// past date.
func (d scopedItems) LocationAt(tx *ledger.Tx, id string, at time.Time) (string, error) {
	if l, ok := d.inner.(finance.ItemLocator); ok {
		return l.LocationAt(tx, id, at)
	}
	return "", ledger.Errorf(ledger.ENotFound, "item %q not found", id)
}

// SeesLocation: a location count is seen in the circle its location names;
// a wallet or a superdar lies in no circle, and only a caller of every
// circle sees their counts.
func (d scopedItems) SeesLocation(loc string) bool { return d.reg.allows(locationCircle(loc)) }

// FinanceDesk is finance as the register's caller sees it (finance.Within):
// nil when no finance is wired in.
func (r *Registry) FinanceDesk() *finance.Service {
	if r.Finance == nil || r.scope == nil || r.Finance.Items() == nil {
		return r.Finance
	}
	return r.Finance.Within(scopedItems{inner: r.Finance.Items(), reg: r})
}

// ItemCase is the case of an item the caller sees, whatever the case's
// circle: an item received in another circle is still of its case, and its
// reads (the register's row) name the case's FIR. The case itself stays
// its circle's (Case).
func (r *Registry) ItemCase(tx *ledger.Tx, it Item) (Case, error) {
	return r.caseRecord(tx, it.CaseID)
}

// SeesAccount reports whether the caller sees a ledger account: an item's
// account (custody:item:N, superdari:item:N, ...) when the item is of its
// circles (OwnsItem: not one still on its way in), a
// case's (seized:case:N, proceeds:case:N, ...) when it sees the case.
// Every other account gathers the whole store's postings (a release
// account of every case, say) and only a caller of every circle sees it.
func (r *Registry) SeesAccount(tx *ledger.Tx, account string) (bool, error) {
	if r.scope == nil {
		return true, nil
	}
	parts := strings.Split(account, ":")
	if len(parts) == 3 {
		id, err := strconv.ParseUint(parts[2], 10, 64)
		switch {
		case err != nil:
		case parts[1] == "item":
			return r.OwnsItem(tx, id)
		case parts[1] == "case":
			return r.SeesCase(tx, id)
		}
	}
	return false, nil
}

// RuleKnownCircle is the rule that a custody event names only a circle
// known to the store: one some case is in, or one some user or token holds
// (Registry.HeldCircles). A place in a circle nobody has would hide the item
// from every caller but HQ, its own circle's custodian included.
const RuleKnownCircle = "known-circle"

// HeldCircleFunc lists the circles callers hold beyond those of cases.
type HeldCircleFunc func(tx *ledger.Tx) ([]string, error)

// checkKnownCircle refuses circle unless it is known (RuleKnownCircle),
// naming every known circle. A circle of some case costs one Seek.
func (r *Registry) checkKnownCircle(tx *ledger.Tx, circle string) error {
	prefix := []byte(circle + "\x00")
	if k, _ := tx.Cursor(ledger.EvidenceFIRs).Seek(prefix); k != nil && strings.HasPrefix(string(k), string(prefix)) {
		return nil
	}
	known, err := r.KnownCircles(tx)
	if err != nil {
		return err
	}
	if slices.Contains(known, circle) {
		return nil
	}
	return chain.RuleErr(RuleKnownCircle, "location.circle", fmt.Sprintf("circle %q is not a known circle of this store (one with a case, or held by a user or token): known circles are %s",
		circle, cmp.Or(strings.Join(known, ", "), "none")))
}

// KnownCircles are the circles of every case and those callers hold
// (HeldCircles), sorted, without repeats.
func (r *Registry) KnownCircles(tx *ledger.Tx) ([]string, error) {
	var out []string
	c := tx.Cursor(ledger.EvidenceFIRs)
	for k, _ := c.First(); k != nil; {
		i := strings.IndexByte(string(k), 0)
		if i < 0 {
			return nil, fmt.Errorf("bucket %s holds a malformed key %q", ledger.EvidenceFIRs.Name(), k)
		}
		circle := string(k[:i])
		out = append(out, circle)
		k, _ = c.Seek([]byte(circle + "\x01"))
	}
	if r.HeldCircles != nil {
		held, err := r.HeldCircles(tx)
		if err != nil {
			return nil, fmt.Errorf("circles held by callers: %w", err)
		}
		out = append(out, held...)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}
