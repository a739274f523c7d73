package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// routesConsolePages registers the console's own pages: the dashboard,
// cases, items and approvals.
func (s *Server) routesConsolePages(g *echo.Group) {
	g.GET("/", s.consoleDashboard)
}

// dashboardPage is the data of dashboard.html.
type dashboardPage struct{}

func (s *Server) consoleDashboard(c echo.Context) error {
	return s.render(c, http.StatusOK, "dashboard.html", dashboardPage{})
}
