package httpapi

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain/audit"
	"github.com/amanat-ledger/amanat/ledger"
)

// auditPage is the data of forms/audit.html.
type auditPage struct {
	Fields  []auditField
	Records []auditJSON
	Top     []string
	Next    string // the link to the next page, "" on the last
}

type auditField struct {
	Name, Label, Value string
	Errors             []string
}

// consoleAudit shows the audit log as GET /v1/audit answers it (auditor,
// admin), with the same filters (actor, item, from, to) read by the same
// code, one page at a time.
func (s *Server) consoleAudit(c echo.Context) error {
	if err := requireAuditReader(c); err != nil {
		return err
	}
	q := c.QueryParams()
	p := auditPage{}
	labels := [][2]string{{"actor", "Actor (e.g. custodian:hq-custodian)"}, {"item", "Item id"}, {"from", "From (YYYY-MM-DD or RFC 3339)"}, {"to", "To (YYYY-MM-DD or RFC 3339)"}}
	var ins inputs
	for _, l := range labels {
		ins.field(l[0], q.Get(l[0]))
	}
	page, err := pageParams(c)
	var f audit.Filter
	if err == nil {
		f, err = auditFilter(c)
	}
	if err == nil {
		f.After, f.Limit = page.Cursor, page.Limit
		err = s.store.View(func(tx *ledger.Tx) error {
			recs, next, err := audit.List(tx, f)
			for _, r := range recs {
				p.Records = append(p.Records, auditJSON{Seq: r.Seq, At: r.At.UTC().Format(time.RFC3339), Actor: r.Actor, Method: r.Method,
					Path: r.Path, Query: r.Query, Status: r.Status, ItemID: nonZero(r.ItemID), CaseID: nonZero(r.CaseID)})
			}
			page.Next(next)
			return err
		})
	}
	status := http.StatusOK
	if err != nil {
		fe, msg, ferr := fieldProblems(err)
		if ferr != nil {
			return ferr
		}
		p.Top = ins.place(fe)
		if msg != "" {
			p.Top = append(p.Top, msg)
		}
		status = s.toProblem(err).Status
	}
	for _, l := range labels {
		in := ins.all[l[0]]
		p.Fields = append(p.Fields, auditField{Name: l[0], Label: l[1], Value: in.Value, Errors: in.Errors})
	}
	if err == nil && page.next != nil {
		next := url.Values{}
		for _, l := range labels {
			if v := q.Get(l[0]); v != "" {
				next.Set(l[0], v)
			}
		}
		next.Set("cursor", base64.RawURLEncoding.EncodeToString(page.next))
		p.Next = "/audit?" + next.Encode()
	}
	return s.render(c, status, "forms/audit.html", p)
}
