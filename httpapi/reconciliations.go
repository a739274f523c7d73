package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/finance"
)

// reconciliationRequest is the body of POST /v1/reconciliations: finance's
// input with item_id read as an ID (a number, or a string of digits).
type reconciliationRequest struct {
	ItemID *ID `json:"item_id"`
	finance.ReconciliationInput
}

// reconciliationJSON is a reconciliation as answered, its item id a number
// (absent for a count of a location).
type reconciliationJSON struct {
	ID     uint64 `json:"id"`
	ItemID ID     `json:"item_id,omitempty"`
	finance.Reconciliation
}

func reconciliationOut(r finance.Reconciliation) (out reconciliationJSON, err error) {
	out = reconciliationJSON{ID: r.ID, Reconciliation: r}
	if r.ItemID != "" {
		out.ItemID, err = idOf("item_id", r.ItemID)
	}
	return out, err
}

// writeReconciliations answers a page of reconciliations; more says a
// later page holds some.
func writeReconciliations(c echo.Context, page *Page, rs []finance.Reconciliation, more bool) error {
	out := make([]reconciliationJSON, 0, len(rs))
	for _, r := range rs {
		j, err := reconciliationOut(r)
		if err != nil {
			return err
		}
		out = append(out, j)
	}
	if more {
		page.NextAfter(rs[len(rs)-1].ID)
	}
	return page.Write(c, out)
}

func (s *Server) postReconciliation(c echo.Context) error {
	if err := requireRole(c, access.RoleFinance); err != nil {
		return err
	}
	var req reconciliationRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	in := req.ReconciliationInput
	in.ItemID = req.ItemID.Text()
	if _, err := finance.CheckReconciliation(in); err != nil {
		return err
	}
	actor := actorOf(c).String()
	// The two-person rule: a count that posts a variance is proposed (202)
	// and posted only when a supervisor approves it.
	var variance bool
	check := func() (err error) {
		variance, err = s.reg(c).ReconciliationNeedsApproval(c.Request().Context(), s.store, in, actor)
		return err
	}
	return s.writeOnceChecked(c, check, func(tx *ledger.Tx) (int, any, error) {
		if variance {
			a, err := s.reg(c).ProposeReconciliation(tx, in, actor)
			return http.StatusAccepted, toApprovalJSON(a), err
		}
		r, err := s.reg(c).Reconcile(tx, in, actor)
		if err != nil {
			return 0, nil, err
		}
		out, err := reconciliationOut(r)
		return http.StatusCreated, out, err
	})
}

func (s *Server) getReconciliations(c echo.Context) error {
	page, err := readerPage(c)
	if err != nil {
		return err
	}
	after, err := page.AfterID()
	if err != nil {
		return err
	}
	f := finance.ReconFilter{ItemID: c.QueryParam("item_id"), Location: c.QueryParam("location"), Status: c.QueryParam("status"), After: after, Limit: page.Limit}
	var p ledger.Problems
	if f.ItemID != "" {
		if err := finance.CheckID(f.ItemID); err != nil {
			p.Add("item_id", err.Error())
		}
	}
	if f.Status != "" && f.Status != finance.Matched && f.Status != finance.Difference {
		p.Add("status", "must be matched or difference")
	}
	if err := p.Err(); err != nil {
		return err
	}
	var out []finance.Reconciliation
	var more bool
	if err := s.store.View(func(tx *ledger.Tx) (err error) {
		out, more, err = s.fin(c).Reconciliations(tx, f)
		return err
	}); err != nil {
		return err
	}
	return writeReconciliations(c, page, out, more)
}

// getDiscrepancies lists the open differences: each item or location whose
// latest count disagreed with the books.
func (s *Server) getDiscrepancies(c echo.Context) error {
	page, err := readerPage(c)
	if err != nil {
		return err
	}
	after, err := page.AfterID()
	if err != nil {
		return err
	}
	var out []finance.Reconciliation
	var more bool
	if err := s.store.View(func(tx *ledger.Tx) (err error) {
		out, more, err = s.fin(c).Discrepancies(tx, after, page.Limit)
		return err
	}); err != nil {
		return err
	}
	return writeReconciliations(c, page, out, more)
}
