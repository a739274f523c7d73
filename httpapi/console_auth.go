package httpapi

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/ledger"
)

// loginPage is the data of login.html.
type loginPage struct {
	Next     string
	Username string
}

// loginFailed is the one message of every refused sign-in: a wrong
// password, no such user and a disabled account read the same.
const loginFailed = "The user name or password is not right, or this account may not sign in."

// getLogin shows the login form, or sends a user already signed in on.
func (s *Server) getLogin(c echo.Context) error {
	next := localPath(c.QueryParam("next"))
	if _, ok, err := s.liveSession(c); err != nil {
		return err
	} else if ok {
		return c.Redirect(http.StatusSeeOther, next)
	}
	s.loginCSRF(c)
	return s.render(c, http.StatusOK, "login.html", loginPage{Next: next})
}

// loginCSRF gives the login form its double-submit token: the value of a
// cookie the browser sends back with the form, which a page of another site
// can neither read nor set.
func (s *Server) loginCSRF(c echo.Context) string {
	if ck, err := c.Cookie(csrfCookie); err == nil && len(ck.Value) >= 32 {
		c.Set(csrfCookie, ck.Value)
		return ck.Value
	}
	b := make([]byte, 32)
	rand.Read(b)
	v := base64.RawURLEncoding.EncodeToString(b)
	c.SetCookie(s.cookie(csrfCookie, v, 3600))
	c.Set(csrfCookie, v)
	return v
}

// postLogin signs a user in with the form fields username and password.
func (s *Server) postLogin(c echo.Context) error {
	ck, err := c.Cookie(csrfCookie)
	if err != nil || !sameToken(c.FormValue(csrfField), ck.Value) {
		return s.csrfRefused(c)
	}
	next := localPath(c.FormValue("next"))
	username := c.FormValue("username")
	token, _, err := s.accounts.signIn(c, username, c.FormValue("password"))
	if err != nil {
		s.loginCSRF(c)
		status, msg := http.StatusUnauthorized, loginFailed
		if retry, locked := loginLocked(err); locked {
			status, msg = http.StatusTooManyRequests, "Too many failed sign-ins. "+retry
		} else if !isRefusal(err) {
			return err
		}
		if !strings.ContainsRune(username, 0) && len(username) <= 200 {
			username = strings.ToValidUTF8(username, "")
		} else {
			username = ""
		}
		return s.renderPage(c, status, "login.html", pageData{Data: loginPage{Next: next, Username: username}, Error: msg})
	}
	s.clearCookie(c, csrfCookie)
	c.SetCookie(s.cookie(sessionCookie, token, 0))
	return c.Redirect(http.StatusSeeOther, next)
}

// loginLocked reports whether a refused sign-in is the lock after too many
// failures, with when to try again.
func loginLocked(err error) (string, bool) {
	var de *ledger.Error
	if errors.As(err, &de) && de.Code == ledgerTooMany {
		return de.Msg, true
	}
	return "", false
}

// ledgerTooMany is the code of a sign-in refused by the rate limit.
const ledgerTooMany ledger.Code = "too_many_requests"

// isRefusal reports whether err is a refused sign-in rather than a failure
// of the server.
func isRefusal(err error) bool {
	var de *ledger.Error
	return errors.As(err, &de) && de.Code != ledger.EInternal && de.Code != ledger.EUnavailable
}

// postLogout ends the session on the server and clears its cookie.
func (s *Server) postLogout(c echo.Context) error {
	sess, _ := c.Get(consoleKey).(consoleSession)
	if err := s.accounts.signOut(c, sess.token); err != nil {
		return err
	}
	s.clearCookie(c, sessionCookie)
	return s.redirectFlash(c, "/login", "You are signed out.")
}

// localPath is next if it is a path of this server, else "/": a login link
// cannot send the user on to another site (//host, /\host, a scheme).
func localPath(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	if u.Path == "/login" || u.Path == "/logout" {
		return "/"
	}
	return u.RequestURI()
}

// remoteHost is the client's address as the connection gives it (never a
// forwarded-for header a client can write), for the sign-in rate limit.
func remoteHost(c echo.Context) string {
	host, _, err := net.SplitHostPort(c.Request().RemoteAddr)
	if err != nil {
		return c.Request().RemoteAddr
	}
	return host
}
