package httpapi

import (
	"fmt"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain/access"
)

// usersAccounts signs console users in with the store's user accounts
// (access.Users): Authenticate (with its failed-login limit) then
// StartSession, Session on every request, EndSession on logout.
type usersAccounts struct{ users *access.Users }

func (a usersAccounts) signIn(c echo.Context, login, password string) (string, consoleUser, error) {
	ctx, addr := c.Request().Context(), c.Request().RemoteAddr
	u, err := a.users.Authenticate(ctx, login, password, addr)
	if err != nil {
		return "", consoleUser{}, err
	}
	token, sess, err := a.users.StartSession(ctx, u, addr)
	if err != nil {
		return "", consoleUser{}, fmt.Errorf("sign in %s: %w", u.Login, err)
	}
	return token, toConsoleUser(u, sess.ID), nil
}

func (a usersAccounts) session(c echo.Context, token string) (consoleUser, bool, error) {
	sess, u, ok, err := a.users.Session(c.Request().Context(), token)
	if err != nil || !ok {
		return consoleUser{}, false, err
	}
	return toConsoleUser(u, sess.ID), true, nil
}

func (a usersAccounts) signOut(c echo.Context, token string) error {
	return a.users.EndSession(c.Request().Context(), token)
}

// toConsoleUser is an account in console session sessionID: shown in its
// first role, acting in whichever of its roles an operation allows (as an
// API token of the user does), with its login as the name the books record.
func toConsoleUser(u access.User, sessionID uint64) consoleUser {
	cu := consoleUser{Login: u.Login, Display: u.Display, Roles: u.Roles, Scope: u.Scope, SessionID: sessionID}
	if cu.Display == "" {
		cu.Display = u.Login
	}
	if len(u.Roles) > 0 {
		cu.Role = u.Roles[0]
		a := actorForUser(u, 0, sessionID)
		cu.act = &a
	}
	return cu
}
