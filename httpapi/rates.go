package httpapi

import (
	"net/http"
	"sort"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/finance"
	"github.com/amanat-ledger/amanat/ledger/money"
)

// routesFinance registers rates, valuation, conversions and reconciliations.
func (s *Server) routesFinance(g *echo.Group) {
	g.POST("/rates", s.postRate)
	g.GET("/rates", s.getRates)
	g.GET("/valuation", s.getValuation)
	g.GET("/valuation/seizure", s.getSeizureValuation)
	g.POST("/conversions", s.postConversion)
	g.GET("/conversions", s.getConversions)
	g.POST("/reconciliations", s.postReconciliation)
	g.GET("/reconciliations", s.getReconciliations)
	g.GET("/reconciliations/discrepancies", s.getDiscrepancies)
}

func (s *Server) postRate(c echo.Context) error {
	if err := requireRole(c, access.RoleFinance); err != nil {
		return err
	}
	var in finance.RateInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	// Refuse bad input before it joins a commit group.
	if _, err := finance.CheckRate(in); err != nil {
		return err
	}
	actor := actorOf(c).String()
	return s.writeOnce(c, func(tx *ledger.Tx) (int, any, error) {
		r, err := s.finance.AddRate(tx, in, actor)
		return http.StatusCreated, r, err
	})
}

// queryDate reads a YYYY-MM-DD query parameter; ok is false when absent.
func queryDate(c echo.Context, name string) (d time.Time, ok bool, err error) {
	v := c.QueryParam(name)
	if v == "" {
		return time.Time{}, false, nil
	}
	t, err := finance.ParseDate(v)
	if err != nil {
		return time.Time{}, false, ledger.FieldErr(name, err.Error())
	}
	return t, true, nil
}

// getRates answers the rate history (paged, in currency, effective date and
// entry order) or, with as_of, the rate in force on that date of the given
// currency (404 when none) or of every currency that has one.
func (s *Server) getRates(c echo.Context) error {
	if err := requireRole(c, access.Readers...); err != nil {
		return err
	}
	var p ledger.Problems
	cur := c.QueryParam("currency")
	if cur != "" {
		if _, err := money.Lookup(cur); err != nil {
			p.Add("currency", err.Error())
		}
	}
	source := c.QueryParam("source")
	asOf, hasAsOf, err := queryDate(c, "as_of")
	if err != nil {
		return err
	}
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	if err := p.Err(); err != nil {
		return err
	}
	if !hasAsOf {
		var out []finance.Rate
		err := s.store.View(func(tx *ledger.Tx) error {
			rates, next, err := s.finance.Rates(tx, finance.RateFilter{Currency: cur, Source: source, After: page.Cursor, Limit: page.Limit})
			out = rates
			page.Next(next)
			return err
		})
		if err != nil {
			return err
		}
		return page.Write(c, out)
	}
	var out []finance.Rate
	err = s.store.View(func(tx *ledger.Tx) error {
		codes := []string{cur}
		if cur == "" {
			seen := map[string]bool{}
			codes = nil
			err := finance.AllRates(tx, func(r finance.Rate) error {
				if !seen[r.Currency] {
					seen[r.Currency] = true
					codes = append(codes, r.Currency)
				}
				return nil
			})
			if err != nil {
				return err
			}
			sort.Strings(codes)
		}
		for _, code := range codes {
			r, ok, err := s.finance.RateInForce(tx, code, asOf, source)
			if err != nil {
				return err
			}
			if ok {
				out = append(out, r)
			} else if cur != "" {
				return ledger.Errorf(ledger.ENotFound, "no %s rate in force on or before %s", code, finance.FormatDate(asOf))
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return page.Write(c, out) // the rates in force: one page
}
