package httpapi

import (
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/evidence"
	"github.com/amanat-ledger/amanat/chain/service"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/finance"
	"github.com/amanat-ledger/amanat/web"
)

// Config is what the server is built from.
type Config struct {
	// Service is the store and its services (service.Open), opened for
	// writing.
	Service *service.Service
	Logger  *slog.Logger
	// BodyLimit bounds a request body, e.g. "1M". Default 1M.
	BodyLimit string
	// TLS says the server is reached over HTTPS only (amanat serve
	// --tls-cert/--tls-key). Every answer then carries HSTSHeader, and any
	// cookie the API sets must be Secure: a handler that sets one reads
	// this field.
	TLS bool
}

// HSTSHeader is the Strict-Transport-Security value of every answer of a
// server with Config.TLS: a browser that has reached it once over HTTPS
// then refuses plain HTTP to that host for a year.
const HSTSHeader = "max-age=31536000"

// Server is the HTTP API over one store.
type Server struct {
	e        *echo.Echo
	svc      *service.Service
	store    *ledger.Store
	log      *slog.Logger
	tokens   *access.Tokens
	evidence *evidence.Registry
	finance  *finance.Service
	custody  *chain.Custody
	tls      bool
	// The web console (console.go): its page templates, the accounts it
	// signs users in with, and the group of pages behind a session.
	pages    map[string]*template.Template
	accounts consoleAccounts
	console  *echo.Group
	// consoleRoutes are the paths of the console's routes (Echo's
	// patterns, "/items/:id").
	consoleRoutes map[string]bool
}

// New builds the server and its routes.
func New(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.BodyLimit == "" {
		cfg.BodyLimit = "1M"
	}
	svc := cfg.Service
	if svc == nil || svc.Evidence == nil || svc.Tokens == nil || svc.Audit == nil {
		return nil, errors.New("the API serves a store opened for writing")
	}
	s := &Server{e: echo.New(), svc: svc, store: svc.Store, log: cfg.Logger, tokens: svc.Tokens,
		evidence: svc.Evidence, finance: svc.Finance, custody: svc.Custody, tls: cfg.TLS}
	s.e.HideBanner, s.e.HidePort = true, true
	s.e.HTTPErrorHandler = s.handleError
	if cfg.TLS {
		// First, so that refusals (401, 404, 413, a recovered panic) carry
		// it too.
		s.e.Use(strictTransportSecurity)
	}
	s.e.Use(serverRequestID, middleware.RequestID())
	s.e.Use(s.accessLog)
	// Inside the access log, outside recovery and authentication: every
	// answer, a refusal or a recovered panic included, is recorded.
	s.e.Use(s.auditTrail)
	s.e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisablePrintStack: true}))
	s.e.Use(middleware.BodyLimit(cfg.BodyLimit))
	s.e.Use(refuseSecretQuery)
	doc, err := openAPI()
	if err != nil {
		return nil, err
	}
	if s.pages, err = parsePages(web.FS); err != nil {
		return nil, err
	}
	s.accounts = noAccounts{}
	if svc.Users != nil {
		s.accounts = usersAccounts{users: svc.Users}
	}
	s.routes(queryParams(doc))
	s.markConsoleRoutes()
	return s, nil
}

// Timeouts of the HTTP server (HTTPServer). No client, however slow, may
// hold a connection, and with it a graceful shutdown, for longer than these
// without making progress.
const (
	// ReadHeaderTimeout bounds the wait for a request's headers.
	ReadHeaderTimeout = 10 * time.Second
	// ReadTimeout bounds reading a whole request, body included (1 MB by
	// default).
	ReadTimeout = time.Minute
	// WriteTimeout bounds writing an answer. A backup, which may be large,
	// instead gets StallTimeout for each chunk it writes.
	WriteTimeout = time.Minute
	// StallTimeout is how long a streamed answer waits for a client that
	// has stopped reading.
	StallTimeout = 30 * time.Second
	// IdleTimeout closes a kept-alive connection with no request.
	IdleTimeout = 2 * time.Minute
)

// HTTPServer is an http.Server for this API with the timeouts above.
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{
		Handler:           s.e,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// TLS reports whether the server was built for HTTPS (Config.TLS): a
// handler that sets a cookie marks it Secure when this is true.
func (s *Server) TLS() bool { return s.tls }

// strictTransportSecurity sets HSTSHeader before the request is handled,
// so that the answer carries it whatever writes it.
func strictTransportSecurity(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Strict-Transport-Security", HSTSHeader)
		return next(c)
	}
}

// Echo is the underlying router, for http.Server and tests.
func (s *Server) Echo() *echo.Echo { return s.e }

// routes registers every endpoint. Each area of the API adds itself here with
// one call.
func (s *Server) routes(query map[string]map[string]bool) {
	s.e.GET("/healthz", s.healthz)
	s.e.GET("/openapi.json", s.getOpenAPI)
	// Authentication wraps every /v1 request from the root rather than as
	// group middleware: Echo gives a group with middleware catch-all routes,
	// which would answer 404 where a wrong method deserves 405.
	s.e.Use(s.authenticateV1)
	// After authentication, so a caller without a token learns nothing of
	// an operation's parameters.
	s.e.Use(refuseUnknownQuery(query))
	v1 := s.e.Group("/v1")
	s.routesCore(v1)
	s.routesTokens(v1)
	s.routesEvidence(v1)
	s.routesCustody(v1)
	s.routesOrders(v1)
	s.routesApprovals(v1)
	s.routesFinance(v1)
	s.routesAlerts(v1)
	s.routesSearch(v1)
	s.routesRegister(v1)
	s.routesAudit(v1)
	s.routesUsers(v1)
	s.routesConsole()
	s.routesConsoleForms(s.console)
	s.routesConsoleDocs(s.console)
}

func (s *Server) routesCore(g *echo.Group) {
	g.GET("/balances", s.getBalances)
	g.GET("/verify", s.getVerify)
	g.GET("/backup", s.getBackup)
}

func (s *Server) healthz(c echo.Context) error {
	if err := s.store.View(func(*ledger.Tx) error { return nil }); err != nil {
		return ledger.Errorf(ledger.EUnavailable, "store is not open: %v", err)
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// accessLog writes one structured line per request: never the body, never
// the token.
func (s *Server) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		req, res := c.Request(), c.Response()
		attrs := []any{
			"method", req.Method,
			"path", req.URL.Path,
			"status", res.Status,
			"bytes", res.Size,
			"duration_ms", float64(time.Since(start).Microseconds()) / 1000,
			"request_id", res.Header().Get(echo.HeaderXRequestID),
		}
		if a, ok := c.Get(actorKey).(Actor); ok {
			attrs = append(attrs, "actor", a.String())
		}
		level := slog.LevelInfo
		if res.Status >= 500 {
			level = slog.LevelError
		}
		s.log.Log(req.Context(), level, "request", attrs...)
		return nil
	}
}
