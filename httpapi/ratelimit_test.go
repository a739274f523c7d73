package httpapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain/access"
)

func TestLockedLoginIs429WithRetryAfter(t *testing.T) {
	ts := newTestServer(t)
	rec := httptest.NewRecorder()
	c := echo.New().NewContext(httptest.NewRequest(http.MethodPost, "/login", nil), rec)
	ts.s.handleError(&access.LockedError{Until: time.Now().Add(90 * time.Second), After: 90 * time.Second}, c)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "90" {
		t.Fatalf("status %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	var p Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Type != problemTypeBase+"rate_limited" || p.Status != 429 {
		t.Fatalf("problem %+v, %v", p, err)
	}
}
