package httpapi

import (
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/ledger"
)

// What a client may not choose about its own request. Both middlewares run
// before authentication and the audit record's answer, so a refusal is
// recorded like any other (with the secret's value redacted).

// serverRequestID drops a client's X-Request-Id, so that the id the audit
// log, the access log and every problem carry is always the server's own:
// a client's id would let it make two requests share one id, or store a
// header of any length in the audit log with each request.
func serverRequestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Request().Header.Del(echo.HeaderXRequestID)
		return next(c)
	}
}

// refuseSecretQuery refuses a request whose query string names a secret
// (secretParams: a password, a token, a seed, ...), whatever the route: a
// query string is kept by browser history, proxies and server logs, so a
// secret is taken only in a body. Echo's form readers fall back on the
// query string, which would otherwise let `POST /login?password=` sign in.
func refuseSecretQuery(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		raw := c.Request().URL.RawQuery
		if raw == "" {
			return next(c)
		}
		for part := range strings.SplitSeq(raw, "&") {
			name, _, _ := strings.Cut(part, "=")
			if n, err := url.QueryUnescape(name); err == nil {
				name = n
			}
			for _, sp := range secretParams {
				if strings.EqualFold(name, sp) {
					return ledger.FieldErr(sp, "is never taken in a query string, which browsers, proxies and logs keep: send it in the request's body")
				}
			}
		}
		return next(c)
	}
}
