package httpapi

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/alerts"
	"github.com/amanat-ledger/amanat/chain/evidence"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/finance"
	"github.com/amanat-ledger/amanat/ledger/money"
)

// routesConsolePages registers the console's own pages: the dashboard,
// cases and search, items with their custody forms, approvals.
func (s *Server) routesConsolePages(g *echo.Group) {
	g.GET("/", s.consoleDashboard)
	g.GET("/cases", s.consoleCases)
	g.GET("/cases/:id", s.consoleCase)
	g.GET("/search", s.consoleSearch)
	g.GET("/items/:id", s.consoleItem)
	g.POST("/items/:id/custody", s.consoleCustody)
	g.GET("/approvals", s.consoleApprovals)
	g.POST("/approvals/:id/approve", s.consoleApprove)
	g.POST("/approvals/:id/reject", s.consoleReject)
}

// consolePageSize is how many rows a console list shows at once.
const consolePageSize = 25

// consoleDashboardPage is the data of dashboard.html. Reader is false for a role
// that may not read the books (admin): the page then shows none of them.
type consoleDashboardPage struct {
	Reader        bool
	ByCurrency    valuationView
	ByCircle      valuationView
	Alerts        []alerts.Alert
	MoreAlerts    bool
	Pending       int
	Discrepancies []finance.Reconciliation
}

// valuationView is a valuation with its bar chart.
type valuationView struct {
	finance.Valuation
	Chart barChart
}

func (s *Server) consoleDashboard(c echo.Context) error {
	var d consoleDashboardPage
	if requireRole(c, access.Readers...) != nil {
		return s.render(c, http.StatusOK, "dashboard.html", d)
	}
	d.Reader = true
	err := s.store.View(func(tx *ledger.Tx) error {
		today := finance.Today(tx.Now)
		for _, v := range []struct {
			group string
			into  *valuationView
		}{{finance.ByCurrency, &d.ByCurrency}, {finance.ByCircle, &d.ByCircle}} {
			val, err := s.fin(c).Value(tx, today, v.group)
			if err != nil {
				return err
			}
			chart, err := valuationChart(val, v.group)
			if err != nil {
				return err
			}
			*v.into = valuationView{Valuation: val, Chart: chart}
		}
		var next string
		var err error
		if d.Alerts, next, err = s.alertsFor(c).List(tx, "", 10); err != nil {
			return err
		}
		d.MoreAlerts = next != ""
		if d.Pending, err = s.pendingApprovals(c, tx); err != nil {
			return err
		}
		d.Discrepancies, _, err = s.fin(c).Discrepancies(tx, 0, 10)
		return err
	})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "dashboard.html", d)
}

// pendingApprovals counts the proposals waiting for a supervisor.
func (s *Server) pendingApprovals(c echo.Context, tx *ledger.Tx) (int, error) {
	n := 0
	var after uint64
	for {
		as, more, err := s.reg(c).Approvals(tx, evidence.ApprovalPending, after, 500)
		if err != nil {
			return 0, err
		}
		n += len(as)
		if !more || len(as) == 0 {
			return n, nil
		}
		after = as[len(as)-1].ID
	}
}

// barChart is a horizontal bar chart drawn as inline SVG: one bar per row,
// its length the row's share of the largest. The figures are drawn as text
// and shown in a table beside it, so the bars are never the only signal.
type barChart struct {
	Label  string
	Width  int
	Height int
	Bars   []bar
}

type bar struct {
	Label string
	Items int
	Value string // the exact PKR sum of the group's priced rows
	// Unpriced lists the group's currencies without a rate, which the sum
	// leaves out.
	Unpriced []string
	Y        int
	Len      int
}

const (
	chartLabelWidth = 130
	chartBarSpace   = 330
	chartRow        = 26
)

