package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain/access"
)

// describedAPI is the parsed description and a router over it, shared by
// every test.
var describedAPI = sync.OnceValues(func() (routers.Router, error) {
	doc, err := OpenAPI()
	if err != nil {
		return nil, err
	}
	return gorillamux.NewRouter(doc)
})

// inDescribedAPI says whether a path belongs to the API the description
// covers: /healthz, /openapi.json and everything under /v1. Tests may mount
// fixture routes elsewhere (e.g. /v1test) to drive helpers; only their error
// answers are checked, as problem bodies.
func inDescribedAPI(path string) bool {
	return path == "/healthz" || path == "/openapi.json" || path == "/v1" || strings.HasPrefix(path, "/v1/")
}

// exercised records "METHOD /path STATUS" of every answer checked, so that
// TestMain can say, with -v, which described answers the suite never produced
// (and so never checked).
var exercised sync.Map

func TestMain(m *testing.M) {
	code := m.Run()
	if testing.Verbose() && flag.Lookup("test.run").Value.String() == "" {
		if doc, err := OpenAPI(); err == nil {
			var never []string
			for path, item := range doc.Paths.Map() {
				for method, op := range item.Operations() {
					for status := range op.Responses.Map() {
						if status != "default" {
							if _, ok := exercised.Load(method + " " + path + " " + status); !ok {
								never = append(never, method+" "+path+" "+status)
							}
						}
					}
				}
			}
			sort.Strings(never)
			fmt.Printf("OpenAPI: %d described answers the suite never produced:\n  %s\n", len(never), strings.Join(never, "\n  "))
		}
	}
	os.Exit(code)
}

// checkOpenAPI fails t unless the answer rec to the request (method, target,
// body, header) is described by openapi.yaml: its route, its status (listed
// explicitly unless it is a 5xx, which the default response covers) and its
// body and headers. A request the server accepted (2xx) must itself match the
// description too; refused requests are often bad on purpose and are not
// checked. testServer.do calls it for every request of the suite.
func checkOpenAPI(t testing.TB, method, target, body string, header http.Header, rec *httptest.ResponseRecorder) {
	t.Helper()
	if err := openAPIMismatch(method, target, body, header, rec); err != nil {
		t.Errorf("OpenAPI: %s %s answered %d, which the description does not allow: %v\nbody: %.2000s", method, target, rec.Code, err, rec.Body.String())
	}
}

func openAPIMismatch(method, target, body string, header http.Header, rec *httptest.ResponseRecorder) error {
	router, err := describedAPI()
	if err != nil {
		return err
	}
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header = header.Clone()
	if !inDescribedAPI(req.URL.Path) {
		if rec.Code >= 400 {
			return checkProblem(rec)
		}
		return nil
	}
	route, params, err := router.FindRoute(req)
	if errors.Is(err, routers.ErrPathNotFound) || errors.Is(err, routers.ErrMethodNotAllowed) {
		// No described operation: the server must have refused it with a
		// problem (404 or 405, or 401 first under /v1).
		switch rec.Code {
		case http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusUnauthorized:
			return checkProblem(rec)
		}
		return fmt.Errorf("no operation is described for %s %s (%v)", method, req.URL.Path, err)
	}
	if err != nil {
		return fmt.Errorf("find route: %w", err)
	}
	exercised.Store(fmt.Sprintf("%s %s %d", route.Method, route.Path, rec.Code), true)
	if rec.Code < 500 && route.Operation.Responses.Status(rec.Code) == nil {
		return fmt.Errorf("status %d is not described for %s %s", rec.Code, route.Method, route.Path)
	}
	ctx := context.Background()
	reqIn := &openapi3filter.RequestValidationInput{
		Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true},
	}
	err = openapi3filter.ValidateResponse(ctx, &openapi3filter.ResponseValidationInput{
		RequestValidationInput: reqIn,
		Status:                 rec.Code,
		Header:                 rec.Header(),
		Body:                   io.NopCloser(bytes.NewReader(rec.Body.Bytes())),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	})
	if err != nil {
		return fmt.Errorf("response: %w", err)
	}
	if err := UndeclaredInAnswer(route.Operation, rec.Code, rec.Header().Get("Content-Type"), rec.Body.Bytes()); err != nil {
		return err
	}
	if rec.Code < 300 {
		if err := openapi3filter.ValidateRequest(ctx, reqIn); err != nil {
			return fmt.Errorf("the server accepted a request the description refuses: %w", err)
		}
	}
	return nil
}

