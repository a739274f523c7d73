package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/service"
	"github.com/amanat-ledger/amanat/ledger"
)

// testServer is a real server on a real store file, with one token per role.
type testServer struct {
	t      testing.TB
	s      *Server
	store  *ledger.Store
	tokens map[string]string // role -> token
	// twoStep leaves proposals of the two-person rule pending. Unless it is
	// set, do has the supervisor approve every proposal a call makes at
	// once and answers the approval, so that tests of other rules make a
	// release as two people do: the custodian proposes, the supervisor
	// approves.
	twoStep bool
}

func newTestServer(t testing.TB, checkers ...ledger.Checker) *testServer {
	t.Helper()
	svc := openTestService(t, t.TempDir(), ledger.Options{})
	if len(checkers) > 0 {
		svc.Checks = append([]ledger.Checker{ledger.BooksChecker}, checkers...)
	}
	return serveTest(t, svc)
}

// openTestService opens a new store in dir (api.db) with every service, as
// the server opens it, and closes the store when the test ends.
func openTestService(t testing.TB, dir string, opt ledger.Options) *service.Service {
	t.Helper()
	svc, err := service.Open(filepath.Join(dir, "api.db"), service.Options{Store: opt})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Store.Close() })
	return svc
}

// serveTest is the server over svc with one token per role.
func serveTest(t testing.TB, svc *service.Service) *testServer {
	t.Helper()
	s, err := New(Config{Service: svc, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{t: t, s: s, store: svc.Store, tokens: map[string]string{}}
	for _, role := range access.Roles {
		tok, err := access.CreateToken(svc.Store, role, "test-"+role, "test")
		if err != nil {
			t.Fatal(err)
		}
		ts.tokens[role] = tok
	}
	return ts
}

// do sends a request as role ("" for no token) and returns the recorder,
// after checking the answer against openapi.yaml (checkOpenAPI).
func (ts *testServer) do(role, method, path, body string, headers ...string) *httptest.ResponseRecorder {
	ts.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+ts.tokens[role])
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	sent := req.Header.Clone()
	rec := httptest.NewRecorder()
	ts.s.Echo().ServeHTTP(rec, req)
	// Every answer of the suite must be one the OpenAPI description allows.
	checkOpenAPI(ts.t, method, path, body, sent, rec)
	if rec.Code == http.StatusAccepted && !ts.twoStep && role != access.RoleSupervisor && rec.Header().Get("Idempotent-Replayed") == "" {
		var p struct {
			ID uint64 `json:"approval_id"`
		}
		decode(ts.t, rec, &p)
		return ts.do(access.RoleSupervisor, http.MethodPost, fmt.Sprintf("/v1/approvals/%d/approve", p.ID), "")
	}
	return rec
}

// decode reads a JSON answer into v, failing the test on a bad body.
func decode(t testing.TB, rec *httptest.ResponseRecorder, v any) {
	t.Helper()
	if err := json.NewDecoder(bytes.NewReader(rec.Body.Bytes())).Decode(v); err != nil {
		t.Fatalf("decode %q: %v", rec.Body.String(), err)
	}
}

// wantProblem checks an RFC 7807 answer with status and, if field is set, a
// field error naming it.
func wantProblem(t testing.TB, rec *httptest.ResponseRecorder, status int, field string) Problem {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("content type %q, want application/problem+json", ct)
	}
	var p Problem
	decode(t, rec, &p)
	if p.Status != status || p.Type == "" || p.Title == "" || p.Detail == "" {
		t.Fatalf("incomplete problem body: %+v", p)
	}
	if field != "" {
		found := false
		for _, f := range p.Errors {
			if f.Field == field && f.Reason != "" {
				found = true
			}
		}
		if !found {
			t.Fatalf("problem does not name field %q: %s", field, rec.Body.String())
		}
	}
	return p
}