// valuationChart draws v's PKR per currency or per circle, each group's sum
// added exactly in PKR. A row without a rate adds nothing and is named.
func valuationChart(v finance.Valuation, group string) (barChart, error) {
	pkr := money.MustLookup("PKR")
	sums := map[string]*bar{}
	var order []string
	for _, r := range v.Rows {
		label := r.Currency
		if group == finance.ByCircle {
			label = r.Circle
		}
		b := sums[label]
		if b == nil {
			b = &bar{Label: label, Value: money.Zero(pkr).String()}
			sums[label] = b
			order = append(order, label)
		}
		b.Items += r.Items
		if r.PKR == nil {
			b.Unpriced = append(b.Unpriced, r.Currency)
			continue
		}
		sum, err := addPKR(pkr, b.Value, *r.PKR)
		if err != nil {
			return barChart{}, err
		}
		b.Value = sum
	}
	most := 0.0
	for _, b := range sums {
		most = max(most, drawn(b.Value))
	}
	ch := barChart{Label: "Holdings in PKR by " + group, Width: chartLabelWidth + chartBarSpace + 140}
	for i, l := range order {
		b := *sums[l]
		b.Y = i * chartRow
		if most > 0 && drawn(b.Value) > 0 {
			b.Len = max(1, int(drawn(b.Value)/most*chartBarSpace))
		}
		ch.Bars = append(ch.Bars, b)
	}
	ch.Height = len(ch.Bars)*chartRow + 4
	return ch, nil
}

// addPKR adds two PKR figures of a valuation exactly.
func addPKR(pkr money.Currency, a, b string) (string, error) {
	x, err := money.ParseStored(pkr, a)
	if err != nil {
		return "", fmt.Errorf("valuation figure %q: %w", a, err)
	}
	y, err := money.ParseStored(pkr, b)
	if err != nil {
		return "", fmt.Errorf("valuation figure %q: %w", b, err)
	}
	sum, err := x.Add(y)
	if err != nil {
		return "", fmt.Errorf("add valuation figures: %w", err)
	}
	return sum.String(), nil
}

// drawn is a figure as a bar's length is computed from: for drawing only.
func drawn(s string) float64 {
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

// consoleCasesPage is the data of cases.html.
type consoleCasesPage struct {
	Cases []caseJSON
	Next  string // the link to the next page, "" on the last
}

func (s *Server) consoleCases(c echo.Context) error {
	reg, err := s.registryReader(c)
	if err != nil {
		return err
	}
	after, err := consoleAfter(c)
	if err != nil {
		return err
	}
	var d consoleCasesPage
	if err := s.store.View(func(tx *ledger.Tx) error {
		cases, next, err := reg.Cases(tx, after, consolePageSize)
		if err != nil {
			return err
		}
		for _, cs := range cases {
			j, err := s.caseJSON(tx, reg, cs.ID, false)
			if err != nil {
				return err
			}
			d.Cases = append(d.Cases, j)
		}
		if next != 0 {
			d.Next = fmt.Sprintf("/cases?after=%d", next)
		}
		return nil
	}); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "cases.html", d)
}

// consoleAfter reads a list page's after= (an id; 0 when absent).
func consoleAfter(c echo.Context) (uint64, error) {
	v := c.QueryParam("after")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, ledger.FieldErr("after", fmt.Sprintf("%q is not an id", v))
	}
	return n, nil
}

func (s *Server) consoleCase(c echo.Context) error {
	d, err := s.readCase(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "case.html", d)
}

// consoleSearchPage is the data of search.html.
type consoleSearchPage struct {
	Q    string
	Hits []evidence.Hit
	// Next is the link to the next page of hits.
	Next string
}

func (s *Server) consoleSearch(c echo.Context) error {
	reg, err := s.registryReader(c)
	if err != nil {
		return err
	}
	d := consoleSearchPage{Q: c.QueryParam("q")}
	if d.Q == "" {
		return s.render(c, http.StatusOK, "search.html", d)
	}
	var cursor []byte
	if v := c.QueryParam("cursor"); v != "" {
		if cursor, err = base64.RawURLEncoding.DecodeString(v); err != nil || len(cursor) == 0 {
			return s.renderProblem(c, "search.html", d, ledger.FieldErr("cursor", cursorForeign))
		}
	}
	var next []byte
	if err := s.store.View(func(tx *ledger.Tx) (err error) {
		d.Hits, next, err = reg.Search(tx, d.Q, cursor, consolePageSize)
		return err
	}); err != nil {
		return s.renderProblem(c, "search.html", d, err)
	}
	if next != nil {
		d.Next = "/search?q=" + url.QueryEscape(d.Q) + "&cursor=" + base64.RawURLEncoding.EncodeToString(next)
	}
	return s.render(c, http.StatusOK, "search.html", d)
}
