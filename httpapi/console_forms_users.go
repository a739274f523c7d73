package httpapi

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/ledger"
)

// routesConsoleUsers registers the admin's page of users and tokens.
func (s *Server) routesConsoleUsers(g *echo.Group) {
	g.GET("/users", s.consoleUsers)
	g.POST("/users", s.consoleUserCreate)
	g.POST("/users/:login/disable", s.consoleUserDisable)
	g.POST("/users/:login/tokens", s.consoleUserToken)
	g.POST("/tokens/:id/revoke", s.consoleTokenRevoke)
}

// usersPage is the data of forms/users.html.
type usersPage struct {
	Fields   map[string]*input // login, display, circles, password, roles
	Roles    []roleChoice
	Users    []userRow
	Tokens   []tokenRow
	Top      []string
	Message  string
	Done     string
	NewToken *newToken
}

type roleChoice struct {
	Name    string
	Checked bool
}

type userRow struct {
	ID                                      uint64
	Login, Display, Roles, Circles, Created string
	Disabled                                string
}

type tokenRow struct {
	ID                        uint64
	Name, User, Role, Expires string
	Revoked                   bool
}

// newToken is a token just issued: drawn in this one answer, never stored
// but as its hash.
type newToken struct {
	Token, User, Name, Expires string
}

// usersView reads the users and tokens as GET /v1/users and GET
// /v1/tokens list them. The password typed is never drawn back.
func (s *Server) usersView(req access.UserRequest, fe formErrors, msg string) (usersPage, error) {
	users, err := s.users()
	if err != nil {
		return usersPage{}, err
	}
	var ins inputs
	p := usersPage{Message: msg}
	p.Fields = map[string]*input{"login": ins.field("login", req.Login), "display": ins.field("display", req.Display),
		"circles": ins.field("circles", strings.Join(req.Circles, ", ")), "password": ins.field("password", ""), "roles": ins.field("roles", "")}
	for _, r := range access.Roles {
		p.Roles = append(p.Roles, roleChoice{Name: r, Checked: slices.Contains(req.Roles, r)})
	}
	p.Top = ins.place(fe)
	err = s.store.View(func(tx *ledger.Tx) error {
		all, err := users.List(tx)
		if err != nil {
			return err
		}
		for _, u := range all {
			row := userRow{ID: u.ID, Login: u.Login, Display: u.Display, Roles: strings.Join(u.Roles, ", "), Circles: u.Scope.String(),
				Created: u.Created.UTC().Format("2006-01-02 15:04 UTC")}
			if u.Disabled != nil {
				row.Disabled = u.Disabled.UTC().Format("2006-01-02 15:04 UTC")
			}
			p.Users = append(p.Users, row)
		}
		recs, err := s.tokens.List(tx)
		if err != nil {
			return err
		}
		for _, r := range recs {
			j := tokenOut(r)
			row := tokenRow{ID: j.ID, Name: j.Name, Role: j.Role, Revoked: j.Revoked != nil}
			if j.User != nil {
				row.User = *j.User
			}
			if j.Expires != nil {
				row.Expires = *j.Expires
			}
			p.Tokens = append(p.Tokens, row)
		}
		return nil
	})
	return p, err
}

func (s *Server) consoleUsers(c echo.Context) error {
	if err := requireUserAdmin(c); err != nil {
		return err
	}
	p, err := s.usersView(access.UserRequest{}, nil, "")
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "forms/users.html", p)
}

// usersAnswer draws the page after a write: done says what was done, or
// err is the refusal drawn next to the inputs it names.
func (s *Server) usersAnswer(c echo.Context, status int, req access.UserRequest, done string, tok *newToken, err error) error {
	if err != nil {
		return s.refusedPage(c, err, func(fe formErrors, msg string) (any, error) { return s.usersView(req, fe, msg) }, "forms/users.html")
	}
	p, err := s.usersView(access.UserRequest{}, nil, "")
	if err != nil {
		return err
	}
	p.Done, p.NewToken = done, tok
	return s.render(c, status, "forms/users.html", p)
}

