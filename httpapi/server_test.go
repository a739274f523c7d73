package httpapi

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/amanat-ledger/amanat/ledger"
)

// TestHSTSOnEveryAnswerOverTLS: a server built with Config.TLS sends
// Strict-Transport-Security on every answer, refusals included; one
// without it never does (HSTS over plain HTTP would be ignored at best, and
// a proxy in front decides for itself).
func TestHSTSOnEveryAnswerOverTLS(t *testing.T) {
	svc := openTestService(t, t.TempDir(), ledger.Options{})
	for _, tls := range []bool{true, false} {
		s, err := New(Config{Service: svc, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), TLS: tls})
		if err != nil {
			t.Fatal(err)
		}
		if s.TLS() != tls {
			t.Errorf("TLS() = %v, built with %v", s.TLS(), tls)
		}
		for _, c := range []struct {
			name, method, path string
			status             int
		}{
			{"health", http.MethodGet, "/healthz", http.StatusOK},
			{"no token", http.MethodGet, "/v1/balances", http.StatusUnauthorized},
			{"no such route", http.MethodGet, "/nope", http.StatusNotFound},
			{"wrong method", http.MethodDelete, "/healthz", http.StatusMethodNotAllowed},
		} {
			rec := httptest.NewRecorder()
			s.Echo().ServeHTTP(rec, httptest.NewRequest(c.method, c.path, nil))
			if rec.Code != c.status {
				t.Errorf("TLS %v, %s: %d, want %d", tls, c.name, rec.Code, c.status)
			}
			want := ""
			if tls {
				want = HSTSHeader
			}
			if got := rec.Header().Get("Strict-Transport-Security"); got != want {
				t.Errorf("TLS %v, %s: Strict-Transport-Security %q, want %q", tls, c.name, got, want)
			}
		}
	}
}
