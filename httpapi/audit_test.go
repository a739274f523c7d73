package httpapi

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/ledger"
)

// auditRows reads the whole audit log through GET /v1/audit as the auditor,
// page by page, with the query q.
func auditRows(t *testing.T, ts *testServer, q string) []auditJSON {
	t.Helper()
	var out []auditJSON
	cursor := ""
	for {
		target := "/v1/audit?limit=200" + q
		if cursor != "" {
			target += "&cursor=" + cursor
		}
		rec := ts.do(access.RoleAuditor, http.MethodGet, target, "")
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", target, rec.Code, rec.Body)
		}
		var page struct {
			Data       []auditJSON `json:"data"`
			NextCursor *string     `json:"next_cursor"`
		}
		decode(t, rec, &page)
		if len(page.Data) > 200 {
			t.Fatalf("a page of %d rows, limit 200", len(page.Data))
		}
		out = append(out, page.Data...)
		if page.NextCursor == nil {
			return out
		}
		cursor = *page.NextCursor
	}
}

func findAudit(rows []auditJSON, method, target string, status int) *auditJSON {
	u, _ := url.Parse(target)
	for i := len(rows) - 1; i >= 0; i-- {
		r := rows[i]
		if r.Method == method && r.Path == u.Path && r.Query == u.RawQuery && r.Status == status {
			return &rows[i]
		}
	}
	return nil
}

// TestEveryReadIsAudited drives each GET operation of the OpenAPI
// description once and then finds each in GET /v1/audit, with its caller,
// its status and the item its path names.
func TestEveryReadIsAudited(t *testing.T) {
	ts, _ := newCustodyServer(t)
	type sent struct {
		role, target string
		status       int
	}
	var reads []sent
	for _, op := range describedOperations(t) {
		method, path, _ := strings.Cut(op, " ")
		if method != http.MethodGet {
			continue
		}
		role := access.RoleAdmin
		if allowed, limited := mayCall[op]; limited {
			role = allowed[0]
		} else if path != "/v1/tokens" {
			role = access.RoleInvestigator
		}
		target := pathParam.ReplaceAllString(path, "1")
		rec := ts.do(role, method, target, "")
		reads = append(reads, sent{role, target, rec.Code})
	}
	rows := auditRows(t, ts, "")
	for _, r := range reads {
		got := findAudit(rows, http.MethodGet, r.target, r.status)
		if got == nil {
			t.Errorf("GET %s (%d) is not in the audit log", r.target, r.status)
			continue
		}
		if got.Actor != r.role+":test-"+r.role || got.TokenID == nil || got.At == "" || got.RequestID == "" || got.Remote == "" {
			t.Errorf("GET %s recorded as %+v", r.target, got)
		}
		if strings.HasPrefix(r.target, "/v1/items/1") && (got.ItemID == nil || *got.ItemID != 1) {
			t.Errorf("GET %s does not name item 1: %+v", r.target, got)
		}
	}
	// Writes are recorded too: the seizure of the custody server's setup.
	if findAudit(rows, http.MethodPost, "/v1/seizures", http.StatusCreated) == nil {
		t.Error("the seizure is not in the audit log")
	}
}

