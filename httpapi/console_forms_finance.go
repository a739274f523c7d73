package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/service"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/finance"
	"github.com/amanat-ledger/amanat/ledger/money"
)

// ratesPage is the data of forms/rates.html.
type ratesPage struct {
	Key      string
	CanEnter bool
	Fields   map[string]*input // currency, rate, effective, source
	Top      []string
	Message  string
	Entered  *finance.Rate
	InForce  []finance.Rate
	Today    string
	Charts   []rateChart
	Currency []string
}

// rateChart is one currency's rate over time, drawn as an SVG polyline.
type rateChart struct {
	Currency       string
	Points         string // "x,y x,y ..." in a chartW × chartH box
	Dots           []chartDot
	From, To       string // the first and last effective dates
	Min, Max       string // the lowest and highest rate, as entered
	Width, Height  int
	Summary        string // the chart in words, for those who cannot see it
	SinglePoint    bool
	LastRate, Last string
}

type chartDot struct {
	X, Y  string
	Label string
}

const chartW, chartH, chartPad = 320, 120, 8

// rateCharts draws each currency's history: x is the effective date, y the
// rate, both scaled to the box. Only drawing uses floats; every figure shown
// is the rate as entered.
func rateCharts(all []finance.Rate) []rateChart {
	by := map[string][]finance.Rate{}
	for _, r := range all {
		by[r.Currency] = append(by[r.Currency], r)
	}
	var out []rateChart
	for _, cur := range sortedKeys(by) {
		rs := by[cur]
		slices.SortStableFunc(rs, func(a, b finance.Rate) int { return strings.Compare(a.Effective, b.Effective) })
		ch := rateChart{Currency: cur, From: rs[0].Effective, To: rs[len(rs)-1].Effective, Width: chartW, Height: chartH, SinglePoint: len(rs) == 1}
		first, _ := time.Parse(time.DateOnly, ch.From)
		last, _ := time.Parse(time.DateOnly, ch.To)
		lo, hi := decimal.RequireFromString(rs[0].Text), decimal.RequireFromString(rs[0].Text)
		ch.Min, ch.Max = rs[0].Text, rs[0].Text
		for _, r := range rs {
			d := decimal.RequireFromString(r.Text)
			if d.LessThan(lo) {
				lo, ch.Min = d, r.Text
			}
			if d.GreaterThan(hi) {
				hi, ch.Max = d, r.Text
			}
		}
		span := last.Sub(first).Hours()
		rng := hi.Sub(lo).InexactFloat64()
		var pts []string
		for _, r := range rs {
			t, _ := time.Parse(time.DateOnly, r.Effective)
			x := float64(chartW) / 2
			if span > 0 {
				x = chartPad + (float64(chartW)-2*chartPad)*t.Sub(first).Hours()/span
			}
			y := float64(chartH) / 2
			if rng > 0 {
				y = float64(chartH) - chartPad - (float64(chartH)-2*chartPad)*decimal.RequireFromString(r.Text).Sub(lo).InexactFloat64()/rng
			}
			xs, ys := fmt.Sprintf("%.1f", x), fmt.Sprintf("%.1f", y)
			pts = append(pts, xs+","+ys)
			ch.Dots = append(ch.Dots, chartDot{X: xs, Y: ys, Label: fmt.Sprintf("%s: %s PKR (%s)", r.Effective, r.Text, r.Source)})
		}
		ch.Points = strings.Join(pts, " ")
		ch.LastRate, ch.Last = rs[len(rs)-1].Text, rs[len(rs)-1].Effective
		ch.Summary = fmt.Sprintf("%s: %d rate(s) from %s to %s, lowest %s, highest %s, latest %s PKR from %s",
			cur, len(rs), ch.From, ch.To, ch.Min, ch.Max, ch.LastRate, ch.Last)
		out = append(out, ch)
	}
	return out
}

