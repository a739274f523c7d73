package httpapi

import (
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/ledger"
)

// The admin API of user accounts. Its writes take no Idempotency-Key: the
// idempotency record keeps a SHA-256 of the request body, and a fast hash
// of a body holding a password would let anyone with the store file guess
// the password offline. A retried create answers 409 (the login is taken).
func (s *Server) routesUsers(g *echo.Group) {
	g.POST("/users", s.postUser)
	g.GET("/users", s.listUsers)
	g.GET("/users/:login", s.getUser)
	g.POST("/users/:login/disable", s.disableUser)
	g.POST("/users/:login/password", s.setPassword)
	g.POST("/users/:login/tokens", s.postUserToken)
}

type userJSON struct {
	ID         uint64   `json:"id"`
	Login      string   `json:"login"`
	Display    string   `json:"display"`
	Roles      []string `json:"roles"`
	Circles    []string `json:"circles"`
	AllCircles bool     `json:"all_circles"`
	Created    string   `json:"created"`
	CreatedBy  string   `json:"created_by"`
	Disabled   *string  `json:"disabled"`
}

// stamp is a time as the API answers it.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func userOut(u access.User) userJSON {
	j := userJSON{ID: u.ID, Login: u.Login, Display: u.Display, Roles: u.Roles, Circles: u.Scope.Circles, AllCircles: u.Scope.All,
		Created: stamp(u.Created), CreatedBy: u.CreatedBy}
	if j.Circles == nil {
		j.Circles = []string{}
	}
	if u.Disabled != nil {
		d := stamp(*u.Disabled)
		j.Disabled = &d
	}
	return j
}

// users is the service's user accounts, or 503 on a server without them.
func (s *Server) users() (*access.Users, error) {
	if s.svc.Users == nil {
		return nil, ledger.Errorf(ledger.EUnavailable, "this server has no user accounts")
	}
	return s.svc.Users, nil
}

// userAdmin admits an admin of every circle (requireUserAdmin) to the
// service's user accounts: every handler of /v1/users starts here.
func (s *Server) userAdmin(c echo.Context) (*access.Users, error) {
	if err := requireUserAdmin(c); err != nil {
		return nil, err
	}
	return s.users()
}

// noIdempotencyKey refuses the header on writes that carry a password.
func noIdempotencyKey(c echo.Context) error {
	if c.Request().Header.Get("Idempotency-Key") != "" {
		return ledger.FieldErr("Idempotency-Key", "is not taken here: the request carries a password, and its hash must not be stored")
	}
	return nil
}

// postUser makes a user (admin).
func (s *Server) postUser(c echo.Context) error {
	users, err := s.userAdmin(c)
	if err != nil {
		return err
	}
	if err := noIdempotencyKey(c); err != nil {
		return err
	}
	var req access.UserRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := users.CreateUser(c.Request().Context(), req, actorOf(c).String())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, userOut(u))
}

// listUsers answers GET /v1/users (admin): every user by id, paged.
func (s *Server) listUsers(c echo.Context) error {
	users, err := s.userAdmin(c)
	if err != nil {
		return err
	}
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	after, err := page.AfterID()
	if err != nil {
		return err
	}
	out := []userJSON{}
	err = s.store.View(func(tx *ledger.Tx) error {
		all, err := users.List(tx)
		for _, u := range all {
			if u.ID <= after {
				continue
			}
			if len(out) == page.Limit {
				page.NextAfter(out[len(out)-1].ID)
				break
			}
			out = append(out, userOut(u))
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("list users: %w", err)
	}
	return page.Write(c, out)
}

// lookUser is the user the path names, or 404.
func lookUser(tx *ledger.Tx, users *access.Users, login string) (access.User, error) {
	u, ok, err := users.Get(tx, login)
	if err != nil {
		return access.User{}, err
	}
	if !ok {
		return access.User{}, ledger.Errorf(ledger.ENotFound, "user %q not found", login)
	}
	return u, nil
}

func (s *Server) getUser(c echo.Context) error {
	users, err := s.userAdmin(c)
	if err != nil {
		return err
	}
	var u access.User
	err = s.store.View(func(tx *ledger.Tx) error {
		u, err = lookUser(tx, users, c.Param("login"))
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, userOut(u))
}

// disableUser disables a user (admin): their password, sessions and tokens
// stop working with this write. An admin may not disable themselves
// (access.Users.Disable's rule).
func (s *Server) disableUser(c echo.Context) error {
	users, err := s.userAdmin(c)
	if err != nil {
		return err
	}
	var u access.User
	err = s.store.Write(c.Request().Context(), func(tx *ledger.Tx) error {
		u, err = users.Disable(tx, c.Param("login"), actorOf(c).User)
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, userOut(u))
}

// setPassword sets a user's console password (admin).
func (s *Server) setPassword(c echo.Context) error {
	users, err := s.userAdmin(c)
	if err != nil {
		return err
	}
	if err := noIdempotencyKey(c); err != nil {
		return err
	}
	var req struct {
		Password string `json:"password"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	login := c.Param("login")
	var u access.User
	err = s.store.View(func(tx *ledger.Tx) error {
		u, err = lookUser(tx, users, login)
		return err
	})
	if err != nil {
		return err
	}
	if err := users.SetPassword(c.Request().Context(), u.Login, req.Password); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, userOut(u))
}

// postUserToken issues a token of the user (admin): it acts as the user,
// with the user's roles and scope. The token is in this answer only.
func (s *Server) postUserToken(c echo.Context) error {
	if err := requireUserAdmin(c); err != nil {
		return err
	}
	var req struct {
		Name          string `json:"name"`
		ExpiresInDays int    `json:"expires_in_days"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.ExpiresInDays < 0 || time.Duration(req.ExpiresInDays)*24*time.Hour > access.MaxTokenTTL {
		return ledger.FieldErr("expires_in_days", fmt.Sprintf("must be from 1 to %d (none: the server's default)", access.MaxTokenTTL/(24*time.Hour)))
	}
	var out tokenJSON
	err := s.store.Write(c.Request().Context(), func(tx *ledger.Tx) error {
		token, rec, err := s.tokens.Issue(tx, access.TokenRequest{User: c.Param("login"), Name: req.Name,
			TTL: time.Duration(req.ExpiresInDays) * 24 * time.Hour}, actorOf(c).String())
		out = tokenOut(rec)
		out.Token = token
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, out)
}

// requireUserAdmin admits an admin of every circle: an admin limited to some
// circles could otherwise make a user, or a token, that sees every circle.
func requireUserAdmin(c echo.Context) error {
	if err := requireRole(c, access.RoleAdmin); err != nil {
		return err
	}
	return requireAllCircles(c)
}