// TestRefusalsAreAudited: a custodian probing what it may not read, and a
// caller with no token, are recorded with what they were answered.
func TestRefusalsAreAudited(t *testing.T) {
	ts, _ := newCustodyServer(t)
	wantProblem(t, ts.do(access.RoleCustodian, http.MethodGet, "/v1/backup", ""), http.StatusForbidden, "")
	wantProblem(t, ts.do(access.RoleCustodian, http.MethodGet, "/v1/items/999", ""), http.StatusNotFound, "")
	wantProblem(t, ts.do(access.RoleCustodian, http.MethodGet, "/v1/audit", ""), http.StatusForbidden, "")
	wantProblem(t, ts.do("", http.MethodGet, "/v1/items/1", ""), http.StatusUnauthorized, "")

	mine := auditRows(t, ts, "&actor=custodian:test-custodian")
	for _, want := range []struct {
		target string
		status int
	}{{"/v1/backup", 403}, {"/v1/items/999", 404}, {"/v1/audit", 403}} {
		if findAudit(mine, http.MethodGet, want.target, want.status) == nil {
			t.Errorf("the custodian's GET %s (%d) is not in its audit trail", want.target, want.status)
		}
	}
	for _, r := range mine {
		if r.Actor != "custodian:test-custodian" {
			t.Fatalf("actor= returned another caller's record: %+v", r)
		}
	}
	item1 := auditRows(t, ts, "&item=1")
	anon := findAudit(item1, http.MethodGet, "/v1/items/1", http.StatusUnauthorized)
	if anon == nil || anon.Actor != "" || anon.TokenID != nil {
		t.Fatalf("the request without a token: %+v", anon)
	}
	for _, r := range item1 {
		if r.ItemID == nil || *r.ItemID != 1 {
			t.Fatalf("item= returned another item's record: %+v", r)
		}
	}
}

// TestPagesOutsideTheAPIAreAudited: the console's pages and its login share
// the server, so they are recorded without doing anything themselves;
// health, the description and static assets are not. A body or a password
// in the query never reaches the log.
func TestPagesOutsideTheAPIAreAudited(t *testing.T) {
	ts, _ := newCustodyServer(t)
	for _, target := range []string{"/healthz", "/openapi.json", "/static/app.css"} {
		serve(ts, http.MethodGet, target, "")
	}
	serve(ts, http.MethodGet, "/", "")
	serve(ts, http.MethodPost, "/login?next=%2Fitems&password=hunter2&Token=amt_x", "username=zara&password=hunter2")
	rows := auditRows(t, ts, "")
	for _, r := range rows {
		if r.Path == "/healthz" || r.Path == "/openapi.json" || strings.HasPrefix(r.Path, "/static/") {
			t.Errorf("%s is recorded", r.Path)
		}
		if strings.Contains(fmt.Sprint(r), "hunter2") || strings.Contains(fmt.Sprint(r), "amt_") {
			t.Fatalf("a secret reached the audit log: %+v", r)
		}
	}
	// The console answers these (a redirect to the login page, a login
	// refused for the secrets in its query); whatever it answers is
	// recorded.
	if findAudit(rows, http.MethodGet, "/", http.StatusSeeOther) == nil {
		t.Errorf("GET / is not recorded with its redirect to the login page: %+v", rows)
	}
	if findAudit(rows, http.MethodPost, "/login?next=%2Fitems&password=REDACTED&Token=REDACTED", http.StatusUnprocessableEntity) == nil {
		t.Errorf("POST /login is not recorded with its secrets redacted: %+v", rows[len(rows)-1])
	}
}

func serve(ts *testServer, method, target, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	rec := httptest.NewRecorder()
	ts.s.Echo().ServeHTTP(rec, req)
	return rec
}