// checkProblem checks an answer outside any described operation against the
// Problem schema.
func checkProblem(rec *httptest.ResponseRecorder) error {
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		return fmt.Errorf("content type %q, want application/problem+json", ct)
	}
	doc, err := OpenAPI()
	if err != nil {
		return err
	}
	var v any
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		return fmt.Errorf("problem body: %w", err)
	}
	return doc.Components.Schemas["Problem"].Value.VisitJSON(v)
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	doc, err := OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
}

// echoPath turns an Echo route path (/v1/items/:id) into the description's
// form (/v1/items/{id}).
var echoParam = regexp.MustCompile(`:([A-Za-z_][A-Za-z0-9_]*)`)

func echoPath(p string) string { return echoParam.ReplaceAllString(p, "{$1}") }

// TestEveryRouteIsDescribed keeps the description and the router in step:
// each route the server registers is an operation of the description, and
// each operation is a registered route. A new endpoint cannot land without
// its description.
func TestEveryRouteIsDescribed(t *testing.T) {
	ts := newTestServer(t)
	doc, err := OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	registered := map[string]bool{}
	for _, r := range ts.s.Echo().Routes() {
		if r.Method == echo.RouteNotFound {
			continue // the /v1 group's catch-all, so its middleware runs on unknown paths
		}
		if ts.s.consoleRoutes[r.Path] {
			continue // the web console's HTML pages (docs/console.md)
		}
		registered[r.Method+" "+echoPath(r.Path)] = true
	}
	described := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			described[method+" "+path] = true
		}
	}
	var missing, stale []string
	for k := range registered {
		if !described[k] {
			missing = append(missing, k)
		}
	}
	for k := range described {
		if !registered[k] {
			stale = append(stale, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	if len(missing) > 0 {
		t.Errorf("routes registered but not described in openapi.yaml:\n  %s", strings.Join(missing, "\n  "))
	}
	if len(stale) > 0 {
		t.Errorf("operations described in openapi.yaml but not registered:\n  %s", strings.Join(stale, "\n  "))
	}
	if len(registered) < 30 {
		t.Errorf("only %d routes registered; the server lost its routes?", len(registered))
	}
}

// TestOpenAPIDescribesTheConventions checks what every operation must say:
// bearer security on /v1 and none elsewhere, a problem answer for every
// error status, 401 on every /v1 operation, 400/413/422 on every operation
// with a JSON body, the Idempotency-Key header exactly on the writes that
// honour it, and the list envelope on every list.
func TestOpenAPIDescribesTheConventions(t *testing.T) {
	doc, err := OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	// The writes that go through Server.writeOnce, and POST /v1/tokens,
	// which calls the store's WriteOnce itself.
	idempotent := []string{"POST /v1/cases", "POST /v1/seizures", "POST /v1/items/{id}/custody",
		"POST /v1/rates", "POST /v1/conversions", "POST /v1/reconciliations", "POST /v1/tokens", "POST /v1/court-orders",
		"POST /v1/approvals/{id}/approve", "POST /v1/approvals/{id}/reject"}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			name := method + " " + path
			sec := doc.Security
			if op.Security != nil {
				sec = *op.Security
			}
			v1 := strings.HasPrefix(path, "/v1/")
			if v1 != (len(sec) == 1 && sec[0]["bearer"] != nil) {
				t.Errorf("%s: security %v", name, sec)
			}
			if v1 && op.Responses.Status(http.StatusUnauthorized) == nil {
				t.Errorf("%s: no 401", name)
			}
			if op.Responses.Default() == nil {
				t.Errorf("%s: no default (5xx) answer", name)
			}
			for code, r := range op.Responses.Map() {
				if code == "default" || code[0] == '4' {
					if r.Value.Content.Get("application/problem+json") == nil {
						t.Errorf("%s %s: not a problem body", name, code)
					}
				}
			}
			if op.RequestBody != nil {
				for _, code := range []int{400, 413, 422} {
					if op.Responses.Status(code) == nil {
						t.Errorf("%s: takes a body but describes no %d", name, code)
					}
				}
			}
			hasKey := false
			for _, p := range op.Parameters {
				if p.Value.In == "header" && p.Value.Name == "Idempotency-Key" {
					hasKey = true
				}
			}
			if want := slices.Contains(idempotent, name); hasKey != want {
				t.Errorf("%s: Idempotency-Key described %v, honoured %v", name, hasKey, want)
			}
			if want := slices.Contains(idempotent, name); want && op.Responses.Status(http.StatusConflict) == nil {
				t.Errorf("%s: idempotent write without 409", name)
			}
			if slices.Contains(idempotent, name) {
				for code, r := range op.Responses.Map() {
					if code[0] == '2' && r.Value.Headers["Idempotent-Replayed"] == nil {
						t.Errorf("%s %s: the Idempotent-Replayed header is not described", name, code)
					}
				}
			}
			if ok := op.Responses.Status(http.StatusOK); ok != nil && method == http.MethodGet {
				mt := ok.Value.Content.Get("application/json")
				if mt == nil || mt.Schema == nil {
					continue
				}
				s := mt.Schema.Value
				if _, isList := s.Properties["data"]; isList {
					nc := s.Properties["next_cursor"]
					if nc == nil || !nc.Value.Nullable || !slices.Contains(s.Required, "next_cursor") || !slices.Contains(s.Required, "data") {
						t.Errorf("%s: list without the {data, next_cursor} envelope", name)
					}
				}
			}
		}
	}
}

