package register

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/chain/evidence"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/finance"
	"github.com/amanat-ledger/amanat/ledger/money"
)

// Count is an item's latest count by the date of a register.
type Count struct {
	Date    string `json:"date"`
	Matched bool   `json:"matched"`
}

// Row is one item of the register.
type Row struct {
	ItemID      uint64             `json:"item_id"`
	CaseID      uint64             `json:"case_id"`
	FIR         string             `json:"fir"`
	Circle      string             `json:"circle"`
	Seal        string             `json:"seal"`
	Kind        string             `json:"kind"`
	Description string             `json:"description"`
	SeizedFrom  string             `json:"seized_from"`
	SeizedAt    time.Time          `json:"seized_at"`
	SeizedBy    string             `json:"seized_by"`
	Holdings    []evidence.Holding `json:"holdings"`
	Status      string             `json:"status"`
	Holder      string             `json:"holder"`
	Location    string             `json:"location"`
	CourtOrders []string           `json:"court_orders"`
	LastCount   *Count             `json:"last_count"`
	// ValuePKR is nil when a holding had no rate on the date; MissingRates
	// then names those currencies, never a misleading zero.
	ValuePKR     *string  `json:"value_pkr"`
	MissingRates []string `json:"missing_rates"`
}

// StateReader is what the register needs of the custody log.
type StateReader interface {
	StateAt(tx *ledger.Tx, item uint64, at time.Time) (chain.ItemState, error)
}

// Register reads the register of one store.
type Register struct {
	Items   *evidence.Registry
	Custody StateReader
	Finance *finance.Service
}

// CheckDate parses a register's date (YYYY-MM-DD); a date after today
// (UTC, by now) is refused: the store cannot say how it will stand.
func CheckDate(field, text string, now time.Time) (time.Time, error) {
	if text == "" {
		return finance.Today(now), nil
	}
	d, err := finance.ParseDate(text)
	if err != nil {
		return time.Time{}, ledger.FieldErr(field, "must be a date YYYY-MM-DD")
	}
	if d.After(finance.Today(now)) {
		return time.Time{}, ledger.FieldErr(field, fmt.Sprintf("%s is after today (%s)", text, finance.FormatDate(now)))
	}
	return d, nil
}

// Rows is at most limit (0: all) rows of the register at the end of date
// asOf (UTC), items with an id above after, in id order. An item is in the
// register once its seizure took effect by then. next is the last item id
// of a full page, 0 on the last page.
func (r *Register) Rows(tx *ledger.Tx, asOf time.Time, after uint64, limit int) (out []Row, next uint64, err error) {
	end := finance.EndOfDay(asOf)
	counts, err := r.lastCounts(tx, finance.FormatDate(asOf))
	if err != nil {
		return nil, 0, err
	}
	cases := map[uint64]evidence.Case{}
	out = []Row{}
	err = r.Items.ForEachItem(tx, func(it evidence.Item) (bool, error) {
		if it.ID <= after {
			return true, nil
		}
		st, err := r.Custody.StateAt(tx, it.ID, end)
		if ledger.ErrorCode(err) == ledger.ENotFound {
			return true, nil // not yet seized by then
		}
		if err != nil {
			return false, fmt.Errorf("custody of item %d as of %s: %w", it.ID, finance.FormatDate(asOf), err)
		}
		if limit > 0 && len(out) == limit {
			next = out[len(out)-1].ItemID
			return false, nil
		}
		cs, ok := cases[it.CaseID]
		if !ok {
			if cs, err = r.Items.ItemCase(tx, it); err != nil {
				return false, fmt.Errorf("item %d: %w", it.ID, err)
			}
			cases[it.CaseID] = cs
		}
		row, err := r.row(tx, it, cs, st, asOf)
		if err != nil {
			return false, err
		}
		if c, ok := counts[fmt.Sprint(it.ID)]; ok {
			row.LastCount = &c
		}
		out = append(out, row)
		return true, nil
	})
	if err != nil {
		return nil, 0, err
	}
	return out, next, nil
}

