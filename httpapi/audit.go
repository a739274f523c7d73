package httpapi

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/audit"
	"github.com/amanat-ledger/amanat/ledger"
)

// Every request but the health check, the OpenAPI document and static
// assets is recorded in the audit log (package chain/audit) before its
// answer leaves: the record is written when the status line is, through the
// store's group commit, and a request whose record cannot be written is
// answered 503 instead, so that no read goes unaccounted for.

// unaudited says whether path is one of the few the audit log leaves out:
// they show no evidence to anyone. The public bundle check page (/check)
// reads only the bundle it is given and never the store; recording its
// anonymous uploads would let anyone grow the store at will.
func unaudited(path string) bool {
	return path == "/healthz" || path == "/openapi.json" || path == "/check" || strings.HasPrefix(path, "/static/")
}

// auditTrail is the middleware that records each request. It sits outside
// authentication, so refusals (401, 403, 404) are recorded too, with the
// actor when there is one.
func (s *Server) auditTrail(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if unaudited(c.Request().URL.Path) {
			return next(c)
		}
		res := c.Response()
		res.Writer = &auditWriter{ResponseWriter: res.Writer, s: s, c: c}
		if err := next(c); err != nil {
			c.Error(err)
		}
		if !res.Committed {
			// A handler that wrote nothing is answered 200 by net/http:
			// record it as such.
			res.WriteHeader(http.StatusOK)
		}
		return nil
	}
}

// errUnaudited is what a handler's writes get once its answer was refused
// because the audit record could not be written.
var errUnaudited = errors.New("the answer was withheld: its audit record could not be written")

// auditWriter writes the audit record when the status line is written, and
// holds back the answer when that fails.
type auditWriter struct {
	http.ResponseWriter
	s        *Server
	c        echo.Context
	recorded bool // the record was attempted
	failed   bool // and not written: the answer is withheld
	refused  bool // the 503 in its place is written
}

func (w *auditWriter) WriteHeader(code int) {
	if w.recorded {
		switch {
		case !w.failed:
			w.ResponseWriter.WriteHeader(code)
		case !w.refused:
			w.refuse() // the record's write panicked: answer as if it failed
		}
		return
	}
	// Failed until the record is written, so that even a panic while
	// writing it serves nothing unrecorded.
	w.recorded, w.failed = true, true
	if err := w.s.recordRequest(w.c, code); err != nil {
		w.s.log.Error("audit record", "path", w.c.Request().URL.Path, "error", err.Error())
		w.refuse()
		return
	}
	w.failed = false
	w.ResponseWriter.WriteHeader(code)
}

// refuse answers 503 in place of the answer that could not be recorded.
func (w *auditWriter) refuse() {
	w.refused = true
	h := w.ResponseWriter.Header()
	id := h.Get(echo.HeaderXRequestID)
	for k := range h {
		if k != "Strict-Transport-Security" {
			delete(h, k)
		}
	}
	h.Set(echo.HeaderXRequestID, id)
	h.Set(echo.HeaderContentType, "application/problem+json")
	w.c.Response().Status = http.StatusServiceUnavailable
	w.ResponseWriter.WriteHeader(http.StatusServiceUnavailable)
	p := Problem{Type: problemTypeBase + string(ledger.EUnavailable), Title: "Service unavailable", Status: http.StatusServiceUnavailable,
		Detail: "the request could not be recorded in the audit log, so it is not answered", Instance: w.c.Request().URL.Path, RequestID: id}
	if w.c.Request().Method != http.MethodHead {
		_ = json.NewEncoder(w.ResponseWriter).Encode(p)
	}
}

func (w *auditWriter) Write(b []byte) (int, error) {
	if !w.recorded {
		w.WriteHeader(http.StatusOK)
	}
	if w.failed {
		return 0, errUnaudited
	}
	return w.ResponseWriter.Write(b)
}

// Flush keeps streamed answers streaming (http.Flusher).
func (w *auditWriter) Flush() {
	if !w.recorded {
		w.WriteHeader(http.StatusOK)
	}
	if !w.failed {
		_ = http.NewResponseController(w.ResponseWriter).Flush()
	}
}

