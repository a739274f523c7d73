package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/service"
	"github.com/amanat-ledger/amanat/fixtures"
	"github.com/amanat-ledger/amanat/httpapi"
	"github.com/amanat-ledger/amanat/ledger"
)

// TestDemoAnswersAsDescribed loads the Operation Grey demo (every kind of
// item, full custody lifecycles, rates, a conversion, reconciliations)
// through a server wired as `amanat serve` wires it, then reads everything
// back. Every request and answer, the demo's writes included, is checked
// against openapi.yaml by a middleware. (This is an external test package
// because fixtures imports httpapi.)
func TestDemoAnswersAsDescribed(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the whole demo")
	}
	doc, err := httpapi.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	svc, err := service.Open(filepath.Join(dir, "amanat.db"), service.Options{Store: ledger.Options{NoSync: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Store.Close() })
	store := svc.Store
	srv, err := httpapi.New(httpapi.Config{Service: svc,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))})
	if err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	var mismatches []string
	checked := 0
	// The demo sends GETs built with a nil body, which BodyDump cannot read
	// through Echo's body limit; a server request always has a body.
	srv.Echo().Pre(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if c.Request().Body == nil {
				c.Request().Body = http.NoBody
			}
			return next(c)
		}
	})
	srv.Echo().Use(middleware.BodyDump(func(c echo.Context, reqBody, resBody []byte) {
		r := c.Request()
		res := c.Response()
		req := httptest.NewRequest(r.Method, r.URL.RequestURI(), bytes.NewReader(reqBody))
		req.Header = r.Header.Clone()
		problem := ""
		route, params, err := router.FindRoute(req)
		switch {
		case err != nil:
			problem = "no operation is described: " + err.Error()
		case res.Status < 500 && route.Operation.Responses.Status(res.Status) == nil:
			problem = fmt.Sprintf("status %d is not described", res.Status)
		default:
			in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
			err = openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
				RequestValidationInput: in, Status: res.Status, Header: res.Header(),
				Body: io.NopCloser(bytes.NewReader(resBody)), Options: &openapi3filter.Options{IncludeResponseStatus: true},
			})
			if err == nil {
				err = httpapi.UndeclaredInAnswer(route.Operation, res.Status, res.Header().Get("Content-Type"), resBody)
			}
			if err == nil && res.Status < 300 {
				if rerr := openapi3filter.ValidateRequest(context.Background(), in); rerr != nil {
					err = fmt.Errorf("the server accepted a request the description refuses: %w", rerr)
				}
			}
			if err != nil {
				problem = err.Error()
			}
		}
		mu.Lock()
		defer mu.Unlock()
		checked++
		if problem != "" && len(mismatches) < 20 {
			mismatches = append(mismatches, fmt.Sprintf("%s %s → %d: %.1500s\nbody: %.500s", r.Method, r.URL.RequestURI(), res.Status, problem, resBody))
		}
	}))

	sum, err := fixtures.Load(context.Background(), srv, store)
	if err != nil {
		t.Fatal(err)
	}
	if !sum.Loaded {
		t.Fatalf("demo not loaded: %s", sum.Reason)
	}

	token, err := access.CreateToken(store, access.RoleAuditor, "openapi-auditor", "test")
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string, v any) {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		srv.Echo().ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
		}
		if v != nil {
			if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
				t.Fatalf("GET %s: %v", path, err)
			}
		}
	}
	// every page of a list, small pages so cursors are used
	type page struct {
		Data       []map[string]any `json:"data"`
		NextCursor *string          `json:"next_cursor"`
	}
	all := func(path string) []map[string]any {
		t.Helper()
		var out []map[string]any
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		next := path + sep + "limit=7"
		for {
			var p page
			get(next, &p)
			out = append(out, p.Data...)
			if p.NextCursor == nil {
				return out
			}
			next = path + sep + "limit=7&cursor=" + url.QueryEscape(*p.NextCursor)
		}
	}

	cases := all("/v1/cases")
	for _, c := range cases {
		get(fmt.Sprintf("/v1/cases/%v", c["id"]), nil)
	}
	items := all("/v1/items")
	for _, kind := range []string{"cash", "wallet"} {
		all("/v1/items?kind=" + kind)
	}
	for i, it := range items {
		get(fmt.Sprintf("/v1/items/%v", it["id"]), nil)
		entries := all(fmt.Sprintf("/v1/items/%v/custody", it["id"]))
		if i%4 == 0 {
			get(fmt.Sprintf("/v1/items/%v/custody/bundle", it["id"]), nil)
			for _, e := range entries[:1] {
				get(fmt.Sprintf("/v1/custody/entries/%v", e["seq"]), nil)
				get(fmt.Sprintf("/v1/custody/entries/%v/proof", e["seq"]), nil)
			}
		}
	}
	var cp struct {
		TreeSize uint64 `json:"tree_size"`
	}
	get("/v1/custody/checkpoint", &cp)
	get("/v1/custody/key", nil)
	get(fmt.Sprintf("/v1/custody/consistency?old=1&new=%d", cp.TreeSize), nil)
	all("/v1/balances")
	all("/v1/balances?account=custody&as_of=2025-06-05")
	all("/v1/balances?currency=BTC&as_of=2025-06-05T12:00:00Z")
	all("/v1/rates")
	get("/v1/rates?as_of=2025-06-05", nil)
	get("/v1/rates?currency=USD&as_of=2025-06-08", nil)
	for _, asOf := range []string{"&as_of=2025-06-01", "&as_of=2025-06-04", "&as_of=2025-06-08", ""} {
		for _, g := range []string{"currency", "case", "circle", "location"} {
			get("/v1/valuation?group_by="+g+asOf, nil)
		}
		get("/v1/valuation/seizure?case_id=1"+asOf, nil)
		get("/v1/valuation/seizure?"+strings.TrimPrefix(asOf, "&"), nil)
	}
	all("/v1/conversions")
	all("/v1/reconciliations")
	all("/v1/reconciliations?status=difference")
	all("/v1/reconciliations/discrepancies")
	for _, asOf := range []string{"?as_of=2025-06-03", "?as_of=2025-07-20", ""} {
		if rows := all("/v1/register" + asOf); len(rows) == 0 || len(rows) > len(items) {
			t.Errorf("register%s: %d rows of %d items", asOf, len(rows), len(items))
		}
	}
	get("/v1/verify", nil)

	mu.Lock()
	defer mu.Unlock()
	for _, m := range mismatches {
		t.Errorf("OpenAPI: %s", m)
	}
	if checked < 200 {
		t.Errorf("only %d answers checked", checked)
	}
	t.Logf("%d answers of %d items in %d cases checked against openapi.yaml", checked, len(items), len(cases))
}