func TestOpenAPIServedWithoutToken(t *testing.T) {
	ts := newTestServer(t)
	rec := ts.do("", http.MethodGet, "/openapi.json", "")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("%d %s", rec.Code, rec.Header())
	}
	// What is served loads back into the same description.
	doc, err := openapi3.NewLoader().LoadFromData(rec.Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	want, _ := OpenAPI()
	if len(doc.Paths.Map()) != len(want.Paths.Map()) || doc.Paths.Find("/v1/seizures") == nil {
		t.Fatalf("served %d paths, described %d", len(doc.Paths.Map()), len(want.Paths.Map()))
	}
}

// TestOpenAPICheckCatchesDrift shows the suite's check is not a rubber stamp:
// answers that break the description are caught.
func TestOpenAPICheckCatchesDrift(t *testing.T) {
	problem := func(status int) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		rec.Header().Set("Content-Type", "application/problem+json")
		rec.Header().Set(echo.HeaderXRequestID, "req-1")
		rec.WriteHeader(status)
		fmt.Fprintf(rec, `{"type":"https://amanat-ledger.github.io/problems/not_found","title":"Not found","status":%d,"detail":"x"}`, status)
		return rec
	}
	answer := func(status int, body string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		rec.Header().Set("Content-Type", "application/json")
		rec.Header().Set(echo.HeaderXRequestID, "req-1")
		rec.WriteHeader(status)
		io.WriteString(rec, body)
		return rec
	}
	auth := http.Header{"Authorization": {"Bearer amt_x"}}
	for _, tc := range []struct {
		name, method, target, body string
		rec                        *httptest.ResponseRecorder
		ok                         bool
	}{
		{"a described balance page", "GET", "/v1/balances", "", answer(200, `{"data":[{"account":"custody:item:1","currency":"USD","amount":"10.00","postings":1}],"next_cursor":null}`), true},
		{"a member the description does not declare", "GET", "/v1/balances", "", answer(200, `{"data":[{"account":"custody:item:1","currency":"USD","amount":"10.00","postings":1,"note":"x"}],"next_cursor":null}`), false},
		{"an amount as a JSON number", "GET", "/v1/balances", "", answer(200, `{"data":[{"account":"custody:item:1","currency":"USD","amount":10}],"next_cursor":null}`), false},
		{"an amount in exponent notation", "GET", "/v1/balances", "", answer(200, `{"data":[{"account":"a","currency":"USD","amount":"1e3"}],"next_cursor":null}`), false},
		{"a list without next_cursor", "GET", "/v1/balances", "", answer(200, `{"data":[]}`), false},
		{"a status the operation does not describe", "GET", "/v1/balances", "", problem(404), false},
		{"an error that is not a problem body", "GET", "/v1/items/1", "", answer(404, `{"error":"no"}`), false},
		{"a 404 problem where one is described", "GET", "/v1/items/1", "", problem(404), true},
		{"a time that is not UTC", "GET", "/v1/custody/entries/1", "", answer(200, `{"seq":1,"item":1,"item_seq":1,"event":"seized","at":"2025-06-03T10:00:00+05:00","recorded":"2025-06-03T05:00:00Z","recorded_by":"custodian:a","from":null,"to":"a","location":{"circle":"islamabad","building":null,"room":null,"wallet":null,"network":null,"txid":null},"purpose":null,"seal_before":{"number":null,"state":"none"},"seal_after":{"number":"S-1","state":"intact"},"condition":null,"remarks":null,"attachments":[],"court_order":null,"court_order_id":null,"ledger_txn":null,"prev_hash":null,"leaf_index":0,"hash":"`+strings.Repeat("0", 64)+`"}`), false},
		{"a custody entry as described", "GET", "/v1/custody/entries/1", "", answer(200, `{"seq":1,"item":1,"item_seq":1,"event":"seized","at":"2025-06-03T05:00:00Z","recorded":"2025-06-03T05:00:00Z","recorded_by":"custodian:a","approved_by":null,"from":null,"to":"a","location":{"circle":"islamabad","building":null,"room":null,"wallet":null,"network":null,"txid":null},"purpose":null,"seal_before":{"number":null,"state":"none"},"seal_after":{"number":"S-1","state":"intact"},"condition":null,"remarks":null,"attachments":[],"court_order":null,"court_order_id":null,"ledger_txn":null,"prev_hash":null,"leaf_index":0,"hash":"`+strings.Repeat("0", 64)+`"}`), true},
		{"an absent value as \"\" in a custody entry", "GET", "/v1/custody/entries/1", "", answer(200, `{"seq":1,"item":1,"item_seq":1,"event":"seized","at":"2025-06-03T05:00:00Z","recorded":"2025-06-03T05:00:00Z","recorded_by":"custodian:a","approved_by":null,"from":"","to":"a","location":{"circle":"islamabad","building":null,"room":null,"wallet":null,"network":null,"txid":null},"purpose":null,"seal_before":{"number":null,"state":"none"},"seal_after":{"number":"S-1","state":"intact"},"condition":null,"remarks":null,"attachments":[],"court_order":null,"court_order_id":null,"ledger_txn":null,"prev_hash":null,"leaf_index":0,"hash":"`+strings.Repeat("0", 64)+`"}`), false},
		{"no ledger transaction as 0 in a custody entry", "GET", "/v1/custody/entries/1", "", answer(200, `{"seq":1,"item":1,"item_seq":1,"event":"seized","at":"2025-06-03T05:00:00Z","recorded":"2025-06-03T05:00:00Z","recorded_by":"custodian:a","approved_by":null,"from":null,"to":"a","location":{"circle":"islamabad","building":null,"room":null,"wallet":null,"network":null,"txid":null},"purpose":null,"seal_before":{"number":null,"state":"none"},"seal_after":{"number":"S-1","state":"intact"},"condition":null,"remarks":null,"attachments":[],"court_order":null,"court_order_id":null,"ledger_txn":0,"prev_hash":null,"leaf_index":0,"hash":"`+strings.Repeat("0", 64)+`"}`), false},
		{"an undescribed route that answered", "GET", "/v1/secret", "", answer(200, `{}`), false},
		{"an unknown path refused with a problem", "GET", "/v1/secret", "", problem(404), true},
		{"an accepted request the description refuses", "POST", "/v1/rates", `{"currency":"USD","rate":278.65,"effective":"2025-06-02","source":"sbp"}`,
			answer(201, `{"id":1,"currency":"USD","rate":"278.65","effective":"2025-06-02","source":"sbp","entered_by":"finance:f","recorded_at":"2025-06-02T00:00:00Z"}`), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := auth.Clone()
			if tc.body != "" {
				h.Set("Content-Type", "application/json")
			}
			err := openAPIMismatch(tc.method, tc.target, tc.body, h, tc.rec)
			if (err == nil) != tc.ok {
				t.Fatalf("mismatch = %v, want ok=%v", err, tc.ok)
			}
			if testing.Verbose() && err != nil {
				t.Logf("caught: %.300s", err)
			}
		})
	}
}

