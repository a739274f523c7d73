package httpapi

import (
	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain/alerts"
)

// alertsFor is the open alerts the caller may see: those of the items its
// circles cover (the API's reg), as GET /v1/alerts answers them.
func (s *Server) alertsFor(c echo.Context) *alerts.Service { return s.svc.Alerts.In(s.reg(c)) }
