package evidence

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/money"
)

// Item reads item id; ENotFound when there is none or the caller's scope
// does not cover it (In).
func (r *Registry) Item(tx *ledger.Tx, id uint64) (Item, error) {
	it, err := r.itemRecord(tx, id)
	if err != nil {
		return Item{}, err
	}
	ok, err := r.visibleItem(tx, it)
	if err != nil {
		return Item{}, err
	}
	if !ok {
		return Item{}, ledger.Errorf(ledger.ENotFound, "item %d not found", id)
	}
	return it, nil
}

// ItemInfo is what valuation groups an item by.
type ItemInfo struct {
	ID     uint64
	CaseID uint64
	Circle string // the case's circle
	Kind   string // cash or wallet
}

// ItemInfo reads the grouping facts of item id.
func (r *Registry) ItemInfo(tx *ledger.Tx, id uint64) (ItemInfo, error) {
	it, err := r.Item(tx, id)
	if err != nil {
		return ItemInfo{}, err
	}
	cs, err := r.caseRecord(tx, it.CaseID)
	if err != nil {
		return ItemInfo{}, fmt.Errorf("item %d: %w", id, err)
	}
	return ItemInfo{ID: id, CaseID: it.CaseID, Circle: cs.Circle, Kind: it.Kind}, nil
}

// ForEachItem calls fn for every item the caller sees, in id order, until
// fn returns false or an error.
func (r *Registry) ForEachItem(tx *ledger.Tx, fn func(it Item) (bool, error)) error {
	return r.forEachItemAfter(tx, 0, fn)
}

// ItemView is an item with what the books and the custody log say of it now.
type ItemView struct {
	Item
	Custody  chain.ItemState
	Balances []money.Amount // custody:item:<id> (superdari:item:<id> while on superdari) in every currency the ledger holds for it
	// CourtOrders are the ids of the registered orders that cover the
	// item, oldest first.
	CourtOrders []uint64
}

// View reads item id with its custody state and balances.
func (r *Registry) View(tx *ledger.Tx, id uint64) (ItemView, error) {
	it, err := r.Item(tx, id)
	if err != nil {
		return ItemView{}, err
	}
	return r.view(tx, it)
}

func (r *Registry) view(tx *ledger.Tx, it Item) (ItemView, error) {
	v := ItemView{Item: it}
	st, err := r.custody.State(tx, it.ID)
	if err != nil && ledger.ErrorCode(err) != ledger.ENotFound {
		return ItemView{}, fmt.Errorf("custody state of item %d: %w", it.ID, err)
	}
	v.Custody = st
	// Out on a bond the holdings sit in superdari:item:<id>: the item's
	// read shows them, and its value, there.
	account := it.Account()
	if st.Status == chain.StatusSuperdari {
		account = SuperdariAccount(it.ID)
	}
	if v.Balances, err = itemBalances(tx, &it, account); err != nil {
		return ItemView{}, err
	}
	if v.CourtOrders, err = r.ItemOrders(tx, it.ID); err != nil {
		return ItemView{}, fmt.Errorf("court orders of item %d: %w", it.ID, err)
	}
	return v, nil
}

// itemBalances reads the item's account (custody, or superdari while it is
// out on a bond) in every currency the
// ledger holds for it: first those it was seized in, in that order, then any
// other (a reconciliation count can add one) in currency order. A read that
// knew only the seized currencies would hide what a count put into custody.
func itemBalances(tx *ledger.Tx, it *Item, account string) ([]money.Amount, error) {
	value := it.Value()
	out := make([]money.Amount, 0, len(value))
	at := map[string]int{}
	for _, h := range value {
		cur, err := money.Lookup(h.Currency)
		if err != nil {
			return nil, fmt.Errorf("item %d: %w", it.ID, err)
		}
		at[cur.Code] = len(out)
		out = append(out, money.Zero(cur))
	}
	f := ledger.BalanceFilter{Account: account, Limit: 100}
	for {
		page, err := tx.Balances(f)
		if err != nil {
			return nil, fmt.Errorf("balances of item %d: %w", it.ID, err)
		}
		for _, b := range page.Balances {
			if b.Account != account {
				continue // an account below it, not the item's own
			}
			if i, ok := at[b.Amount.Currency().Code]; ok {
				out[i] = b.Amount
				continue
			}
			out = append(out, b.Amount)
		}
		if page.Next == nil {
			return out, nil
		}
		f.After = page.Next
	}
}