// ratesView reads what the rates page shows: the rates in force today, as
// GET /v1/rates?as_of= answers them, and every rate for the charts.
func (s *Server) ratesView(c echo.Context, a Actor, in finance.RateInput, fe formErrors, msg string) (ratesPage, error) {
	var ins inputs
	p := ratesPage{Key: newFormKey(), CanEnter: a.Role == access.RoleFinance, Message: msg}
	p.Fields = map[string]*input{"currency": ins.field("currency", in.Currency), "rate": ins.field("rate", in.Rate),
		"effective": ins.field("effective", in.Effective), "source": ins.field("source", in.Source)}
	for _, cur := range money.All() {
		if cur.Code != money.PKR.Code {
			p.Currency = append(p.Currency, cur.Code)
		}
	}
	p.Top = ins.place(fe)
	var all []finance.Rate
	err := s.store.View(func(tx *ledger.Tx) error {
		today := finance.Today(tx.Now)
		p.Today = finance.FormatDate(today)
		if err := finance.AllRates(tx, func(r finance.Rate) error { all = append(all, r); return nil }); err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, r := range all {
			if seen[r.Currency] {
				continue
			}
			seen[r.Currency] = true
			cur, ok, err := s.fin(c).RateInForce(tx, r.Currency, today, "")
			if err != nil {
				return err
			}
			if ok {
				p.InForce = append(p.InForce, cur)
			}
		}
		return nil
	})
	slices.SortFunc(p.InForce, func(a, b finance.Rate) int { return strings.Compare(a.Currency, b.Currency) })
	p.Charts = rateCharts(all)
	return p, err
}

func (s *Server) consoleRates(c echo.Context) error {
	// The API operation's roles, checked as the API checks them.
	if err := requireRole(c, access.Readers...); err != nil {
		return err
	}
	a := actorOf(c)
	p, err := s.ratesView(c, a, finance.RateInput{Effective: finance.FormatDate(finance.Today(time.Now()))}, nil, "")
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "forms/rates.html", p)
}

// consoleRateSubmit enters a rate as POST /v1/rates does.
func (s *Server) consoleRateSubmit(c echo.Context) error {
	// The API operation's roles, checked as the API checks them.
	if err := requireRole(c, access.RoleFinance); err != nil {
		return err
	}
	a := actorOf(c)
	in := finance.RateInput{Currency: strings.TrimSpace(c.FormValue("currency")), Rate: strings.TrimSpace(c.FormValue("rate")),
		Effective: strings.TrimSpace(c.FormValue("effective")), Source: strings.TrimSpace(c.FormValue("source"))}
	var entered finance.Rate
	_, err := finance.CheckRate(in)
	if err == nil {
		var reply []byte
		_, reply, err = s.writeForm(c.Request().Context(), a, "rate", c.FormValue("key"), in, func(tx *ledger.Tx) (int, any, error) {
			r, err := s.fin(c).AddRate(tx, in, a.String())
			return http.StatusCreated, r, err
		})
		if err == nil {
			err = json.Unmarshal(reply, &entered)
		}
	}
	if err == nil {
		p, err := s.ratesView(c, a, finance.RateInput{Effective: in.Effective, Source: in.Source}, nil, "")
		if err != nil {
			return err
		}
		p.Entered = &entered
		return s.render(c, http.StatusCreated, "forms/rates.html", p)
	}
	return s.refusedPage(c, err, func(fe formErrors, msg string) (any, error) { return s.ratesView(c, a, in, fe, msg) }, "forms/rates.html")
}

// refusedPage draws a form again with a domain refusal's reasons on its
// inputs, answering the status the API would. An error that is not a
// refusal of the input fails the request.
func (s *Server) refusedPage(c echo.Context, err error, view func(formErrors, string) (any, error), page string) error {
	fe, msg, ferr := fieldProblems(err)
	if ferr != nil {
		return ferr
	}
	if ledger.ErrorCode(err) == ledger.EForbidden {
		return err
	}
	data, verr := view(fe, msg)
	if verr != nil {
		return verr
	}
	return s.render(c, s.toProblem(err).Status, page, data)
}

