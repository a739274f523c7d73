package httpapi

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/web"
)

// The web console (docs/console.md): server-rendered pages beside the API,
// signed in with a user name and password, over the same domain calls the
// API makes with the same Actor.

// Cookies of the console. The session cookie holds the session token and
// nothing else; the CSRF cookie only the login form's double-submit token.
const (
	sessionCookie = "amanat_session"
	csrfCookie    = "amanat_csrf"
	flashCookie   = "amanat_flash"
	// csrfField is the hidden field of every console form.
	csrfField = "csrf"
)

// consoleKey holds the request's consoleSession in the Echo context.
const consoleKey = "amanat.console"

// consoleUser is a signed-in user as the console shows and acts for them.
type consoleUser struct {
	Login   string
	Display string
	// Role is the role the console shows (the user's first); Roles all
	// of them.
	Role  string
	Roles []string
	Scope access.Scope
	// SessionID is the console session's id, for the Actor.
	SessionID uint64
	// act is the Actor the API makes of the account (actorForUser), when
	// the user is an account of the store.
	act *Actor
}

// consoleSession is the request's live session.
type consoleSession struct {
	token string
	csrf  string
	user  consoleUser
}

// consoleAccounts is what the console needs of user accounts: sign in with
// a password (rate-limited), look a session up, end it.
type consoleAccounts interface {
	signIn(c echo.Context, login, password string) (token string, u consoleUser, err error)
	session(c echo.Context, token string) (consoleUser, bool, error)
	signOut(c echo.Context, token string) error
}

// noAccounts is the console of a store without user accounts: nobody can
// sign in.
type noAccounts struct{}

func (noAccounts) signIn(echo.Context, string, string) (string, consoleUser, error) {
	return "", consoleUser{}, ledger.Errorf(ledger.EUnauthorized, "this server has no user accounts")
}
func (noAccounts) session(echo.Context, string) (consoleUser, bool, error) {
	return consoleUser{}, false, nil
}
func (noAccounts) signOut(echo.Context, string) error { return nil }

// navLink is one entry of the console's menu, shown to the roles listed
// (every signed-in user when Roles is empty) and, when Allow is set, only
// to a caller Allow admits: Allow is the check the page's handler makes
// itself, so the menu and the page cannot disagree.
type navLink struct {
	Href  string
	Label string
	Roles []string
	Allow func(echo.Context) error
}

// consoleNav is the menu, in order. Each area of the console adds its
// pages here.
var consoleNav = []navLink{
	{Href: "/", Label: "Dashboard"},
	{Href: "/cases", Label: "Cases", Roles: access.Readers},
	{Href: "/search", Label: "Search", Roles: access.Readers},
	{Href: "/approvals", Label: "Approvals", Roles: access.Readers},
	// The entry forms and the finance and admin pages (console_forms*.go).
	{Href: "/seizures/new", Label: "Register a seizure", Roles: []string{access.RoleCustodian}},
	{Href: "/rates", Label: "Rates", Roles: access.Readers},
	{Href: "/valuation", Label: "Valuation", Roles: access.Readers},
	{Href: "/reconciliations", Label: "Reconciliations", Roles: access.Readers},
	{Href: "/verify", Label: "Verify", Roles: []string{access.RoleAuditor, access.RoleFinance, access.RoleAdmin}},
	{Href: "/users", Label: "Users", Roles: []string{access.RoleAdmin}, Allow: requireUserAdmin},
	{Href: "/audit", Label: "Audit", Roles: []string{access.RoleAuditor, access.RoleAdmin}, Allow: requireAuditReader},
	{Href: "/docs/register", Label: "Malkhana register", Roles: access.Readers},
	{Href: "/docs/valuation", Label: "Valuation statement", Roles: access.Readers},
	{Href: "/check", Label: "Check a bundle"},
}

// shownLink is a menu entry as the layout draws it.
type shownLink struct {
	Href, Label string
	Current     bool
}

// pageData is what every page template is executed with.
type pageData struct {
	CSRF  string
	User  consoleUser
	Nav   []shownLink
	Flash string
	// Error is a refusal that names no field; Errors maps a form field to
	// its refusal (renderProblem).
	Error  string
	Errors map[string]string
	// Data is the page's own data.
	Data any
}

