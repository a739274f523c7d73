package httpapi

import (
	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain/register"
	"github.com/amanat-ledger/amanat/ledger"
)

// routesRegister registers the malkhana register.
func (s *Server) routesRegister(g *echo.Group) {
	g.GET("/register", s.getRegister)
}

// getRegister answers GET /v1/register?as_of=DATE: one row per item as the
// store stood at the end of that date (default today), in item id order.
func (s *Server) getRegister(c echo.Context) error {
	page, err := readerPage(c)
	if err != nil {
		return err
	}
	after, ok := page.After()
	if !ok {
		return ledger.FieldErr("cursor", cursorUnknown)
	}
	reg := register.Register{Items: s.reg(c), Custody: s.svc.Custody, Finance: s.fin(c)}
	var rows []register.Row
	var next uint64
	if err := s.store.View(func(tx *ledger.Tx) error {
		asOf, err := register.CheckDate("as_of", c.QueryParam("as_of"), tx.Now)
		if err != nil {
			return err
		}
		rows, next, err = reg.Rows(tx, asOf, after, page.Limit)
		return err
	}); err != nil {
		return err
	}
	if next != 0 {
		page.Next(ledger.BE64(next))
	}
	return page.Write(c, rows)
}
