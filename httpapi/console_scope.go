package httpapi

import (
	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain/alerts"
	"github.com/amanat-ledger/amanat/chain/evidence"
	"github.com/amanat-ledger/amanat/ledger/finance"
)

// The register, finance and alerts as a caller sees them. The console and
// custodyWrite reach the domain only through these three, so that a
// caller's circles (Actor.Scope) limit its pages exactly as they limit its
// API calls. Until the register takes a scope, each is the whole service:
// when the scoped register (evidence.Registry.In) is merged, reg and fin
// here give way to the API's own, and alertsFor becomes
// s.svc.Alerts.In(s.reg(c)).

// reg is the register as the caller sees it.
func (s *Server) reg(echo.Context) *evidence.Registry { return s.evidence }

// fin is finance as the caller sees it.
func (s *Server) fin(echo.Context) *finance.Service { return s.finance }

// alertsFor is the open alerts the caller may see.
func (s *Server) alertsFor(echo.Context) *alerts.Service { return s.svc.Alerts }