// mayCall is who may call what: the requireRole of each handler, as a table
// (docs/api.md prints the same). Operations not listed are open to every role.
var mayCall = map[string][]string{
	"GET /v1/balances":                      access.Readers,
	"GET /v1/alerts":                        access.Readers,
	"GET /v1/search":                        access.Readers,
	"GET /v1/register":                      access.Readers,
	"GET /v1/verify":                        {access.RoleAuditor, access.RoleFinance, access.RoleAdmin},
	"GET /v1/backup":                        {access.RoleAdmin},
	"POST /v1/tokens":                       {access.RoleAdmin},
	"GET /v1/tokens":                        {access.RoleAdmin},
	"POST /v1/tokens/{id}/revoke":           {access.RoleAdmin},
	"POST /v1/cases":                        {access.RoleCustodian},
	"GET /v1/cases":                         access.Readers,
	"GET /v1/cases/{id}":                    access.Readers,
	"POST /v1/seizures":                     {access.RoleCustodian},
	"GET /v1/items":                         access.Readers,
	"GET /v1/items/{id}":                    access.Readers,
	"POST /v1/items/{id}/custody":           {access.RoleCustodian},
	"GET /v1/items/{id}/custody":            access.Readers,
	"GET /v1/items/{id}/custody/bundle":     access.Readers,
	"GET /v1/custody/checkpoint":            access.Readers,
	"GET /v1/custody/key":                   access.Readers,
	"GET /v1/custody/entries/{seq}":         access.Readers,
	"GET /v1/custody/entries/{seq}/proof":   access.Readers,
	"GET /v1/custody/consistency":           access.Readers,
	"POST /v1/rates":                        {access.RoleFinance},
	"GET /v1/rates":                         access.Readers,
	"GET /v1/valuation":                     access.Readers,
	"GET /v1/valuation/seizure":             access.Readers,
	"POST /v1/conversions":                  {access.RoleFinance},
	"GET /v1/conversions":                   access.Readers,
	"POST /v1/reconciliations":              {access.RoleFinance},
	"GET /v1/reconciliations":               access.Readers,
	"GET /v1/reconciliations/discrepancies": access.Readers,
	"POST /v1/court-orders":                 {access.RoleCustodian, access.RoleSupervisor},
	"GET /v1/court-orders":                  access.Readers,
	"GET /v1/court-orders/{id}":             access.Readers,
	"GET /v1/approvals":                     access.Readers,
	"GET /v1/approvals/{id}":                access.Readers,
	"POST /v1/approvals/{id}/approve":       {access.RoleSupervisor},
	"POST /v1/approvals/{id}/reject":        {access.RoleSupervisor},
}

