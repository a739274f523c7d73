package httpapi

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/ledger"
)

// Actor is the authenticated caller of a request.
type Actor struct {
	TokenID   uint64 // the API token used; 0 for a console session
	SessionID uint64 // the console session used; 0 for an API token
	// Name is who acted: the user's login, or, for a token made before
	// user accounts, the token's name.
	Name string
	// User is the caller's login; empty for a token made before user
	// accounts.
	User string
	// Role is the role the caller acts in: the first of Roles until
	// requireRole admits the request, then the first of Roles the
	// operation allows.
	Role string
	// Roles are every role the caller holds: the user's roles as stored
	// now, or the one role of a token made before user accounts.
	Roles []string
	// Scope is the circles the caller may see and act in: the user's, or
	// every circle for a token made before user accounts.
	Scope access.Scope
}

// String is how the books record who acted: "role:name", e.g.
// "custodian:ayesha", the role being the one the operation was allowed
// for. Two tokens of one user record the same person; the login, unique in
// any case, never blurs two people.
func (a Actor) String() string { return a.Role + ":" + a.Name }

// actorForUser is the actor of user u: the API's token authentication and
// the console's sessions build it alike (tokenID for a token, sessionID for
// a session).
func actorForUser(u access.User, tokenID, sessionID uint64) Actor {
	return Actor{TokenID: tokenID, SessionID: sessionID, Name: u.Login, User: u.Login, Role: u.Roles[0],
		Roles: slices.Clone(u.Roles), Scope: u.Scope}
}

// actorForUser is the actor of u in console session sessionID.
func (s *Server) actorForUser(u access.User, sessionID uint64) Actor {
	return actorForUser(u, 0, sessionID)
}

// sessionActor is the actor of a live console session token: the user as
// stored now, with the session's id. It reports false for a token that
// opens no live session (unknown, ended, idle, expired, or of a disabled
// user).
func (s *Server) sessionActor(ctx context.Context, token string) (Actor, bool, error) {
	users, err := s.users()
	if err != nil {
		return Actor{}, false, err
	}
	sess, u, ok, err := users.Session(ctx, token)
	if err != nil || !ok {
		return Actor{}, false, err
	}
	return s.actorForUser(u, sess.ID), true, nil
}

// setActor records a as the caller of the request.
func setActor(c echo.Context, a Actor) { c.Set(actorKey, a) }

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
		rec, user, found, err := s.tokens.LookupUser(strings.TrimSpace(token))
		if err != nil {
			return fmt.Errorf("look up token: %w", err)
		}
		if !found {
			return ledger.Errorf(ledger.EUnauthorized, "the token is not valid, has expired or was revoked")
		}
		if rec.User != "" {
			setActor(c, actorForUser(user, rec.ID, 0))
		} else {
			setActor(c, Actor{TokenID: rec.ID, Name: rec.Name, Role: rec.Role, Roles: []string{rec.Role}, Scope: rec.CircleScope()})
		}
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

// requireRole refuses the request unless the caller holds one of roles,
// and makes the first of the caller's roles that roles allows the one the
// caller acts in (Actor.Role), which is what the books record.
func requireRole(c echo.Context, roles ...string) error {
	a := actorOf(c)
	held := a.Roles
	if len(held) == 0 && a.Role != "" {
		held = []string{a.Role}
	}
	for _, r := range held {
		if slices.Contains(roles, r) {
			if r != a.Role {
				a.Role = r
				setActor(c, a)
			}
			return nil
		}
	}
	return ledger.Errorf(ledger.EForbidden, "role %s may not %s %s (allowed: %s)", strings.Join(held, ", "), c.Request().Method, c.Path(), strings.Join(roles, ", "))
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
