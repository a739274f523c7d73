package httpapi

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/evidence"
	"github.com/amanat-ledger/amanat/ledger"
)

// routesApprovals registers the two-person queue (docs/custody.md, "The
// two-person rule").
func (s *Server) routesApprovals(g *echo.Group) {
	g.GET("/approvals", s.listApprovals)
	g.GET("/approvals/:id", s.getApproval)
	g.POST("/approvals/:id/approve", s.approve)
	g.POST("/approvals/:id/reject", s.reject)
}

// approvalJSON is a proposal as the API answers it; every key is always
// present, null where the proposal has no value yet.
type approvalJSON struct {
	ApprovalID uint64  `json:"approval_id"`
	Status     string  `json:"status"`
	Kind       string  `json:"kind"`
	Item       uint64  `json:"item"`
	Event      *string `json:"event"` // null for a reconciliation
	At         string  `json:"at"`
	ProposedBy string  `json:"proposed_by"`
	Proposed   string  `json:"proposed"`
	Expires    string  `json:"expires"`
	DecidedBy  *string `json:"decided_by"`
	Decided    *string `json:"decided"`
	Reason     *string `json:"reason"`
	EntrySeq   *uint64 `json:"entry_seq"`
	// Request is what the approval would write, for the supervisor to read
	// before deciding: the custody event's fields, the conversion or the
	// count as proposed.
	Request any `json:"request"`
}

// proposedEntry is a proposed custody event: an entry's fields less those
// the log assigns when it records it.
func proposedEntry(e chain.Entry) map[string]any {
	j := toEntryJSON(e)
	return map[string]any{"event": j.Event, "at": j.At, "from": j.From, "to": j.To, "location": j.Location,
		"purpose": j.Purpose, "seal_before": j.SealBefore, "seal_after": j.SealAfter, "condition": j.Condition,
		"remarks": j.Remarks, "attachments": j.Attachments, "court_order": j.CourtOrder, "court_order_id": j.CourtOrdID}
}

func toApprovalJSON(a evidence.Approval) approvalJSON {
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
	out := approvalJSON{ApprovalID: a.ID, Status: a.Status, Kind: a.Kind, Item: a.Entry.Item, Event: orNull(a.Entry.Event),
		At: ts(a.Entry.At), ProposedBy: a.ProposedBy, Proposed: ts(a.Proposed), Expires: ts(a.Expires)}
	switch {
	case a.Conversion != nil:
		out.Request = a.Conversion
	case a.Reconciliation != nil:
		out.Request = a.Reconciliation
	default:
		out.Request = proposedEntry(a.Entry)
	}
	if d := a.Decision; d != nil {
		at := ts(d.At)
		out.DecidedBy, out.Decided, out.Reason = &d.By, &at, orNull(d.Reason)
		if d.Entry != 0 {
			seq := d.Entry
			out.EntrySeq = &seq
		}
	}
	return out
}

func (s *Server) listApprovals(c echo.Context) error {
	page, err := readerPage(c)
	if err != nil {
		return err
	}
	status := c.QueryParam("status")
	if status != "" && !slices.Contains(evidence.ApprovalStatuses, status) {
		return ledger.FieldErr("status", "must be one of "+strings.Join(evidence.ApprovalStatuses, ", "))
	}
	after, err := page.AfterID()
	if err != nil {
		return err
	}
	var out []approvalJSON
	err = s.store.View(func(tx *ledger.Tx) error {
		as, more, err := s.reg(c).Approvals(tx, status, after, page.Limit)
		if err != nil {
			return err
		}
		if more {
			page.NextAfter(as[len(as)-1].ID)
		}
		for _, a := range as {
			out = append(out, toApprovalJSON(a))
		}
		return nil
	})
	if err != nil {
		return err
	}
	return page.Write(c, out)
}

func (s *Server) getApproval(c echo.Context) error {
	if err := requireRole(c, access.Readers...); err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var a evidence.Approval
	if err := s.store.View(func(tx *ledger.Tx) error { a, err = s.reg(c).Approval(tx, id); return err }); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toApprovalJSON(a))
}

// approve answers what the approved write answers: 201 with the custody
// entry or the conversion, which name the proposer as recorded_by and the
// supervisor as approved_by.
func (s *Server) approve(c echo.Context) error {
	if err := requireRole(c, access.RoleSupervisor); err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	by := actorOf(c).String()
	return s.writeOnce(c, func(tx *ledger.Tx) (int, any, error) {
		got, err := s.reg(c).Approve(tx, id, by)
		if err != nil {
			return 0, nil, err
		}
		if got.Reconciliation != nil {
			out, err := reconciliationOut(*got.Reconciliation)
			return http.StatusCreated, out, err
		}
		if got.Conversion != nil {
			out, err := conversionOut(*got.Conversion)
			return http.StatusCreated, out, err
		}
		return http.StatusCreated, toEntryJSON(*got.Entry), nil
	})
}

type rejectRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) reject(c echo.Context) error {
	if err := requireRole(c, access.RoleSupervisor); err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req rejectRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	by := actorOf(c).String()
	return s.writeOnce(c, func(tx *ledger.Tx) (int, any, error) {
		a, err := s.reg(c).Reject(tx, id, by, req.Reason)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, toApprovalJSON(a), nil
	})
}
