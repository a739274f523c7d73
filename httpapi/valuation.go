package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/evidence"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/finance"
	"github.com/amanat-ledger/amanat/ledger/money"
)

// asOfDate reads as_of (YYYY-MM-DD), defaulting to today's UTC date.
func asOfDate(c echo.Context, now time.Time) (time.Time, error) {
	d, ok, err := queryDate(c, "as_of")
	if err != nil || ok {
		return d, err
	}
	return finance.Today(now), nil
}

// getValuation answers GET /v1/valuation?as_of=DATE&group_by=...: the
// holdings at the end of that date at the rates in force on it.
func (s *Server) getValuation(c echo.Context) error {
	if err := requireRole(c, access.Readers...); err != nil {
		return err
	}
	group := c.QueryParam("group_by")
	if group == "" {
		group = finance.ByCurrency
	}
	if err := finance.CheckGroupBy(group); err != nil {
		return ledger.FieldErr("group_by", err.Error())
	}
	var v finance.Valuation
	err := s.store.View(func(tx *ledger.Tx) error {
		asOf, err := asOfDate(c, tx.Now)
		if err != nil {
			return err
		}
		v, err = s.finance.Value(tx, asOf, group)
		return err
	})
	if err != nil {
		return err
	}
	out, err := valuationOut(v)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// valuationJSON is a valuation as answered: grouped by case, each row's
// case_id is a number (null for holdings of an item no case is known for).
type valuationJSON struct {
	AsOf    string             `json:"as_of"`
	GroupBy string             `json:"group_by"`
	Rows    []valuationRowJSON `json:"rows"`
	finance.Valuation
}

type valuationRowJSON struct {
	CaseID json.RawMessage `json:"case_id,omitempty"`
	finance.ValuationRow
}

func valuationOut(v finance.Valuation) (valuationJSON, error) {
	out := valuationJSON{AsOf: v.AsOf, GroupBy: v.GroupBy, Rows: make([]valuationRowJSON, 0, len(v.Rows)), Valuation: v}
	for _, r := range v.Rows {
		row := valuationRowJSON{ValuationRow: r}
		if v.GroupBy == finance.ByCase {
			row.CaseID = json.RawMessage("null")
			if r.CaseID != finance.Unknown {
				id, err := idOf("case_id", r.CaseID)
				if err != nil {
					return out, err
				}
				row.CaseID, _ = id.MarshalJSON()
			}
		}
		out.Rows = append(out.Rows, row)
	}
	return out, nil
}

// seizureComparisonJSON is finance's comparison with item and case ids as
// numbers.
type seizureComparisonJSON struct {
	AsOf  string          `json:"as_of"`
	Items []itemValueJSON `json:"items"`
	Cases []caseValueJSON `json:"cases"`
	finance.SeizureComparison
}

type itemValueJSON struct {
	ItemID ID `json:"item_id"`
	CaseID ID `json:"case_id"`
	finance.ItemValue
}

type caseValueJSON struct {
	CaseID ID `json:"case_id"`
	finance.CaseValue
}

func seizureComparisonOut(sc finance.SeizureComparison) (seizureComparisonJSON, error) {
	out := seizureComparisonJSON{AsOf: sc.AsOf, SeizureComparison: sc, Items: make([]itemValueJSON, 0, len(sc.Items)), Cases: make([]caseValueJSON, 0, len(sc.Cases))}
	for _, it := range sc.Items {
		j := itemValueJSON{ItemValue: it}
		var err error
		if j.ItemID, err = idOf("item_id", it.ItemID); err != nil {
			return out, err
		}
		if j.CaseID, err = idOf("case_id", it.CaseID); err != nil {
			return out, err
		}
		out.Items = append(out.Items, j)
	}
	for _, cv := range sc.Cases {
		id, err := idOf("case_id", cv.CaseID)
		if err != nil {
			return out, err
		}
		out.Cases = append(out.Cases, caseValueJSON{CaseID: id, CaseValue: cv})
	}
	return out, nil
}

// getSeizureValuation answers GET /v1/valuation/seizure?as_of=&case_id=:
// each item's value at its seizure beside its value on as_of, and per case.
func (s *Server) getSeizureValuation(c echo.Context) error {
	if err := requireRole(c, access.Readers...); err != nil {
		return err
	}
	caseID := c.QueryParam("case_id")
	if caseID != "" {
		if err := finance.CheckID(caseID); err != nil {
			return ledger.FieldErr("case_id", err.Error())
		}
	}
	var out finance.SeizureComparison
	err := s.store.View(func(tx *ledger.Tx) error {
		asOf, err := asOfDate(c, tx.Now)
		if err != nil {
			return err
		}
		out, err = s.finance.CompareSeizure(tx, asOf, caseID)
		return err
	})
	if err != nil {
		return err
	}
	j, err := seizureComparisonOut(out)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, j)
}

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

// custodyState is what the item directory needs of the custody log.
// Rates are records of the custody log wherever the API runs (package
// finance cannot import chain; evidence registers its own kinds).
func init() {
	chain.RegisterRecordKind(chain.RecordKind{Name: finance.RateRecordKind, Label: "rate", Each: finance.EachRateRecord})
}

type custodyState interface {
	State(tx *ledger.Tx, item uint64) (chain.ItemState, error)
	StateAt(tx *ledger.Tx, item uint64, at time.Time) (chain.ItemState, error)
}

// itemDirectory adapts the evidence register and the custody log to what
// finance needs of an item: its case, circle, current location, seizure
// time, kind, and the event that ended its custody.
type itemDirectory struct {
	reg     *evidence.Registry
	custody custodyState
}

// FinanceItems is the item directory finance uses, over the evidence
// register and (for locations; nil leaves them empty) the custody log.
func FinanceItems(reg *evidence.Registry, custody custodyState) finance.ItemDirectory {
	return itemDirectory{reg: reg, custody: custody}
}

func (d itemDirectory) ref(tx *ledger.Tx, it evidence.Item, circles map[uint64]string) (finance.ItemRef, error) {
	circle, ok := circles[it.CaseID]
	if !ok {
		cs, err := d.reg.Case(tx, it.CaseID)
		if err != nil {
			return finance.ItemRef{}, err
		}
		circle = cs.Circle
		circles[it.CaseID] = circle
	}
	ref := finance.ItemRef{ID: strconv.FormatUint(it.ID, 10), CaseID: strconv.FormatUint(it.CaseID, 10), Circle: circle, SeizedAt: it.SeizedAt, Kind: it.Kind}
	if d.custody != nil {
		st, err := d.custody.State(tx, it.ID)
		if err != nil && ledger.ErrorCode(err) != ledger.ENotFound {
			return finance.ItemRef{}, err
		}
		ref.Location = LocationText(st.Location)
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
	return d.ref(tx, it, map[uint64]string{})
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
	return LocationText(st.Location), nil
}

func (d itemDirectory) Items(tx *ledger.Tx) ([]finance.ItemRef, error) {
	var out []finance.ItemRef
	circles := map[uint64]string{}
	err := d.reg.ForEachItem(tx, func(it evidence.Item) (bool, error) {
		ref, err := d.ref(tx, it, circles)
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
func FinanceValue(f *finance.Service) evidence.ValueFunc {
	return func(tx *ledger.Tx, holdings []money.Amount, asOf time.Time) (evidence.Valuation, error) {
		total, missing, err := f.PriceHoldings(tx, holdings, asOf)
		if err != nil {
			return evidence.Valuation{}, err
		}
		return evidence.Valuation{PKR: total, MissingRate: len(missing) > 0, Missing: missing}, nil
	}
}
