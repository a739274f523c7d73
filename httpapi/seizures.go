package httpapi

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/evidence"
	"github.com/amanat-ledger/amanat/ledger"
)

// postSeizure answers POST /v1/seizures (custodian): the items, the ledger
// transaction that puts their holdings into custody and each item's first
// custody entry, in one store write. Everything that can be checked without
// writing is checked first, so a 422 never joins a commit group; one bad item
// refuses the whole seizure and nothing is written.
func (s *Server) postSeizure(c echo.Context) error {
	if err := requireRole(c, access.RoleCustodian); err != nil {
		return err
	}
	reg := s.reg(c)
	var req evidence.SeizureRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	seizure, err := evidence.CheckSeizure(req, time.Now())
	if err != nil {
		return err
	}
	err = s.store.View(func(tx *ledger.Tx) error { return reg.Precheck(tx, &seizure) })
	if err != nil && c.Request().Header.Get("Idempotency-Key") == "" {
		return err
	}
	// With an Idempotency-Key a refusal here may be a retry of a seizure
	// that was registered (its seals are now taken): writeOnce answers a
	// retry with the first answer, and judges anything else inside the
	// write, where Register checks again.
	actor := actorOf(c).String()
	return s.writeOnce(c, func(tx *ledger.Tx) (int, any, error) {
		rec, err := reg.Register(tx, &seizure, actor)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, rec, nil
	})
}