// consoleFuncs are the functions every template may call.
var consoleFuncs = template.FuncMap{
	// path escapes one segment of a URL path.
	"path": url.PathEscape,
	// date formats an instant in UTC.
	"date": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
}

// parsePages parses every page of web.FS's templates/ into its own set with
// the layout and the partials (templates/partials/*.html), keyed by its path under templates/
// ("login.html", "forms/seizure.html").
func parsePages(fsys fs.FS) (map[string]*template.Template, error) {
	var pages, partials []string
	hasDocsLayout := false
	err := fs.WalkDir(fsys, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		switch name := strings.TrimPrefix(p, "templates/"); {
		case name == "layout.html":
		case name == "docs/layout.html":
			hasDocsLayout = true
		case strings.HasPrefix(name, "partials/"):
			partials = append(partials, p)
		default:
			pages = append(pages, name)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list console templates: %w", err)
	}
	out := map[string]*template.Template{}
	for _, name := range pages {
		files := append([]string{"templates/layout.html"}, partials...)
		if hasDocsLayout && strings.HasPrefix(name, "docs/") {
			// Parsed after the main layout, so its "layout" wins.
			files = append(files, "templates/docs/layout.html")
		}
		files = append(files, "templates/"+name)
		t, err := template.New(path.Base(name)).Funcs(consoleFuncs).ParseFS(fsys, files...)
		if err != nil {
			return nil, fmt.Errorf("parse console page %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// routesConsole serves the console: /static/* from web.FS, the login and
// logout, and s.console, the group of pages, to which each area of the
// console adds its pages. Every console path but /login and /static/ needs
// a live session (consoleGate).
func (s *Server) routesConsole() {
	static, err := fs.Sub(web.FS, "static")
	if err != nil {
		panic(fmt.Sprintf("console assets: %v", err))
	}
	// From the root rather than as group middleware, for the reason
	// authenticateV1 gives: Echo would route every unmatched path, /v1
	// ones included, to the group and answer 404 where 405 is due.
	s.e.Use(s.consoleGate)
	s.e.StaticFS("/static", static)
	s.e.GET("/login", s.getLogin)
	s.e.POST("/login", s.postLogin)
	s.console = s.e.Group("")
	s.console.POST("/logout", s.postLogout)
	s.routesConsolePages(s.console)
}

// markConsoleRoutes records the routes of the console: every route outside
// the API once all are registered. consoleGate guards these and only these.
func (s *Server) markConsoleRoutes() {
	s.consoleRoutes = map[string]bool{}
	for _, r := range s.e.Routes() {
		if r.Method != echo.RouteNotFound && !isAPIPath(r.Path) {
			s.consoleRoutes[r.Path] = true
		}
	}
}

// consoleGate is the console's middleware, on every console route:
// it sets the headers of a console page, admits a request with a live
// session and records its Actor, and refuses a POST whose csrf field is not
// the session's. Without a session a GET is sent to /login with next= set
// to come back to it. /login and /static/ are open.
func (s *Server) consoleGate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		p := c.Request().URL.Path
		if isAPIPath(p) {
			return next(c)
		}
		if !s.consoleRoutes[c.Path()] {
			// No console page: a path nothing serves (404), or a route
			// of the API's tests.
			return next(c)
		}
		c.Set(consoleKey+".page", true)
		h := c.Response().Header()
		// No caching of pages that show the books, no framing, scripts
		// and styles only from this server.
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "+
			"form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		// /check is public: a court clerk may have no account, and the
		// page reads nothing of the store (console_docs_check.go).
		if p == "/login" || p == "/check" || strings.HasPrefix(p, "/static/") {
			return next(c)
		}
		sess, ok, err := s.liveSession(c)
		if err != nil {
			return err
		}
		if !ok {
			return s.toLogin(c)
		}
		c.Set(consoleKey, sess)
		c.Set(actorKey, sess.user.actor())
		if c.Request().Method == http.MethodPost && !sameToken(c.FormValue(csrfField), sess.csrf) {
			return s.csrfRefused(c)
		}
		return next(c)
	}
}

// isAPIPath is true for the paths of the API rather than the console.
func isAPIPath(p string) bool {
	return p == "/v1" || strings.HasPrefix(p, "/v1/") || p == "/healthz" || p == "/openapi.json"
}

// liveSession is the session named by the request's cookie, if it is live.
func (s *Server) liveSession(c echo.Context) (consoleSession, bool, error) {
	ck, err := c.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return consoleSession{}, false, nil
	}
	u, ok, err := s.accounts.session(c, ck.Value)
	if err != nil {
		return consoleSession{}, false, fmt.Errorf("look up console session: %w", err)
	}
	if !ok {
		return consoleSession{}, false, nil
	}
	return consoleSession{token: ck.Value, csrf: sessionCSRF(ck.Value), user: u}, true, nil
}

// toLogin sends a request without a live session to the login page. A
// cookie that names no live session (expired, ended, its user disabled) is
// cleared and the login page says so.
func (s *Server) toLogin(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
		s.clearCookie(c, sessionCookie)
		s.setFlash(c, "Your session has ended. Sign in again.")
	}
	target := "/login"
	if r := c.Request(); r.Method == http.MethodGet && r.URL.RequestURI() != "/" {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	return c.Redirect(http.StatusSeeOther, target)
}

// actor is the user as the API's Actor, as actorForUser makes it for a
// console session: the same name, roles and scope the API's calls carry.
func (u consoleUser) actor() Actor {
	if u.act != nil {
		a := *u.act
		a.Roles = slices.Clone(a.Roles)
		return a
	}
	return Actor{SessionID: u.SessionID, Name: u.Login, User: u.Login, Role: u.Role,
		Roles: slices.Clone(u.Roles), Scope: u.Scope}
}

// consoleActor is the signed-in user of a console request as the API's
// Actor: the same role, name and scope the domain calls take (after
// requireRole, the role the operation allows).
func consoleActor(c echo.Context) Actor { return actorOf(c) }

// consoleHolds reports whether the signed-in user holds role.
func consoleHolds(c echo.Context, role string) bool {
	return slices.Contains(actorOf(c).Roles, role)
}

// sessionCSRF is the CSRF token of a session: an HMAC of a fixed label under
// the session token, so it is bound to the session, needs no storage, and
// does not reveal the token.
func sessionCSRF(token string) string {
	m := hmac.New(sha256.New, []byte(token))
	m.Write([]byte("amanat console csrf v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// sameToken compares two tokens in constant time; an empty one never
// matches.
func sameToken(got, want string) bool {
	return got != "" && want != "" && hmac.Equal([]byte(got), []byte(want))
}

// csrfRefused is the answer to a POST without its form's CSRF token.
func (s *Server) csrfRefused(c echo.Context) error {
	return s.renderError(c, http.StatusForbidden, "Form expired",
		"This form was not sent from a page of this console, or the page is too old. Go back, reload it and send it again.")
}

// cookie is a console cookie: HttpOnly, SameSite=Lax, Path=/, Secure when
// the server runs TLS.
func (s *Server) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: s.tls, SameSite: http.SameSiteLaxMode}
}

func (s *Server) clearCookie(c echo.Context, name string) {
	c.SetCookie(s.cookie(name, "", -1))
}

// setFlash keeps a message for the next page the browser shows.
func (s *Server) setFlash(c echo.Context, msg string) {
	c.SetCookie(s.cookie(flashCookie, base64.RawURLEncoding.EncodeToString([]byte(msg)), 60))
}

// takeFlash reads the message setFlash kept, and clears it.
func (s *Server) takeFlash(c echo.Context) string {
	ck, err := c.Cookie(flashCookie)
	if err != nil || ck.Value == "" {
		return ""
	}
	s.clearCookie(c, flashCookie)
	b, err := base64.RawURLEncoding.DecodeString(ck.Value)
	if err != nil || len(b) > 500 {
		return ""
	}
	return strings.ToValidUTF8(string(b), "")
}

// redirectFlash sends the browser to target (a local path) with a message
// to show there: the answer to a form that was recorded.
func (s *Server) redirectFlash(c echo.Context, target, msg string) error {
	s.setFlash(c, msg)
	return c.Redirect(http.StatusSeeOther, target)
}

// render draws page (a path under web/templates, e.g. "forms/seizure.html")
// inside the layout, with the menu for the user's roles, the CSRF token,
// the user and the flash message; data is the page's {{.Data}}.
func (s *Server) render(c echo.Context, status int, page string, data any) error {
	return s.renderPage(c, status, page, pageData{Data: data})
}

// renderProblem draws page as render does, with err's refusal: each field
// it names in {{.Errors}}, what names no field in {{.Error}}. The status is
// the one the API answers for err (422 for a refused field).
func (s *Server) renderProblem(c echo.Context, page string, data any, err error) error {
	status, fields, msg := s.formProblem(err)
	if status >= 500 {
		return err
	}
	return s.renderPage(c, status, page, pageData{Data: data, Errors: fields, Error: msg})
}

// formProblem is err as a form shows it: the API's status, a reason per
// field it names, and the detail when it names none.
func (s *Server) formProblem(err error) (status int, fields map[string]string, msg string) {
	p := s.toProblem(err)
	if len(p.Errors) == 0 {
		return p.Status, nil, p.Detail
	}
	fields = map[string]string{}
	for _, f := range p.Errors {
		if _, dup := fields[f.Field]; dup {
			fields[f.Field] += "; " + f.Reason
		} else {
			fields[f.Field] = f.Reason
		}
	}
	return p.Status, fields, ""
}

func (s *Server) renderPage(c echo.Context, status int, page string, pd pageData) error {
	t, ok := s.pages[page]
	if !ok {
		return fmt.Errorf("console page %s is not a template", page)
	}
	if sess, ok := c.Get(consoleKey).(consoleSession); ok {
		pd.User = sess.user
		pd.CSRF = sess.csrf
		pd.Nav = navFor(c, sess.user, c.Request().URL.Path)
	} else if pd.CSRF == "" {
		pd.CSRF, _ = c.Get(csrfCookie).(string)
	}
	pd.Flash = s.takeFlash(c)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", pd); err != nil {
		return fmt.Errorf("render console page %s: %w", page, err)
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// navFor is the menu of a user's roles and scope, with the entry of the
// current page marked.
func navFor(c echo.Context, u consoleUser, current string) []shownLink {
	var out []shownLink
	// A check may pick the role the caller acts in (requireRole): the
	// menu must not change the page's actor.
	actor, hasActor := c.Get(actorKey).(Actor)
	defer func() {
		if hasActor {
			setActor(c, actor)
		}
	}()
	for _, l := range consoleNav {
		if len(l.Roles) > 0 && !slices.ContainsFunc(u.Roles, func(r string) bool { return slices.Contains(l.Roles, r) }) {
			continue
		}
		if l.Allow != nil && (!hasActor || l.Allow(c) != nil) {
			continue
		}
		here := l.Href == current || (l.Href != "/" && strings.HasPrefix(current, l.Href+"/"))
		out = append(out, shownLink{Href: l.Href, Label: l.Label, Current: here})
	}
	return out
}

// errorPage is the data of error.html.
type errorPage struct{ Title, Detail string }

// renderError draws the error page.
func (s *Server) renderError(c echo.Context, status int, title, detail string) error {
	return s.renderPage(c, status, "error.html", pageData{Data: errorPage{Title: title, Detail: detail}})
}

// isConsoleRequest reports whether an error of this request answers as an
// HTML page rather than a problem body: a console page, or a path outside
// the API asked for by a browser.
func isConsoleRequest(c echo.Context) bool {
	if marked, _ := c.Get(consoleKey + ".page").(bool); marked {
		return true
	}
	return !isAPIPath(c.Request().URL.Path) && strings.Contains(c.Request().Header.Get(echo.HeaderAccept), "text/html")
}

// consoleErrorTitles are the error page's headings by status.
var consoleErrorTitles = map[int]string{
	http.StatusNotFound:            "Not found",
	http.StatusForbidden:           "Not allowed",
	http.StatusUnauthorized:        "Sign in first",
	http.StatusMethodNotAllowed:    "Not allowed",
	http.StatusUnprocessableEntity: "Refused",
	http.StatusConflict:            "Refused",
}

// handleConsoleError answers an error of a console request as a page.
func (s *Server) handleConsoleError(c echo.Context, p Problem) {
	title := consoleErrorTitles[p.Status]
	if title == "" {
		title = http.StatusText(p.Status)
	}
	detail := p.Detail
	if p.Status == http.StatusNotFound {
		// The same words whether the thing does not exist or is outside
		// the user's circles.
		detail = "There is no such page, or it is not one you may see."
	}
	for _, f := range p.Errors {
		detail += "; " + f.Field + ": " + f.Reason
	}
	if err := s.renderError(c, p.Status, title, detail); err != nil {
		s.log.Error("write console error page", "error", err.Error())
		_ = c.String(p.Status, title)
	}
}