// TestAnUnrecordedReadIsNotServed breaks the audit tree's stored hashes so
// that no record can be appended: the read is then answered 503, without
// the item, and nothing is recorded.
func TestAnUnrecordedReadIsNotServed(t *testing.T) {
	ts, _ := newCustodyServer(t)
	count := func() (n int) {
		_ = ts.store.DB().View(func(btx *bolt.Tx) error { n = btx.Bucket([]byte("audit.records")).Stats().KeyN; return nil })
		return n
	}
	if err := ts.store.DB().Update(func(btx *bolt.Tx) error {
		if err := btx.DeleteBucket([]byte("audit.hashes")); err != nil {
			return err
		}
		_, err := btx.CreateBucket([]byte("audit.hashes"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	before := count()
	for _, target := range []string{"/v1/items/1", "/v1/items/999", "/v1/backup"} {
		role := access.RoleCustodian
		if target == "/v1/backup" {
			role = access.RoleAdmin
		}
		rec := ts.do(role, http.MethodGet, target, "")
		wantProblem(t, rec, http.StatusServiceUnavailable, "")
		if strings.Contains(rec.Body.String(), "CUS-1") || rec.Header().Get("Content-Disposition") != "" {
			t.Fatalf("GET %s served its answer unrecorded: %s", target, rec.Body)
		}
	}
	if after := count(); after != before {
		t.Fatalf("records %d, then %d", before, after)
	}
}

// TestAuditFilterParameters: bad values are 422 naming the parameter, and
// only the auditor and the admin read the log.
func TestAuditFilterParameters(t *testing.T) {
	ts, _ := newCustodyServer(t)
	for q, field := range map[string]string{
		"item=0": "item", "item=x": "item", "from=yesterday": "from", "to=2026-13-01": "to",
		"from=2026-12-02&to=2026-12-01": "to", "cursor=AAAA": "cursor",
	} {
		wantProblem(t, ts.do(access.RoleAuditor, http.MethodGet, "/v1/audit?"+q, ""), http.StatusUnprocessableEntity, field)
	}
	for _, role := range access.Roles {
		rec := ts.do(role, http.MethodGet, "/v1/audit", "")
		if ok := slices.Contains([]string{access.RoleAuditor, access.RoleAdmin}, role); ok != (rec.Code == http.StatusOK) {
			t.Errorf("%s reads the audit log: %d", role, rec.Code)
		}
	}
	// A date bound is a whole day: today's records are all within to=today.
	today := auditRows(t, ts, "&from=2000-01-01&to=2999-12-31")
	all := auditRows(t, ts, "")
	if len(today) == 0 || len(today) > len(all) {
		t.Fatalf("%d records by date, %d in all", len(today), len(all))
	}
}

// BenchmarkAuditedRead reads one item through the real router on a durable
// store, each read recorded in the audit log before it is answered: by one
// client (a durable commit a read) and by 32 (their records share
// commits).
func BenchmarkAuditedRead(b *testing.B) {
	for _, clients := range []int{1, 32} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			ts, _ := newCustodyServerWith(b, ledger.Options{}) // durable
			token := ts.tokens[access.RoleInvestigator]
			b.ReportAllocs()
			b.SetParallelism(max(1, clients/runtime.GOMAXPROCS(0)))
			start := time.Now()
			b.ResetTimer()
			read := func() {
				req := httptest.NewRequest(http.MethodGet, "/v1/items/1", nil)
				req.Header.Set("Authorization", "Bearer "+token)
				rec := httptest.NewRecorder()
				ts.s.Echo().ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%d %s", rec.Code, rec.Body)
				}
			}
			if clients == 1 {
				for range b.N {
					read()
				}
			} else {
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						read()
					}
				})
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "reads/s")
		})
	}
}

// TestReadsLeaveTheCustodyLogAlone: the audit log is a tree of its own, so
// reading, however much, changes neither the custody log's checkpoint nor an
// item's court bundle.
func TestReadsLeaveTheCustodyLogAlone(t *testing.T) {
	ts, _ := newCustodyServer(t)
	checkpoint := ts.do(access.RoleAuditor, http.MethodGet, "/v1/custody/checkpoint", "").Body.String()
	bundle := ts.do(access.RoleAuditor, http.MethodGet, "/v1/items/1/custody/bundle", "").Body.String()
	for range 20 {
		ts.do(access.RoleInvestigator, http.MethodGet, "/v1/items/1", "")
		ts.do(access.RoleCustodian, http.MethodGet, "/v1/backup", "") // refused, recorded
	}
	if got := ts.do(access.RoleAuditor, http.MethodGet, "/v1/custody/checkpoint", "").Body.String(); got != checkpoint {
		t.Fatalf("the custody checkpoint moved with reads:\n%s\n%s", checkpoint, got)
	}
	if got := ts.do(access.RoleAuditor, http.MethodGet, "/v1/items/1/custody/bundle", "").Body.String(); got != bundle {
		t.Fatal("the court bundle changed with reads")
	}
	if n := len(auditRows(t, ts, "&item=1")); n < 22 {
		t.Fatalf("%d records of item 1", n)
	}
}
