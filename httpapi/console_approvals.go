package httpapi

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/evidence"
	"github.com/amanat-ledger/amanat/ledger"
)

// consoleApprovalsPage is the data of approvals.html: the proposals waiting for a
// supervisor, oldest first.
type consoleApprovalsPage struct {
	Approvals []evidence.Approval
	// Supervisor is true when the user may decide (the buttons show).
	Supervisor bool
	Next       string
}

func (s *Server) consoleApprovals(c echo.Context) error {
	return s.renderApprovals(c, http.StatusOK, nil, "")
}

// renderApprovals draws the queue with errs, a refusal per form ("approve-7",
// "reason-7"), and msg above it.
func (s *Server) renderApprovals(c echo.Context, status int, errs map[string]string, msg string) error {
	if err := requireRole(c, access.Readers...); err != nil {
		return err
	}
	after, err := consoleAfter(c)
	if err != nil {
		return err
	}
	d := consoleApprovalsPage{Supervisor: consoleHolds(c, access.RoleSupervisor)}
	if err := s.store.View(func(tx *ledger.Tx) error {
		as, more, err := s.reg(c).Approvals(tx, evidence.ApprovalPending, after, consolePageSize)
		if more && len(as) > 0 {
			d.Next = fmt.Sprintf("/approvals?after=%d", as[len(as)-1].ID)
		}
		d.Approvals = as
		return err
	}); err != nil {
		return err
	}
	return s.renderPage(c, status, "approvals.html", pageData{Data: d, Errors: errs, Error: msg})
}

// consoleApprove approves a proposal as POST /v1/approvals/{id}/approve
// does; the two-person rule's refusal shows on the proposal's row.
func (s *Server) consoleApprove(c echo.Context) error {
	if err := requireRole(c, access.RoleSupervisor); err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var got evidence.Approved
	err = s.store.Write(c.Request().Context(), func(tx *ledger.Tx) (err error) {
		got, err = s.reg(c).Approve(tx, id, consoleActor(c).String())
		return err
	})
	if err != nil {
		return s.decisionRefused(c, fmt.Sprintf("approve-%d", id), err)
	}
	msg := fmt.Sprintf("Approved proposal %d.", id)
	if got.Entry != nil {
		msg = fmt.Sprintf("Approved proposal %d: custody entry %d recorded for item %d.", id, got.Entry.Seq, got.Entry.Item)
	}
	return s.redirectFlash(c, "/approvals", msg)
}

// consoleReject rejects a proposal with the reason given, as POST
// /v1/approvals/{id}/reject does.
func (s *Server) consoleReject(c echo.Context) error {
	if err := requireRole(c, access.RoleSupervisor); err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	err = s.store.Write(c.Request().Context(), func(tx *ledger.Tx) error {
		_, err := s.reg(c).Reject(tx, id, consoleActor(c).String(), c.FormValue("reason"))
		return err
	})
	if err != nil {
		return s.decisionRefused(c, fmt.Sprintf("reason-%d", id), err)
	}
	return s.redirectFlash(c, "/approvals", fmt.Sprintf("Rejected proposal %d.", id))
}

// decisionRefused shows the queue again with the refusal next to the
// decision's form (key).
func (s *Server) decisionRefused(c echo.Context, key string, err error) error {
	status, fields, msg := s.formProblem(err)
	if status >= 500 {
		return err
	}
	for f, reason := range fields {
		msg = joinReason(msg, f+": "+reason)
	}
	return s.renderApprovals(c, status, map[string]string{key: msg}, "")
}