// row is one item's row at the end of asOf.
func (r *Register) row(tx *ledger.Tx, it evidence.Item, cs evidence.Case, st chain.ItemState, asOf time.Time) (Row, error) {
	row := Row{ItemID: it.ID, CaseID: it.CaseID, FIR: cs.FIR, Circle: cs.Circle, Seal: st.Seal.Number, Kind: it.Kind,
		Description: it.Description, SeizedFrom: personText(it.SeizedFrom), SeizedAt: it.SeizedAt.UTC(), SeizedBy: it.Officer,
		Status: st.Status, Holder: st.Holder, Location: evidence.LocationText(st.Location), CourtOrders: []string{}, MissingRates: []string{}}
	if st.Status == chain.StatusSuperdari {
		row.Location = "superdari:" + st.Holder
	}
	held, err := holdingsAt(tx, &it, finance.EndOfDay(asOf))
	if err != nil {
		return Row{}, err
	}
	row.Holdings = make([]evidence.Holding, 0, len(held))
	for _, h := range held {
		row.Holdings = append(row.Holdings, evidence.Holding{Currency: h.Currency().Code, Amount: h.String()})
	}
	total, missing, err := r.Finance.PriceHoldings(tx, held, asOf)
	if err != nil {
		return Row{}, fmt.Errorf("value of item %d: %w", it.ID, err)
	}
	if total != nil {
		v := total.String()
		row.ValuePKR = &v
	} else {
		row.MissingRates = missing
	}
	ids, err := r.Items.ItemOrders(tx, it.ID)
	if err != nil {
		return Row{}, fmt.Errorf("court orders of item %d: %w", it.ID, err)
	}
	day := finance.FormatDate(asOf)
	for _, id := range ids {
		o, err := r.Items.CourtOrder(tx, id)
		if err != nil {
			return Row{}, err
		}
		if o.Date <= day {
			row.CourtOrders = append(row.CourtOrders, o.Number)
		}
	}
	return row, nil
}

// holdingsAt is what the item's custody and superdari accounts held at the
// instant at, non-zero only: the currencies it was seized in first, in that
// order, then any other in currency order.
func holdingsAt(tx *ledger.Tx, it *evidence.Item, at time.Time) ([]money.Amount, error) {
	sums := map[string]money.Amount{}
	var extra []string
	for _, account := range []string{it.Account(), evidence.SuperdariAccount(it.ID)} {
		err := tx.ForEachBalanceAt(account, at, func(b ledger.Balance) error {
			if b.Account != account || b.Amount.IsZero() {
				return nil
			}
			code := b.Amount.Currency().Code
			prev, seen := sums[code]
			if !seen {
				sums[code] = b.Amount
				extra = append(extra, code)
				return nil
			}
			sum, err := prev.Add(b.Amount)
			sums[code] = sum
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("balances of item %d: %w", it.ID, err)
		}
	}
	var order []string
	for _, h := range it.Value() {
		if _, ok := sums[h.Currency]; ok && !slices.Contains(order, h.Currency) {
			order = append(order, h.Currency)
		}
	}
	slices.Sort(extra)
	for _, c := range extra {
		if !slices.Contains(order, c) {
			order = append(order, c)
		}
	}
	out := make([]money.Amount, 0, len(order))
	for _, c := range order {
		out = append(out, sums[c])
	}
	return out, nil
}

// lastCounts is the latest count of each item dated on or before day, by
// item id; of two counts of one date the later recorded wins. A count is
// dated as it says (when it was made), like every posting of the books.
func (r *Register) lastCounts(tx *ledger.Tx, day string) (map[string]Count, error) {
	out := map[string]Count{}
	f := finance.ReconFilter{Limit: 1000}
	for {
		page, more, err := r.Finance.Reconciliations(tx, f)
		if err != nil {
			return nil, err
		}
		for _, c := range page {
			if c.ItemID == "" || c.Date > day {
				continue
			}
			if prev, ok := out[c.ItemID]; !ok || c.Date >= prev.Date {
				out[c.ItemID] = Count{Date: c.Date, Matched: c.Status == finance.Matched}
			}
		}
		if !more || len(page) == 0 {
			return out, nil
		}
		f.After = page[len(page)-1].ID
	}
}

// personText is who an item was seized from in one cell: the name, and the
// id document as written when there is one.
func personText(p evidence.Person) string {
	doc := strings.TrimSpace(p.IDType + " " + p.IDNumber)
	if doc == "" {
		return p.Name
	}
	return p.Name + " (" + doc + ")"
}
