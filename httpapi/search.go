package httpapi

import (
	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain/evidence"
	"github.com/amanat-ledger/amanat/ledger"
)

// routesSearch registers the search over cases and items.
func (s *Server) routesSearch(g *echo.Group) {
	g.GET("/search", s.getSearch)
}

// getSearch answers GET /v1/search?q= (reader roles): the cases and items
// with a field that has a word starting with q, one hit per field.
func (s *Server) getSearch(c echo.Context) error {
	reg, err := s.registryReader(c)
	if err != nil {
		return err
	}
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	var hits []evidence.Hit
	var next []byte
	if err := s.store.View(func(tx *ledger.Tx) (err error) {
		hits, next, err = reg.Search(tx, c.QueryParam("q"), page.Cursor, page.Limit)
		return err
	}); err != nil {
		return err
	}
	page.Next(next)
	return page.Write(c, hits)
}
