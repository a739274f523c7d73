package httpapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/finance"
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
		v, err = s.fin(c).Value(tx, asOf, group)
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
		out, err = s.fin(c).CompareSeizure(tx, asOf, caseID)
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