// consoleUserCreate makes a user as POST /v1/users does (admin). Like the
// API it keeps no record of the request for a retry: the request holds a
// password, whose hash must not be stored.
func (s *Server) consoleUserCreate(c echo.Context) error {
	users, err := s.userAdmin(c)
	if err != nil {
		return err
	}
	vals, err := c.FormParams()
	if err != nil {
		return ledger.Errorf(ledger.EMalformed, "read form: %v", err)
	}
	req := access.UserRequest{Login: strings.TrimSpace(vals.Get("login")), Display: vals.Get("display"), Roles: vals["roles"], Password: vals.Get("password")}
	for part := range strings.SplitSeq(vals.Get("circles"), ",") {
		if part = strings.TrimSpace(part); part != "" {
			req.Circles = append(req.Circles, part)
		}
	}
	u, err := users.CreateUser(c.Request().Context(), req, actorOf(c).String())
	return s.usersAnswer(c, http.StatusCreated, req, "user "+u.Login+" created", nil, err)
}

// consoleUserDisable disables a user as POST /v1/users/{login}/disable
// does: their password, sessions and tokens stop working with this write.
func (s *Server) consoleUserDisable(c echo.Context) error {
	users, err := s.userAdmin(c)
	if err != nil {
		return err
	}
	login := c.Param("login")
	err = s.store.Write(c.Request().Context(), func(tx *ledger.Tx) error {
		_, err := users.Disable(tx, login, actorOf(c).User)
		return err
	})
	return s.usersAnswer(c, http.StatusOK, access.UserRequest{}, "user "+login+" disabled: their sessions and tokens no longer work", nil, err)
}

// consoleUserToken issues a token of the user as POST
// /v1/users/{login}/tokens does. The token is in this answer only: the page
// is not cached (the console's pages are no-store) and nothing of it but
// its hash is kept.
func (s *Server) consoleUserToken(c echo.Context) error {
	if err := requireUserAdmin(c); err != nil {
		return err
	}
	days := 0
	if v := strings.TrimSpace(c.FormValue("expires_in_days")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || time.Duration(n)*24*time.Hour > access.MaxTokenTTL {
			return s.usersAnswer(c, 0, access.UserRequest{}, "", nil, ledger.FieldErr("expires_in_days",
				"must be a whole number from 1 to "+strconv.Itoa(int(access.MaxTokenTTL/(24*time.Hour)))+" (blank: the server's default)"))
		}
		days = n
	}
	var tok newToken
	err := s.store.Write(c.Request().Context(), func(tx *ledger.Tx) error {
		token, rec, err := s.tokens.Issue(tx, access.TokenRequest{User: c.Param("login"), Name: c.FormValue("name"),
			TTL: time.Duration(days) * 24 * time.Hour}, actorOf(c).String())
		j := tokenOut(rec)
		tok = newToken{Token: token, User: rec.User, Name: rec.Name}
		if j.Expires != nil {
			tok.Expires = *j.Expires
		}
		return err
	})
	if err != nil {
		return s.usersAnswer(c, 0, access.UserRequest{}, "", nil, err)
	}
	return s.usersAnswer(c, http.StatusCreated, access.UserRequest{}, "", &tok, nil)
}

// consoleTokenRevoke revokes a token as POST /v1/tokens/{id}/revoke does.
func (s *Server) consoleTokenRevoke(c echo.Context) error {
	if err := requireUserAdmin(c); err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	err = s.store.Write(c.Request().Context(), func(tx *ledger.Tx) error {
		_, err := s.tokens.Revoke(tx, id)
		return err
	})
	return s.usersAnswer(c, http.StatusOK, access.UserRequest{}, "token "+strconv.FormatUint(id, 10)+" revoked", nil, err)
}
