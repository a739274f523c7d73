package httpapi

import (
	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain/alerts"
	"github.com/amanat-ledger/amanat/ledger"
)

// routesAlerts registers the open alerts.
func (s *Server) routesAlerts(g *echo.Group) {
	g.GET("/alerts", s.getAlerts)
}

// getAlerts answers GET /v1/alerts: the open alerts as of now, items by id
// then currencies, each by rule.
func (s *Server) getAlerts(c echo.Context) error {
	page, err := readerPage(c)
	if err != nil {
		return err
	}
	if page.Cursor != nil && !alerts.IsKey(string(page.Cursor)) {
		return ledger.FieldErr("cursor", cursorUnknown)
	}
	var out []alerts.Alert
	var next string
	if err := s.store.View(func(tx *ledger.Tx) (err error) {
		out, next, err = s.svc.Alerts.In(s.reg(c)).List(tx, string(page.Cursor), page.Limit)
		return err
	}); err != nil {
		return err
	}
	if next != "" {
		page.Next([]byte(next))
	}
	return page.Write(c, out)
}
