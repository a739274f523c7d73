package httpapi

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/evidence"
	"github.com/amanat-ledger/amanat/ledger"
)

// routesOrders registers the court orders (docs/custody.md, "Court orders").
func (s *Server) routesOrders(g *echo.Group) {
	g.POST("/court-orders", s.postCourtOrder)
	g.GET("/court-orders", s.listCourtOrders)
	g.GET("/court-orders/:id", s.getCourtOrder)
}

// orderJSON is a court order as the API answers it; ended_by is null while
// the order is in force.
type orderJSON struct {
	evidence.CourtOrder
	InForce bool    `json:"in_force"`
	EndedBy *uint64 `json:"ended_by"`
}

func toOrderJSON(o evidence.OrderView) orderJSON {
	j := orderJSON{CourtOrder: o.CourtOrder, InForce: o.EndedBy == 0}
	if o.EndedBy != 0 {
		end := o.EndedBy
		j.EndedBy = &end
	}
	return j
}

// postCourtOrder answers POST /v1/court-orders (custodian or supervisor:
// the malkhana receives the order, or the officer it is addressed to): 201 with the
// registered order.
func (s *Server) postCourtOrder(c echo.Context) error {
	if err := requireRole(c, access.RoleCustodian, access.RoleSupervisor); err != nil {
		return err
	}
	var req evidence.CourtOrderRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	o, err := evidence.CheckCourtOrder(req, time.Now())
	if err != nil {
		return err
	}
	actor := actorOf(c).String()
	return s.writeOnce(c, func(tx *ledger.Tx) (int, any, error) {
		made, err := s.reg(c).CreateCourtOrder(tx, o, actor)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, toOrderJSON(evidence.OrderView{CourtOrder: made}), nil
	})
}

// listCourtOrders answers GET /v1/court-orders?item_id=&kind= in id order.
func (s *Server) listCourtOrders(c echo.Context) error {
	reg, err := s.registryReader(c)
	if err != nil {
		return err
	}
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	after, ok := page.After()
	if !ok {
		return ledger.FieldErr("cursor", cursorForeign)
	}
	f := evidence.OrderFilter{Kind: c.QueryParam("kind"), After: after, Limit: page.Limit}
	if v := c.QueryParam("item_id"); v != "" {
		if f.Item, err = strconv.ParseUint(v, 10, 64); err != nil || f.Item == 0 {
			return ledger.FieldErr("item_id", fmt.Sprintf("%q is not an item id", v))
		}
	}
	out := []orderJSON{}
	if err := s.store.View(func(tx *ledger.Tx) error {
		orders, next, err := reg.CourtOrders(tx, f)
		if err != nil {
			return err
		}
		page.NextAfter(next)
		for _, o := range orders {
			out = append(out, toOrderJSON(o))
		}
		return nil
	}); err != nil {
		return err
	}
	return page.Write(c, out)
}

// getCourtOrder answers GET /v1/court-orders/{id}.
func (s *Server) getCourtOrder(c echo.Context) error {
	reg, err := s.registryReader(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var o evidence.OrderView
	if err := s.store.View(func(tx *ledger.Tx) error { o, err = reg.CourtOrder(tx, id); return err }); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toOrderJSON(o))
}
