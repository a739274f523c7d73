package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/evidence"
	"github.com/amanat-ledger/amanat/ledger"
)

// Problem is an RFC 7807 problem details body.
type Problem struct {
	Type      string              `json:"type"`
	Title     string              `json:"title"`
	Status    int                 `json:"status"`
	Detail    string              `json:"detail"`
	Instance  string              `json:"instance,omitempty"`
	RequestID string              `json:"request_id,omitempty"`
	Errors    []ledger.FieldError `json:"errors,omitempty"`
}

// problemTypes is the one table from domain error codes to HTTP answers.
var problemTypes = map[ledger.Code]struct {
	status int
	title  string
}{
	ledger.EMalformed:    {http.StatusBadRequest, "Malformed request"},
	ledger.EUnauthorized: {http.StatusUnauthorized, "Authentication required"},
	ledger.EForbidden:    {http.StatusForbidden, "Not allowed for this role"},
	ledger.ENotFound:     {http.StatusNotFound, "Not found"},
	ledger.EConflict:     {http.StatusConflict, "Conflict"},
	ledger.EInvalid:      {http.StatusUnprocessableEntity, "Invalid input"},
	ledger.EInternal:     {http.StatusInternalServerError, "Internal error"},
	ledger.EUnavailable:  {http.StatusServiceUnavailable, "Service unavailable"},
	ledger.ERateLimited:  {http.StatusTooManyRequests, "Too many attempts"},
}

// endpointAdvice says where, in this API, to do what the domain advises in
// its own words.
var endpointAdvice = strings.NewReplacer(
	evidence.AdviceCreateCase, "create it with POST /v1/cases first",
	evidence.AdviceConvert, "record it with POST /v1/conversions",
)

// problemTypeBase prefixes each problem's type URI; the codes are documented
// in docs/api.md.
const problemTypeBase = "https://amanat-ledger.github.io/problems/"

// handleError is Echo's HTTPErrorHandler: every error, from a handler, a
// middleware or Echo itself, leaves as a problem body.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	p := s.toProblem(err)
	p.Instance = c.Request().URL.Path
	p.RequestID = c.Response().Header().Get(echo.HeaderXRequestID)
	if p.Status >= 500 {
		s.log.Error("request failed", "path", c.Request().URL.Path, "request_id", p.RequestID, "error", err.Error())
	}
	if wait, ok := access.IsLocked(err); ok {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(wait/time.Second)))
	}
	if isConsoleRequest(c) {
		s.handleConsoleError(c, p)
		return
	}
	if p.Status == http.StatusUnauthorized {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="amanat"`)
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	var werr error
	if c.Request().Method == http.MethodHead {
		werr = c.NoContent(p.Status)
	} else {
		werr = c.JSON(p.Status, p)
	}
	if werr != nil {
		s.log.Error("write problem", "error", werr.Error())
	}
}

func (s *Server) toProblem(err error) Problem {
	var de *ledger.Error
	if errors.As(err, &de) {
		t, ok := problemTypes[de.Code]
		if !ok {
			t = problemTypes[ledger.EInternal]
		}
		p := Problem{Type: problemTypeBase + string(de.Code), Title: t.title, Status: t.status, Detail: endpointAdvice.Replace(de.Error())}
		for _, f := range de.Fields {
			p.Errors = append(p.Errors, ledger.FieldError{Field: f.Field, Reason: endpointAdvice.Replace(f.Reason)})
		}
		if t.status >= 500 {
			// Internal details go to the log, not to the caller.
			p.Detail = "the server could not complete the request; the error is logged with this request id"
		}
		return p
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		detail := fmt.Sprint(he.Message)
		code := ledger.EMalformed
		switch he.Code {
		case http.StatusNotFound:
			code = ledger.ENotFound
		case http.StatusMethodNotAllowed:
			code = "method_not_allowed"
		case http.StatusRequestEntityTooLarge:
			code = "too_large"
		case http.StatusUnauthorized:
			code = ledger.EUnauthorized
		case http.StatusForbidden:
			code = ledger.EForbidden
		case http.StatusServiceUnavailable:
			code = ledger.EUnavailable
		}
		if he.Code >= 500 {
			code, detail = ledger.EInternal, "the server could not complete the request; the error is logged with this request id"
		}
		return Problem{Type: problemTypeBase + string(code), Title: http.StatusText(he.Code), Status: he.Code, Detail: detail}
	}
	return Problem{Type: problemTypeBase + string(ledger.EInternal), Title: "Internal error", Status: http.StatusInternalServerError,
		Detail: "the server could not complete the request; the error is logged with this request id"}
}