// Hijack records the switch of protocols before handing the connection
// over (http.Hijacker).
func (w *auditWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if !w.recorded {
		w.recorded = true
		if err := w.s.recordRequest(w.c, http.StatusSwitchingProtocols); err != nil {
			w.failed = true
			return nil, nil, err
		}
	}
	if w.failed {
		return nil, nil, errUnaudited
	}
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap lets http.ResponseController reach the connection (write
// deadlines of a streamed backup).
func (w *auditWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// recordRequest writes the audit record of the request of c, answered with
// status. A request the client gave up on is still recorded: what it
// changed, it changed.
func (s *Server) recordRequest(c echo.Context, status int) error {
	req := c.Request()
	r := audit.Record{Method: req.Method, Path: capText(req.URL.Path), Query: capText(redactQuery(req.URL.RawQuery)),
		Remote: req.RemoteAddr, Status: status, RequestID: c.Response().Header().Get(echo.HeaderXRequestID)}
	if a, ok := c.Get(actorKey).(Actor); ok {
		r.Actor, r.TokenID = a.String(), a.TokenID
	}
	r.ItemID, r.CaseID = pathSubject(req.URL.Path)
	_, err := s.svc.Audit.Append(context.WithoutCancel(req.Context()), r)
	return err
}

// maxAuditText bounds the path and the query string as recorded, so a
// caller cannot grow the log by megabytes a request.
const maxAuditText = 2048

func capText(s string) string {
	if len(s) <= maxAuditText {
		return s
	}
	return s[:maxAuditText] + "…"
}

// secretParams are query parameters whose values are never recorded,
// whatever route they were sent to.
var secretParams = []string{"password", "token", "access_token", "secret", "seed", "key"}

// redactQuery is the raw query with the values of secret parameters
// replaced, in the order sent.
func redactQuery(raw string) string {
	if raw == "" {
		return ""
	}
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		name, _, _ := strings.Cut(p, "=")
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		for _, sp := range secretParams {
			if strings.EqualFold(name, sp) {
				parts[i] = name + "=REDACTED"
			}
		}
	}
	return strings.Join(parts, "&")
}

// pathSubject is the item or case a /v1 path names, if any.
func pathSubject(path string) (item, caseID uint64) {
	seg := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if len(seg) < 3 || seg[0] != "v1" {
		return 0, 0
	}
	id, err := strconv.ParseUint(seg[2], 10, 64)
	if err != nil {
		return 0, 0
	}
	switch seg[1] {
	case "items":
		return id, 0
	case "cases":
		return 0, id
	}
	return 0, 0
}

func (s *Server) routesAudit(g *echo.Group) {
	g.GET("/audit", s.getAudit)
}

// auditJSON is one record as GET /v1/audit answers it.
type auditJSON struct {
	Seq       uint64  `json:"seq"`
	At        string  `json:"at"`
	Actor     string  `json:"actor"`
	TokenID   *uint64 `json:"token_id"`
	Method    string  `json:"method"`
	Path      string  `json:"path"`
	Query     string  `json:"query"`
	Remote    string  `json:"remote"`
	Status    int     `json:"status"`
	ItemID    *uint64 `json:"item_id"`
	CaseID    *uint64 `json:"case_id"`
	RequestID string  `json:"request_id"`
}

func nonZero(n uint64) *uint64 {
	if n == 0 {
		return nil
	}
	return &n
}

// getAudit answers GET /v1/audit?actor=&item=&from=&to= (auditor, admin).
func (s *Server) getAudit(c echo.Context) error {
	if err := requireAuditReader(c); err != nil {
		return err
	}
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	f, err := auditFilter(c)
	if err != nil {
		return err
	}
	f.After, f.Limit = page.Cursor, page.Limit
	var recs []audit.Record
	if err := s.store.View(func(tx *ledger.Tx) error {
		var next []byte
		recs, next, err = audit.List(tx, f)
		page.Next(next)
		return err
	}); err != nil {
		return err
	}
	out := make([]auditJSON, 0, len(recs))
	for _, r := range recs {
		out = append(out, auditJSON{Seq: r.Seq, At: r.At.Format(time.RFC3339Nano), Actor: r.Actor, TokenID: nonZero(r.TokenID),
			Method: r.Method, Path: r.Path, Query: r.Query, Remote: r.Remote, Status: r.Status,
			ItemID: nonZero(r.ItemID), CaseID: nonZero(r.CaseID), RequestID: r.RequestID})
	}
	return page.Write(c, out)
}

// auditFilter reads actor, item, from and to. A date (YYYY-MM-DD) is a
// whole UTC day: from its start, to its end; an RFC 3339 instant is exact,
// to exclusive.
func auditFilter(c echo.Context) (audit.Filter, error) {
	var f audit.Filter
	var probs ledger.Problems
	f.Actor = c.QueryParam("actor")
	if v := c.QueryParam("item"); v != "" {
		id, err := strconv.ParseUint(v, 10, 64)
		if err != nil || id == 0 {
			probs.Add("item", "must be an item id (a positive whole number)")
		}
		f.Item = id
	}
	var err error
	if f.From, err = audit.ParseBound(c.QueryParam("from"), false); err != nil {
		probs.Add("from", err.Error())
	}
	if f.To, err = audit.ParseBound(c.QueryParam("to"), true); err != nil {
		probs.Add("to", err.Error())
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		probs.Add("to", "must be after from")
	}
	return f, probs.Err()
}

// requireAuditReader admits an auditor or admin of every circle: the log
// names every circle's items and people, so it is HQ's to read.
func requireAuditReader(c echo.Context) error {
	if err := requireRole(c, access.RoleAuditor, access.RoleAdmin); err != nil {
		return err
	}
	return requireAllCircles(c)
}
