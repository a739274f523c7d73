package httpapi

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain/register"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/finance"
	"github.com/amanat-ledger/amanat/ledger/money"
	"github.com/amanat-ledger/amanat/ledger/text"
)

// registerDoc is the malkhana register of one location over a date range:
// the rows of GET /v1/register as of To, of the items seized on or after
// From, at Location (all locations when empty).
type registerDoc struct {
	Location string
	From, To string
	Rows     []register.Row
	TotalPKR string // the exact sum of the rows' values
	Unvalued int    // rows without a value (a holding without a rate)
	Refused  bool   // a field was refused: the page shows the form alone
}

// atRegisterLocation: a location is the register's location column
// ("circle/building/room", "wallet:ADDRESS", "superdari:HOLDER") or a
// leading part of it, so "islamabad" is every place of the circle.
func atRegisterLocation(row, q string) bool {
	return q == "" || row == q || strings.HasPrefix(row, q+"/")
}

// docRegister is GET /docs/register?location=&from=&to=.
func (s *Server) docRegister(c echo.Context) error {
	a, err := docReader(c)
	if err != nil {
		return err
	}
	doc := registerDoc{Location: strings.TrimSpace(c.QueryParam("location")), From: c.QueryParam("from"), To: c.QueryParam("to")}
	reg := register.Register{Items: s.docRegistry(a), Custody: s.svc.Custody, Finance: s.fin(c)}
	err = s.store.View(func(tx *ledger.Tx) error {
		var probs ledger.Problems
		if reason := text.Check(doc.Location, 200, text.Line); reason != "" {
			probs.Add("location", reason)
		}
		to, err := register.CheckDate("to", doc.To, tx.Now)
		fieldProblem(&probs, err)
		var from time.Time
		if doc.From != "" {
			from, err = register.CheckDate("from", doc.From, tx.Now)
			fieldProblem(&probs, err)
			if err == nil && from.After(to) {
				probs.Add("from", "is after to")
			}
		}
		if err := probs.Err(); err != nil {
			return err
		}
		doc.To = finance.FormatDate(to)
		return s.registerRows(tx, reg, from, to, &doc)
	})
	if namesField(err) {
		doc.Refused = true
		return s.renderProblem(c, "docs/register.html", doc, err)
	}
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "docs/register.html", doc)
}

func (s *Server) registerRows(tx *ledger.Tx, reg register.Register, from, to time.Time, doc *registerDoc) error {
	total := money.Zero(money.MustLookup("PKR"))
	for after := uint64(0); ; {
		rows, next, err := reg.Rows(tx, to, after, 1000)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if r.SeizedAt.Before(from) || !atRegisterLocation(r.Location, doc.Location) {
				continue
			}
			doc.Rows = append(doc.Rows, r)
			if r.ValuePKR == nil {
				doc.Unvalued++
				continue
			}
			v, err := money.ParseStored(total.Currency(), *r.ValuePKR)
			if err != nil {
				return err
			}
			if total, err = total.Add(v); err != nil {
				return err
			}
		}
		if next == 0 {
			break
		}
		after = next
	}
	doc.TotalPKR = total.String()
	return nil
}

// fieldProblem adds a field error of err to probs.
func fieldProblem(probs *ledger.Problems, err error) {
	var le *ledger.Error
	if errors.As(err, &le) {
		for _, f := range le.Fields {
			probs.Add(f.Field, f.Reason)
		}
	}
}

// namesField reports whether err refuses a field of the page's form,
// which the page then shows next to the field (renderProblem); any other
// error is the console's error page.
func namesField(err error) bool {
	var le *ledger.Error
	return errors.As(err, &le) && len(le.Fields) > 0
}

// valuationDoc is the valuation statement as of a date, by currency, with
// each rate's source and effective date.
type valuationDoc struct {
	AsOf      string
	Valuation finance.Valuation
	Refused   bool
}

// docValuation is GET /docs/valuation?as_of=DATE: GET /v1/valuation by
// currency, printed.
func (s *Server) docValuation(c echo.Context) error {
	if _, err := docReader(c); err != nil {
		return err
	}
	doc := valuationDoc{AsOf: c.QueryParam("as_of")}
	err := s.store.View(func(tx *ledger.Tx) error {
		asOf, err := asOfDate(c, tx.Now)
		if err != nil {
			return err
		}
		doc.Valuation, err = s.fin(c).Value(tx, asOf, finance.ByCurrency)
		doc.AsOf = finance.FormatDate(asOf)
		return err
	})
	if namesField(err) {
		doc.Refused = true
		return s.renderProblem(c, "docs/valuation.html", doc, err)
	}
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "docs/valuation.html", doc)
}