// valuationPage is the data of forms/valuation.html.
type valuationPage struct {
	AsOf    *input
	GroupBy *input
	Groups  []string
	Top     []string
	V       *finance.Valuation
	Stale   int
	Missing int
}

// consoleValuation shows GET /v1/valuation's answer for as_of and group_by.
func (s *Server) consoleValuation(c echo.Context) error {
	// The API operation's roles, checked as the API checks them.
	if err := requireRole(c, access.Readers...); err != nil {
		return err
	}
	q := c.QueryParams()
	group := q.Get("group_by")
	if group == "" {
		group = finance.ByCurrency
	}
	var ins inputs
	p := valuationPage{AsOf: ins.field("as_of", q.Get("as_of")), GroupBy: ins.field("group_by", group),
		Groups: []string{finance.ByCurrency, finance.ByCase, finance.ByCircle, finance.ByLocation}}
	var v finance.Valuation
	err := finance.CheckGroupBy(group)
	if err != nil {
		err = ledger.FieldErr("group_by", err.Error())
	} else {
		err = s.store.View(func(tx *ledger.Tx) error {
			asOf := finance.Today(tx.Now)
			if d := q.Get("as_of"); d != "" {
				t, perr := finance.ParseDate(d)
				if perr != nil {
					return ledger.FieldErr("as_of", perr.Error())
				}
				asOf = t
			}
			if p.AsOf.Value == "" {
				p.AsOf.Value = finance.FormatDate(asOf)
			}
			var err error
			v, err = s.fin(c).Value(tx, asOf, group)
			return err
		})
	}
	if err != nil {
		fe, msg, ferr := fieldProblems(err)
		if ferr != nil {
			return ferr
		}
		p.Top = append(ins.place(fe), msg)
		return s.render(c, s.toProblem(err).Status, "forms/valuation.html", p)
	}
	for _, r := range v.Rows {
		if r.StaleRate {
			p.Stale++
		}
		if r.MissingRate {
			p.Missing++
		}
	}
	p.V = &v
	return s.render(c, http.StatusOK, "forms/valuation.html", p)
}

// reconPage is the data of forms/reconciliations.html.
type reconPage struct {
	Key      string
	Methods  []string
	CanEnter bool
	Fields   map[string]*input // item_id, location, date, method, explanation
	Counts   []map[string]*input
	Top      []string
	Message  string
	Result   *finance.Reconciliation
	Pending  uint64 // the approval a count with a variance waits on
	Open     []finance.Reconciliation
}

func (s *Server) reconView(c echo.Context, a Actor, in finance.ReconciliationInput, fe formErrors, msg string) (reconPage, error) {
	var ins inputs
	p := reconPage{Key: newFormKey(), Methods: []string{"count", "chain", "statement"}, CanEnter: a.Role == access.RoleFinance, Message: msg}
	p.Fields = map[string]*input{"item_id": ins.field("item_id", in.ItemID), "location": ins.field("location", in.Location),
		"date": ins.field("date", in.Date), "method": ins.field("method", in.Method), "explanation": ins.field("explanation", in.Explanation),
		"counts": ins.field("counts", "")}
	for j, ct := range append(slices.Clone(in.Counts), finance.CountInput{}, finance.CountInput{}) {
		cp := fmt.Sprintf("counts[%d]", j)
		p.Counts = append(p.Counts, map[string]*input{"self": ins.field(cp, ""), "currency": ins.field(cp+".currency", ct.Currency),
			"amount": ins.field(cp+".amount", ct.Amount)})
	}
	p.Top = ins.place(fe)
	err := s.store.View(func(tx *ledger.Tx) error {
		var err error
		p.Open, _, err = s.fin(c).Discrepancies(tx, 0, 1000)
		return err
	})
	return p, err
}

