package httpapi

import (
	"encoding/binary"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	bolt "go.etcd.io/bbolt"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/ledger"
)

// TestIdempotentRetryWithOtherSpacingOrKeyOrderReplays: a retry is judged by
// the request's canonical JSON, so the same rate sent again with other
// spacing, key order or escapes gets the first answer back and writes
// nothing, while a number written differently or another value is a 409
// whose detail quotes the key as the client sent it, not as it is stored.
func TestIdempotentRetryWithOtherSpacingOrKeyOrderReplays(t *testing.T) {
	ts := newTestServer(t)
	first := ts.do(access.RoleFinance, http.MethodPost, "/v1/rates", `{"currency":"USD","rate":"278.6500","effective":"2025-06-02","source":"sbp-interbank"}`, "Idempotency-Key", "rate-1")
	if first.Code != http.StatusCreated {
		t.Fatalf("first: %d %s", first.Code, first.Body)
	}
	before := snapshot(t, ts.store)
	for _, retry := range []string{
		`{"currency":"USD","rate":"278.6500","effective":"2025-06-02","source":"sbp-interbank"}`,
		"{\n  \"source\": \"sbp-interbank\",\n  \"effective\": \"2025-06-02\",\n  \"rate\": \"278.6500\",\n  \"currency\": \"USD\"\n}\n",
		`{"currency":"\u0055SD","rate":"278.6500","effective":"2025-06-02","source":"sbp\u002dinterbank"}`,
	} {
		again := ts.do(access.RoleFinance, http.MethodPost, "/v1/rates", retry, "Idempotency-Key", "rate-1")
		if again.Code != http.StatusCreated || again.Body.String() != first.Body.String() || again.Header().Get("Idempotent-Replayed") != "true" {
			t.Fatalf("retry %q: %d %s, want the first answer replayed", retry, again.Code, again.Body)
		}
	}
	p := wantProblem(t, ts.do(access.RoleFinance, http.MethodPost, "/v1/rates", `{"currency":"USD","rate":"278.6600","effective":"2025-06-02","source":"sbp-interbank"}`, "Idempotency-Key", "rate-1"), http.StatusConflict, "")
	rec, _, err := ts.s.tokens.Lookup(ts.tokens[access.RoleFinance])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Detail, `Idempotency-Key "rate-1"`) || strings.Contains(p.Detail, strconv.FormatUint(rec.ID, 10)+" rate-1") {
		t.Fatalf("detail %q should quote the key as sent, never its stored form", p.Detail)
	}
	if snapshot(t, ts.store) != before {
		t.Fatal("retries changed the store")
	}

	// Numbers count as written: 7 and 7.0 may mean different things.
	g := ts.s.Echo().Group("/v1test", ts.s.authenticate)
	g.POST("/count", func(c echo.Context) error {
		var req struct {
			N    any    `json:"n"`
			Note string `json:"note"`
		}
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		return ts.s.writeOnce(c, func(tx *ledger.Tx) (int, any, error) {
			_, err := tx.Bolt.CreateBucketIfNotExists([]byte("test.count"))
			return http.StatusCreated, map[string]any{"n": req.N}, err
		})
	})
	send := func(body string) *httptest.ResponseRecorder {
		return ts.do(access.RoleFinance, http.MethodPost, "/v1test/count", body, "Idempotency-Key", "n-1")
	}
	if r := send(`{"n":7,"note":"a"}`); r.Code != http.StatusCreated {
		t.Fatalf("first count: %d %s", r.Code, r.Body)
	}
	if r := send(`{ "note" : "a" , "n" : 7 }`); r.Code != http.StatusCreated || r.Header().Get("Idempotent-Replayed") != "true" {
		t.Fatalf("count retry: %d %s", r.Code, r.Body)
	}
	wantProblem(t, send(`{"n":7.0,"note":"a"}`), http.StatusConflict, "")
	wantProblem(t, send(`{"n":7e0,"note":"a"}`), http.StatusConflict, "")
}

// TestIdempotencyRecordsWrittenBeforeCanonicalFormsStillReplay: a record
// stored by the earlier format (version 1: the hash of the body as sent)
// still replays a retry with the same bytes after the upgrade. A retry of
// such a request with other spacing is a 409, as it was before.
func TestIdempotencyRecordsWrittenBeforeCanonicalFormsStillReplay(t *testing.T) {
	ts := newTestServer(t)
	rec, _, err := ts.s.tokens.Lookup(ts.tokens[access.RoleFinance])
	if err != nil {
		t.Fatal(err)
	}
	body := `{"currency":"USD", "rate":"278.6500", "effective":"2025-06-02", "source":"sbp-interbank"}`
	// The answer the first request got, as the earlier code stored it.
	first := ts.do(access.RoleFinance, http.MethodPost, "/v1/rates", body)
	if first.Code != http.StatusCreated {
		t.Fatalf("first: %d %s", first.Code, first.Body)
	}
	answer := first.Body.String()
	// Exactly what the earlier code stored for this request.
	hash := ledger.RequestHash([]byte(http.MethodPost), []byte("/v1/rates"), []byte(body))
	v := append([]byte{1}, hash[:]...)
	v = binary.BigEndian.AppendUint16(v, http.StatusCreated)
	v = append(v, answer...)
	if err := ts.store.DB().Update(func(btx *bolt.Tx) error {
		return btx.Bucket([]byte("ledger.idempotency")).Put([]byte(strconv.FormatUint(rec.ID, 10)+" old-1"), v)
	}); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, ts.store)
	again := ts.do(access.RoleFinance, http.MethodPost, "/v1/rates", body, "Idempotency-Key", "old-1")
	if again.Code != http.StatusCreated || again.Body.String() != answer || again.Header().Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry of a version 1 record: %d %s, want %s replayed", again.Code, again.Body, answer)
	}
	wantProblem(t, ts.do(access.RoleFinance, http.MethodPost, "/v1/rates", strings.ReplaceAll(body, ", ", ","), "Idempotency-Key", "old-1"), http.StatusConflict, "")
	if snapshot(t, ts.store) != before {
		t.Fatal("a replay of a version 1 record changed the store")
	}
}

// TestIdempotencyKeyIsCheckedAsSent: the header is bounded and checked as
// free text in the form the client sent it; a key the store would have
// refused only after adding the token id is refused with the header's own
// limit.
func TestIdempotencyKeyIsCheckedAsSent(t *testing.T) {
	ts := newTestServer(t)
	before := snapshot(t, ts.store)
	p := wantProblem(t, ts.do(access.RoleFinance, http.MethodPost, "/v1/rates", `{"currency":"USD","rate":"278.6500","effective":"2025-06-02","source":"sbp-interbank"}`, "Idempotency-Key", strings.Repeat("k", 240)), http.StatusUnprocessableEntity, "Idempotency-Key")
	if p.Errors[0].Reason != "is longer than 200 bytes" {
		t.Fatalf("reason %q", p.Errors[0].Reason)
	}
	if snapshot(t, ts.store) != before {
		t.Fatal("a refused key changed the store")
	}
	if r := ts.do(access.RoleFinance, http.MethodPost, "/v1/rates", `{"currency":"USD","rate":"278.6500","effective":"2025-06-02","source":"sbp-interbank"}`, "Idempotency-Key", strings.Repeat("k", 200)); r.Code != http.StatusCreated {
		t.Fatalf("a 200-byte key: %d %s", r.Code, r.Body)
	}
}