// describedOperations lists "METHOD /path" of every /v1 operation, sorted.
func describedOperations(t *testing.T) []string {
	t.Helper()
	doc, err := OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if strings.HasPrefix(path, "/v1/") {
				ops = append(ops, method+" "+path)
			}
		}
	}
	sort.Strings(ops)
	return ops
}

var pathParam = regexp.MustCompile(`\{[a-z_]+\}`)

// TestEveryOperationAnswersAsDescribed drives every /v1 operation with no
// token, with each role, with a malformed body and with a body over the
// limit, on a server with the custody log and the evidence registry. Each
// answer passes through testServer.do, so each is checked against the
// description; here the statuses are checked against the role table.
func TestEveryOperationAnswersAsDescribed(t *testing.T) {
	ts, _ := newCustodyServer(t)
	for _, op := range describedOperations(t) {
		method, path, _ := strings.Cut(op, " ")
		// 999 names nothing: no write below can succeed, so the roles'
		// tokens survive (a revoke of 999 is a 404).
		target := pathParam.ReplaceAllString(path, "999")
		body := ""
		if method == http.MethodPost {
			body = "{}"
		}
		t.Run(op, func(t *testing.T) {
			wantProblem(t, ts.do("", method, target, body), http.StatusUnauthorized, "")
			allowed, limited := mayCall[op]
			for _, role := range access.Roles {
				rec := ts.do(role, method, target, body)
				if limited && !slices.Contains(allowed, role) {
					wantProblem(t, rec, http.StatusForbidden, "")
				} else if rec.Code == http.StatusForbidden || rec.Code == http.StatusUnauthorized {
					t.Errorf("%s may call %s but got %d: %s", role, op, rec.Code, rec.Body)
				}
			}
			role := access.RoleAdmin
			if limited {
				role = allowed[0]
			}
			if method == http.MethodGet && describesParam(t, path, method, "limit") {
				wantProblem(t, ts.do(role, method, target+"?limit=0", ""), http.StatusUnprocessableEntity, "limit")
			}
			if method != http.MethodPost || path == "/v1/tokens/{id}/revoke" || path == "/v1/approvals/{id}/approve" { // no body
				return
			}
			target = strings.Replace(target, "999", "1", 1)
			wantProblem(t, ts.do(role, method, target, `{"x":`), http.StatusBadRequest, "")
			wantProblem(t, ts.do(role, method, target, `{"x":"`+strings.Repeat("x", 2<<20)+`"}`), http.StatusRequestEntityTooLarge, "")
		})
	}
}

