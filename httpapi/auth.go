package httpapi

import (
	"fmt"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/ledger"
)

// Actor is the authenticated caller of a request.
type Actor struct {
	TokenID uint64
	Name    string
	Role    string
	// Scope is the circles the caller may see and act in. A token made
	// before user accounts has every circle.
	Scope access.Scope
}

// String is how the books record who acted: "role:name".
func (a Actor) String() string { return a.Role + ":" + a.Name }

const actorKey = "amanat.actor"

// authenticate admits a request with a live bearer token and records its actor.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		scheme, token, ok := strings.Cut(h, " ")
		if h == "" {
			return ledger.Errorf(ledger.EUnauthorized, "send Authorization: Bearer TOKEN")
		}
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			return ledger.Errorf(ledger.EUnauthorized, "the Authorization header must be \"Bearer TOKEN\"")
		}
		rec, found, err := s.tokens.Lookup(strings.TrimSpace(token))
		if err != nil {
			return fmt.Errorf("look up token: %w", err)
		}
		if !found {
			return ledger.Errorf(ledger.EUnauthorized, "the token is not valid or was revoked")
		}
		c.Set(actorKey, Actor{TokenID: rec.ID, Name: rec.Name, Role: rec.Role, Scope: rec.CircleScope()})
		return next(c)
	}
}

// authenticateV1 applies authenticate to every request under /v1, whether or
// not a route matched, so even a wrong path or method is not answered
// without a token.
func (s *Server) authenticateV1(next echo.HandlerFunc) echo.HandlerFunc {
	auth := s.authenticate(next)
	return func(c echo.Context) error {
		if p := c.Request().URL.Path; p == "/v1" || strings.HasPrefix(p, "/v1/") {
			return auth(c)
		}
		return next(c)
	}
}

// actorOf is the authenticated caller.
func actorOf(c echo.Context) Actor {
	a, _ := c.Get(actorKey).(Actor)
	return a
}

// requireRole refuses the request unless the caller holds one of roles.
func requireRole(c echo.Context, roles ...string) error {
	a := actorOf(c)
	if slices.Contains(roles, a.Role) {
		return nil
	}
	return ledger.Errorf(ledger.EForbidden, "role %s may not %s %s (allowed: %s)", a.Role, c.Request().Method, c.Path(), strings.Join(roles, ", "))
}

// requireAllCircles refuses a caller limited to some circles: a backup holds
// every circle's books, and a token a scoped admin made or revoked could
// reach beyond the admin's own circles.
func requireAllCircles(c echo.Context) error {
	if a := actorOf(c); !a.Scope.All {
		return ledger.Errorf(ledger.EForbidden, "%s %s needs a caller of every circle; this token sees only %s", c.Request().Method, c.Path(), a.Scope)
	}
	return nil
}