func (s *Server) consoleReconciliations(c echo.Context) error {
	// The API operation's roles, checked as the API checks them.
	if err := requireRole(c, access.Readers...); err != nil {
		return err
	}
	a := actorOf(c)
	p, err := s.reconView(c, a, finance.ReconciliationInput{Date: finance.FormatDate(finance.Today(time.Now())), Method: "count"}, nil, "")
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "forms/reconciliations.html", p)
}

// reconInput reads the count form. Count rows left blank are dropped.
func reconInput(vals url.Values) finance.ReconciliationInput {
	in := finance.ReconciliationInput{ItemID: strings.TrimSpace(vals.Get("item_id")), Location: strings.TrimSpace(vals.Get("location")),
		Date: strings.TrimSpace(vals.Get("date")), Method: vals.Get("method"), Explanation: vals.Get("explanation")}
	for _, row := range rows(vals, "counts") {
		if blank(row) {
			continue
		}
		in.Counts = append(in.Counts, finance.CountInput{Currency: strings.TrimSpace(row.Get("currency")), Amount: strings.TrimSpace(row.Get("amount"))})
	}
	return in
}

// consoleReconciliationSubmit records a count as POST /v1/reconciliations
// does: a count that posts a variance is proposed for a supervisor's
// approval instead (the two-person rule).
func (s *Server) consoleReconciliationSubmit(c echo.Context) error {
	// The API operation's roles, checked as the API checks them.
	if err := requireRole(c, access.RoleFinance); err != nil {
		return err
	}
	a := actorOf(c)
	vals, err := c.FormParams()
	if err != nil {
		return ledger.Errorf(ledger.EMalformed, "read form: %v", err)
	}
	in := reconInput(vals)
	var rec finance.Reconciliation
	var approval struct {
		ID uint64 `json:"id"`
	}
	_, err = finance.CheckReconciliation(in)
	var variance bool
	if err == nil {
		variance, err = s.reg(c).ReconciliationNeedsApproval(c.Request().Context(), s.store, in, a.String())
	}
	if err == nil {
		var reply []byte
		var status int
		status, reply, err = s.writeForm(c.Request().Context(), a, "reconciliation", vals.Get("key"), in, func(tx *ledger.Tx) (int, any, error) {
			if variance {
				ap, err := s.reg(c).ProposeReconciliation(tx, in, a.String())
				return http.StatusAccepted, ap, err
			}
			r, err := s.reg(c).Reconcile(tx, in, a.String())
			return http.StatusCreated, r, err
		})
		switch {
		case err != nil:
		case status == http.StatusAccepted:
			variance, err = true, json.Unmarshal(reply, &approval)
		default:
			variance, err = false, json.Unmarshal(reply, &rec)
		}
	}
	if err != nil {
		return s.refusedPage(c, err, func(fe formErrors, msg string) (any, error) { return s.reconView(c, a, in, fe, msg) }, "forms/reconciliations.html")
	}
	p, err := s.reconView(c, a, finance.ReconciliationInput{Date: in.Date, Method: in.Method}, nil, "")
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if variance {
		p.Pending, status = approval.ID, http.StatusAccepted
	} else {
		p.Result = &rec
	}
	return s.render(c, status, "forms/reconciliations.html", p)
}

// consoleVerify shows GET /v1/verify's checks.
func (s *Server) consoleVerify(c echo.Context) error {
	// The API operation's roles, checked as the API checks them.
	if err := requireRole(c, access.RoleAuditor, access.RoleFinance, access.RoleAdmin); err != nil {
		return err
	}
	parts, ok := s.svc.RunChecks()
	if !actorOf(c).Scope.All {
		// As the API answers a caller of some circles: each check's
		// outcome, not the counts and errors that describe every circle.
		parts = service.Outline(parts)
	}
	return s.render(c, http.StatusOK, "forms/verify.html", map[string]any{"OK": ok, "Checks": parts, "At": time.Now().UTC().Format(time.RFC3339)})
}