// TestIdempotencyKeyReuseIsAConflict: a key reused with another body is a
// 409 problem, as described for every idempotent write.
func TestIdempotencyKeyReuseIsAConflict(t *testing.T) {
	ts, _ := newCustodyServer(t)
	rate := `{"currency":"USD","rate":"278.65","effective":"2025-06-02","source":"sbp-interbank"}`
	first := ts.do(access.RoleFinance, http.MethodPost, "/v1/rates", rate, "Idempotency-Key", "r-1")
	again := ts.do(access.RoleFinance, http.MethodPost, "/v1/rates", rate, "Idempotency-Key", "r-1")
	if first.Code != http.StatusCreated || again.Body.String() != first.Body.String() || again.Header().Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry: %d %s / %d %s", first.Code, first.Body, again.Code, again.Body)
	}
	wantProblem(t, ts.do(access.RoleFinance, http.MethodPost, "/v1/rates", strings.Replace(rate, "278.65", "278.70", 1), "Idempotency-Key", "r-1"), http.StatusConflict, "")
	rec := ts.do(access.RoleFinance, http.MethodGet, "/v1/rates", "")
	var list struct{ Data []struct{ ID uint64 } }
	decode(t, rec, &list)
	if len(list.Data) != 1 {
		t.Fatalf("%d rates after a retry and a conflict, want 1", len(list.Data))
	}
}

func describesParam(t *testing.T, path, method, name string) bool {
	t.Helper()
	doc, err := OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range doc.Paths.Find(path).GetOperation(method).Parameters {
		if p.Value.Name == name {
			return true
		}
	}
	return false
}

// BenchmarkOpenAPICheck measures what the suite's check costs per answer: a
// seizure's request and 201 answer routed and validated against the
// description.
func BenchmarkOpenAPICheck(b *testing.B) {
	ts, _ := newEvidenceServer(b)
	caseID := mustCreateCase(b, ts, "1/2025")
	body := seizureBody(caseID, "BENCH")
	header := http.Header{"Authorization": {"Bearer " + ts.tokens[access.RoleCustodian]}, "Content-Type": {"application/json"}}
	req := httptest.NewRequest(http.MethodPost, "/v1/seizures", strings.NewReader(body))
	req.Header = header.Clone()
	rec := httptest.NewRecorder()
	ts.s.Echo().ServeHTTP(rec, req)
	if rec.Code != http.StatusCreated {
		b.Fatalf("%d %s", rec.Code, rec.Body)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := openAPIMismatch(http.MethodPost, "/v1/seizures", body, header, rec); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "answers/s")
}
