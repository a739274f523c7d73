package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/finance"
)

// conversionRequest is the body of POST /v1/conversions: finance's input
// with item_id read as an ID (a number, or a string of digits).
type conversionRequest struct {
	ItemID *ID `json:"item_id"`
	finance.ConversionInput
}

func (r conversionRequest) input() finance.ConversionInput {
	in := r.ConversionInput
	in.ItemID = r.ItemID.Text()
	return in
}

// conversionJSON is a conversion as answered: finance keeps the ids it links
// as text, the API answers every id as a number.
type conversionJSON struct {
	ID     uint64 `json:"id"`
	ItemID ID     `json:"item_id"`
	CaseID ID     `json:"case_id"`
	finance.Conversion
	CustodyEntry ID `json:"custody_entry"`
}

func conversionOut(cv finance.Conversion) (out conversionJSON, err error) {
	out = conversionJSON{ID: cv.ID, Conversion: cv}
	if out.ItemID, err = idOf("item_id", cv.ItemID); err != nil {
		return out, err
	}
	if out.CaseID, err = idOf("case_id", cv.CaseID); err != nil {
		return out, err
	}
	out.CustodyEntry, err = idOf("custody_entry", cv.CustodyEntry)
	return out, err
}

func (s *Server) postConversion(c echo.Context) error {
	if err := requireRole(c, access.RoleFinance); err != nil {
		return err
	}
	var req conversionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	in := req.input()
	if _, err := finance.CheckConversion(in); err != nil {
		return err
	}
	actor := actorOf(c).String()
	// The two-person rule: checked in full now (a write that is rolled
	// back), recorded only when a supervisor approves.
	check := func() error { return s.reg(c).CheckConversion(c.Request().Context(), s.store, in, actor) }
	return s.writeOnceChecked(c, check, func(tx *ledger.Tx) (int, any, error) {
		a, err := s.reg(c).ProposeConversion(tx, in, actor)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusAccepted, toApprovalJSON(a), nil
	})
}

func (s *Server) getConversions(c echo.Context) error {
	page, err := readerPage(c)
	if err != nil {
		return err
	}
	after, err := page.AfterID()
	if err != nil {
		return err
	}
	var out []finance.Conversion
	var more bool
	if err := s.store.View(func(tx *ledger.Tx) (err error) {
		out, more, err = s.fin(c).Conversions(tx, after, page.Limit)
		return err
	}); err != nil {
		return err
	}
	if more {
		page.NextAfter(out[len(out)-1].ID)
	}
	data := make([]conversionJSON, 0, len(out))
	for _, cv := range out {
		j, err := conversionOut(cv)
		if err != nil {
			return err
		}
		data = append(data, j)
	}
	return page.Write(c, data)
}
