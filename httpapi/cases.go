package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/evidence"
	"github.com/amanat-ledger/amanat/ledger"
)

// caseJSON is a case with what its items hold now and, where valuation is
// wired in, their PKR value. Items is set only when one case is read.
type caseJSON struct {
	evidence.Case
	ItemCount int           `json:"item_count"`
	Holdings  []holdingJSON `json:"holdings"`
	Value     *valueJSON    `json:"value"`
	Items     *[]itemJSON   `json:"items,omitempty"`
}

func (s *Server) caseJSON(tx *ledger.Tx, reg *evidence.Registry, id uint64, withItems bool) (caseJSON, error) {
	v, err := reg.ViewCase(tx, id)
	if err != nil {
		return caseJSON{}, err
	}
	j := caseJSON{Case: v.Case, ItemCount: len(v.Items), Holdings: holdingsJSON(v.Holdings)}
	if j.Value, err = s.valueOf(tx, v.Holdings); err != nil {
		return caseJSON{}, err
	}
	if withItems {
		items := make([]itemJSON, 0, len(v.Items))
		for _, iv := range v.Items {
			ij, err := s.itemJSON(tx, iv)
			if err != nil {
				return caseJSON{}, err
			}
			items = append(items, ij)
		}
		j.Items = &items
	}
	return j, nil
}

// postCase answers POST /v1/cases (custodian): 201 with the case and its id.
func (s *Server) postCase(c echo.Context) error {
	if err := requireRole(c, access.RoleCustodian); err != nil {
		return err
	}
	reg := s.reg(c)
	var req evidence.CaseRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	cs, err := evidence.CheckCase(req)
	if err != nil {
		return err
	}
	actor := actorOf(c).String()
	return s.writeOnce(c, func(tx *ledger.Tx) (int, any, error) {
		made, err := reg.CreateCase(tx, cs, actor)
		if err != nil {
			return 0, nil, err
		}
		// Answer what GET /v1/cases/{id} will say of the new case (its
		// holdings valued, none yet), not a shape of its own.
		j, err := s.caseJSON(tx, reg, made.ID, true)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, j, nil
	})
}

// listCases answers GET /v1/cases in id order, each case with its holdings
// and value.
func (s *Server) listCases(c echo.Context) error {
	reg, err := s.registryReader(c)
	if err != nil {
		return err
	}
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	after, ok := page.After()
	if !ok {
		return ledger.FieldErr("cursor", cursorForeign)
	}
	f, err := evidence.CheckCaseQuery(c.QueryParam("circle"), c.QueryParam("from"), c.QueryParam("to"))
	if err != nil {
		return err
	}
	f.After, f.Limit = after, page.Limit
	var out []caseJSON
	if err := s.store.View(func(tx *ledger.Tx) error {
		cases, next, err := reg.FilterCases(tx, f)
		if err != nil {
			return err
		}
		page.NextAfter(next)
		out = make([]caseJSON, 0, len(cases))
		for _, cs := range cases {
			j, err := s.caseJSON(tx, reg, cs.ID, false)
			if err != nil {
				return err
			}
			out = append(out, j)
		}
		return nil
	}); err != nil {
		return err
	}
	return page.Write(c, out)
}

// getCase answers GET /v1/cases/{id} with every item.
func (s *Server) getCase(c echo.Context) error {
	out, err := s.readCase(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// readCase is the case the path names with every item, as the caller may
// see it: GET /v1/cases/{id} and the console's case page answer it.
func (s *Server) readCase(c echo.Context) (caseJSON, error) {
	reg, err := s.registryReader(c)
	if err != nil {
		return caseJSON{}, err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return caseJSON{}, err
	}
	var out caseJSON
	err = s.store.View(func(tx *ledger.Tx) error {
		out, err = s.caseJSON(tx, reg, id, true)
		return err
	})
	return out, err
}