// ItemFilter selects items. Zero fields match everything.
type ItemFilter struct {
	CaseID   uint64
	Kind     string
	Holder   string // the custody log's current holder, exactly
	Location string // matches the current location's circle, building, room or wallet exactly
	After    uint64 // resume after this item id
	Limit    int

	// The structured filter (CheckItemQuery fills these).
	Status       string    // the item's status now (ItemStatuses)
	Circle       string    // the circle it is in now (ItemCircle)
	Currency     string    // holds a non-zero amount of it now
	SeizedFrom   string    // Normalise'd prefix of the name it was seized from
	SeizedAfter  time.Time // seized at or after
	SeizedBefore time.Time // seized before
}

// Items lists the items matching f in id order; next is the id to resume
// after, 0 on the last page.
func (r *Registry) Items(tx *ledger.Tx, f ItemFilter) (out []ItemView, next uint64, err error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	match := func(it Item) (bool, error) {
		if f.Kind != "" && it.Kind != f.Kind {
			return true, nil
		}
		v, err := r.view(tx, it)
		if err != nil {
			return false, err
		}
		if f.Holder != "" && v.Custody.Holder != f.Holder {
			return true, nil
		}
		if f.Location != "" && !atLocation(v.Custody.Location, f.Location) {
			return true, nil
		}
		if ok, err := r.matchQuery(tx, &f, v); err != nil || !ok {
			return err == nil, err
		}
		if len(out) == f.Limit {
			next = out[len(out)-1].ID
			return false, nil
		}
		out = append(out, v)
		return true, nil
	}
	if f.CaseID != 0 {
		err = r.forEachCaseItem(tx, f.CaseID, f.After, match)
	} else {
		err = r.forEachItemAfter(tx, f.After, match)
	}
	if err != nil {
		return nil, 0, err
	}
	return out, next, nil
}

func atLocation(l chain.Location, q string) bool {
	return q == l.Circle || q == l.Building || q == l.Room || q == l.Wallet
}

func (r *Registry) forEachItemAfter(tx *ledger.Tx, after uint64, fn func(Item) (bool, error)) error {
	c := tx.Cursor(ledger.EvidenceItems)
	for k, v := c.Seek(be64(after + 1)); k != nil; k, v = c.Next() {
		var it Item
		if err := decodeRecord(v, &it); err != nil {
			return fmt.Errorf("decode item %d: %w", binary.BigEndian.Uint64(k), err)
		}
		if ok, err := r.visibleItem(tx, it); err != nil || !ok {
			if err != nil {
				return err
			}
			continue
		}
		if more, err := fn(it); err != nil || !more {
			return err
		}
	}
	return nil
}

// forEachCaseItem walks the case's items in id order, after the given id.
func (r *Registry) forEachCaseItem(tx *ledger.Tx, caseID, after uint64, fn func(Item) (bool, error)) error {
	prefix := be64(caseID)
	c := tx.Cursor(ledger.EvidenceCaseItems)
	for k, _ := c.Seek(append(be64(caseID), be64(after+1)...)); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		it, err := r.itemRecord(tx, binary.BigEndian.Uint64(k[8:]))
		if err != nil {
			return err
		}
		if ok, err := r.visibleItem(tx, it); err != nil || !ok {
			if err != nil {
				return err
			}
			continue
		}
		if more, err := fn(it); err != nil || !more {
			return err
		}
	}
	return nil
}

// CaseView is a case with its items and what they hold now.
type CaseView struct {
	Case
	Items    []ItemView
	Holdings []money.Amount // the sum of its items' balances per currency, in order of first appearance
}

// ViewCase reads case id with every item and the case's holdings.
func (r *Registry) ViewCase(tx *ledger.Tx, id uint64) (CaseView, error) {
	cs, err := r.Case(tx, id)
	if err != nil {
		return CaseView{}, err
	}
	v := CaseView{Case: cs}
	idx := map[string]int{}
	err = r.forEachCaseItem(tx, id, 0, func(it Item) (bool, error) {
		iv, err := r.view(tx, it)
		if err != nil {
			return false, err
		}
		v.Items = append(v.Items, iv)
		for _, b := range iv.Balances {
			code := b.Currency().Code
			k, ok := idx[code]
			if !ok {
				idx[code] = len(v.Holdings)
				v.Holdings = append(v.Holdings, b)
				continue
			}
			if v.Holdings[k], err = v.Holdings[k].Add(b); err != nil {
				return false, err
			}
		}
		return true, nil
	})
	if err != nil {
		return CaseView{}, err
	}
	return v, nil
}
