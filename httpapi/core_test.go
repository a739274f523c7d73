package httpapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	bolt "go.etcd.io/bbolt"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/money"
)

func TestHealthzNeedsNoToken(t *testing.T) {
	ts := newTestServer(t)
	if rec := ts.do("", http.MethodGet, "/healthz", ""); rec.Code != http.StatusOK {
		t.Fatalf("healthz: %d %s", rec.Code, rec.Body)
	}
}

func TestEveryV1CallIsAuthenticated(t *testing.T) {
	ts := newTestServer(t)
	for _, tc := range []struct {
		name, header string
	}{
		{"no header", ""},
		{"not bearer", "Basic YTpi"},
		{"unknown token", "Bearer amt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
		{"not our token shape", "Bearer hunter2"},
		{"empty token", "Bearer "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := []string{}
			if tc.header != "" {
				req = append(req, "Authorization", tc.header)
			}
			rec := ts.do("", http.MethodGet, "/v1/balances", "", req...)
			wantProblem(t, rec, http.StatusUnauthorized, "")
			if rec.Header().Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
}

func TestRolesAreEnforced(t *testing.T) {
	ts := newTestServer(t)
	for _, tc := range []struct {
		role, method, path string
		want               int
	}{
		{access.RoleInvestigator, http.MethodGet, "/v1/balances", http.StatusOK},
		{access.RoleAdmin, http.MethodGet, "/v1/balances", http.StatusForbidden},
		{access.RoleInvestigator, http.MethodGet, "/v1/verify", http.StatusForbidden},
		{access.RoleAuditor, http.MethodGet, "/v1/verify", http.StatusOK},
		{access.RoleAuditor, http.MethodGet, "/v1/backup", http.StatusForbidden},
		{access.RoleCustodian, http.MethodGet, "/v1/tokens", http.StatusForbidden},
		{access.RoleAdmin, http.MethodGet, "/v1/tokens", http.StatusOK},
	} {
		t.Run(tc.role+" "+tc.path, func(t *testing.T) {
			rec := ts.do(tc.role, tc.method, tc.path, "")
			if tc.want >= 400 {
				wantProblem(t, rec, tc.want, "")
			} else if rec.Code != tc.want {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
		})
	}
}

func TestTokensAreIssuedHashedAndRevocable(t *testing.T) {
	ts := newTestServer(t)
	rec := ts.do(access.RoleAdmin, http.MethodPost, "/v1/tokens", `{"role":"finance","name":"farah"}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	var created tokenJSON
	decode(t, rec, &created)
	if !strings.HasPrefix(created.Token, access.TokenPrefix) {
		t.Fatalf("token %q", created.Token)
	}
	// The store holds the hash, never the token.
	err := ts.store.View(func(tx *ledger.Tx) error {
		return tx.ForEach(ledger.AuthTokens, func(k, v []byte) error {
			if strings.Contains(string(k)+string(v), created.Token) {
				return errors.New("the token is stored in clear")
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	list := ts.do(access.RoleAdmin, http.MethodGet, "/v1/tokens", "")
	if strings.Contains(list.Body.String(), created.Token) || strings.Contains(list.Body.String(), access.HashToken(created.Token)) {
		t.Fatal("the token list shows a token or its hash")
	}
	ts.tokens["farah"] = created.Token
	if rec := ts.do("farah", http.MethodGet, "/v1/balances", ""); rec.Code != http.StatusOK {
		t.Fatalf("new token refused: %d %s", rec.Code, rec.Body)
	}
	if rec := ts.do(access.RoleAdmin, http.MethodPost, fmt.Sprintf("/v1/tokens/%d/revoke", created.ID), ""); rec.Code != http.StatusOK {
		t.Fatalf("revoke: %d %s", rec.Code, rec.Body)
	}
	wantProblem(t, ts.do("farah", http.MethodGet, "/v1/balances", ""), http.StatusUnauthorized, "")

	t.Run("bad input names the field", func(t *testing.T) {
		wantProblem(t, ts.do(access.RoleAdmin, http.MethodPost, "/v1/tokens", `{"role":"janitor","name":"x"}`), http.StatusUnprocessableEntity, "role")
		wantProblem(t, ts.do(access.RoleAdmin, http.MethodPost, "/v1/tokens", `{"role":"finance","name":"has space"}`), http.StatusUnprocessableEntity, "name")
		wantProblem(t, ts.do(access.RoleAdmin, http.MethodPost, "/v1/tokens", `{"role":"finance","name":"x","rol":"y"}`), http.StatusUnprocessableEntity, "rol")
		wantProblem(t, ts.do(access.RoleAdmin, http.MethodPost, "/v1/tokens", `{"role":"finance",`), http.StatusBadRequest, "")
		wantProblem(t, ts.do(access.RoleAdmin, http.MethodPost, "/v1/tokens", `{"role":1,"name":"x"}`), http.StatusUnprocessableEntity, "role")
		wantProblem(t, ts.do(access.RoleAdmin, http.MethodPost, "/v1/tokens", ``), http.StatusBadRequest, "")
		wantProblem(t, ts.do(access.RoleAdmin, http.MethodPost, "/v1/tokens", `{"role":"finance","name":"x"} {}`), http.StatusBadRequest, "")
		wantProblem(t, ts.do(access.RoleAdmin, http.MethodPost, "/v1/tokens/99/revoke", ``), http.StatusNotFound, "")
	})
}

func TestUnknownRoutesAndBigBodiesAreProblems(t *testing.T) {
	ts := newTestServer(t)
	wantProblem(t, ts.do(access.RoleAuditor, http.MethodGet, "/v1/nothing-here", ""), http.StatusNotFound, "")
	wantProblem(t, ts.do(access.RoleAuditor, http.MethodDelete, "/v1/balances", ""), http.StatusMethodNotAllowed, "")
	wantProblem(t, ts.do("", http.MethodDelete, "/v1/balances", ""), http.StatusUnauthorized, "")
	wantProblem(t, ts.do("", http.MethodGet, "/v1/nothing-here", ""), http.StatusUnauthorized, "")
	big := `{"role":"finance","name":"` + strings.Repeat("x", 2<<20) + `"}`
	wantProblem(t, ts.do(access.RoleAdmin, http.MethodPost, "/v1/tokens", big), http.StatusRequestEntityTooLarge, "")
}

func postTxn(t *testing.T, store *ledger.Store, item int, code, amount string, at time.Time) {
	t.Helper()
	a, err := money.ParseAmount(money.MustLookup(code), amount, money.Positive)
	if err != nil {
		t.Fatal(err)
	}
	err = store.Write(context.Background(), func(tx *ledger.Tx) error {
		_, err := tx.Post(ledger.Transaction{Effective: at, Actor: "custodian:t", Postings: []ledger.Posting{
			{Account: fmt.Sprintf("custody:item:%d", item), Amount: a},
			{Account: "seized:case:1", Amount: a.Neg()},
		}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestBalances(t *testing.T) {
	ts := newTestServer(t)
	at := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	for i := 1; i <= 3; i++ {
		postTxn(t, ts.store, i, "USD", "100.50", at.Add(time.Duration(i)*time.Hour))
	}
	postTxn(t, ts.store, 1, "BTC", "0.00012345", at)

	type page struct {
		Data       []balanceJSON `json:"data"`
		NextCursor *string       `json:"next_cursor"`
	}
	var got []string
	cursor := ""
	for n := 0; n < 10; n++ {
		rec := ts.do(access.RoleInvestigator, http.MethodGet, "/v1/balances?account=custody&limit=2"+cursor, "")
		if rec.Code != http.StatusOK {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		var p page
		decode(t, rec, &p)
		for _, b := range p.Data {
			got = append(got, b.Account+" "+b.Currency+" "+b.Amount)
		}
		if p.NextCursor == nil {
			break
		}
		cursor = "&cursor=" + *p.NextCursor
	}
	want := "custody:item:1 BTC 0.00012345|custody:item:1 USD 100.50|custody:item:2 USD 100.50|custody:item:3 USD 100.50"
	if strings.Join(got, "|") != want {
		t.Fatalf("pages = %s\nwant %s", strings.Join(got, "|"), want)
	}

	rec := ts.do(access.RoleInvestigator, http.MethodGet, "/v1/balances?account=seized&as_of=2025-06-02T12:30:00Z", "")
	var p page
	decode(t, rec, &p)
	if len(p.Data) != 2 || p.Data[1].Amount != "-201.00" || p.Data[0].Amount != "-0.00012345" {
		t.Fatalf("as of 12:30: %s", rec.Body)
	}

	for _, tc := range []struct{ query, field string }{
		{"as_of=yesterday", "as_of"},
		{"currency=usd", "currency"},
		{"currency=XYZ", "currency"},
		{"limit=1001", "limit"},
		{"limit=-1", "limit"},
		{"cursor=!!", "cursor"},
	} {
		wantProblem(t, ts.do(access.RoleInvestigator, http.MethodGet, "/v1/balances?"+tc.query, ""), http.StatusUnprocessableEntity, tc.field)
	}
}

func TestVerifyEndpoint(t *testing.T) {
	failing := ledger.Checker{Name: "custody", Run: func(*ledger.Tx) (any, error) { return nil, errors.New("custody entry 3: hash mismatch") }}
	ts := newTestServer(t, failing)
	postTxn(t, ts.store, 1, "USD", "1.00", time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC))
	rec := ts.do(access.RoleAuditor, http.MethodGet, "/v1/verify", "")
	var body struct {
		OK     bool                 `json:"ok"`
		Checks []ledger.CheckResult `json:"checks"`
	}
	decode(t, rec, &body)
	if body.OK || len(body.Checks) != 2 || !body.Checks[0].OK || body.Checks[1].Error != "custody entry 3: hash mismatch" {
		t.Fatalf("verify = %s", rec.Body)
	}
	// A caller of one circle learns whether each check passed, not what
	// it counted or found in other circles' records.
	body.Checks = nil
	decode(t, ts.do(ts.scoped(access.RoleAuditor, "karachi"), http.MethodGet, "/v1/verify", ""), &body)
	if body.OK || len(body.Checks) != 2 || !body.Checks[0].OK || body.Checks[0].Summary != nil || body.Checks[1].OK || strings.Contains(body.Checks[1].Error, "entry 3") {
		t.Fatalf("scoped verify = %+v", body)
	}
}

func TestBackupIsAConsistentStore(t *testing.T) {
	ts := newTestServer(t)
	postTxn(t, ts.store, 1, "EUR", "5.00", time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC))
	rec := ts.do(access.RoleAdmin, http.MethodGet, "/v1/backup", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("backup: %d", rec.Code)
	}
	path := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(path, rec.Body.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	copyStore, err := ledger.Open(path, ledger.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer copyStore.Close()
	r, err := copyStore.Verify()
	if err != nil || r.Transactions != 1 {
		t.Fatalf("backup verify: %v %v", r, err)
	}
}

// TestWriteOnceOverHTTP drives the idempotency helper through a real route.
func TestWriteOnceOverHTTP(t *testing.T) {
	ts := newTestServer(t)
	g := ts.s.Echo().Group("/v1test", ts.s.authenticate)
	g.POST("/move", func(c echo.Context) error {
		var req struct {
			Amount string `json:"amount"`
		}
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		a, err := money.ParseAmount(money.MustLookup("USD"), req.Amount, money.Positive)
		if err != nil {
			return ledger.FieldErr("amount", err.Error())
		}
		return ts.s.writeOnce(c, func(tx *ledger.Tx) (int, any, error) {
			txn, err := tx.Post(ledger.Transaction{Effective: tx.Now, Actor: actorOf(c).String(), Postings: []ledger.Posting{
				{Account: "custody:item:1", Amount: a}, {Account: "seized:case:1", Amount: a.Neg()}}})
			return http.StatusCreated, map[string]uint64{"transaction_id": txn.ID}, err
		})
	})
	first := ts.do(access.RoleCustodian, http.MethodPost, "/v1test/move", `{"amount":"10.00"}`, "Idempotency-Key", "k-1")
	again := ts.do(access.RoleCustodian, http.MethodPost, "/v1test/move", `{"amount":"10.00"}`, "Idempotency-Key", "k-1")
	if first.Code != http.StatusCreated || again.Code != http.StatusCreated || first.Body.String() != again.Body.String() {
		t.Fatalf("retry: %d %s / %d %s", first.Code, first.Body, again.Code, again.Body)
	}
	if again.Header().Get("Idempotent-Replayed") != "true" {
		t.Error("replay not marked")
	}
	wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1test/move", `{"amount":"11.00"}`, "Idempotency-Key", "k-1"), http.StatusConflict, "")
	// Keys are per token: the same key from another caller is a new write.
	ts.tokens["other"], _ = access.CreateToken(ts.store, access.RoleCustodian, "other", "test")
	if rec := ts.do("other", http.MethodPost, "/v1test/move", `{"amount":"10.00"}`, "Idempotency-Key", "k-1"); rec.Code != http.StatusCreated || rec.Header().Get("Idempotent-Replayed") != "" {
		t.Fatalf("other caller: %d %s", rec.Code, rec.Body)
	}
	wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1test/move", `{"amount":10}`), http.StatusUnprocessableEntity, "amount")
	wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1test/move", `{"amount":"1e3"}`), http.StatusUnprocessableEntity, "amount")
	r, err := ts.store.Verify()
	if err != nil || r.Transactions != 2 {
		t.Fatalf("store after retries: %v %v, want 2 transactions", r, err)
	}
}

// TestTokenListPages: GET /v1/tokens pages like every list: limit, an opaque
// cursor, id order, next_cursor null on the last page; every token once.
func TestTokenListPages(t *testing.T) {
	ts := newTestServer(t) // one token per role: ids 1 to 6
	for i := range 4 {
		if rec := ts.do(access.RoleAdmin, http.MethodPost, "/v1/tokens", fmt.Sprintf(`{"role":"auditor","name":"extra-%d"}`, i)); rec.Code != http.StatusCreated {
			t.Fatalf("create: %d %s", rec.Code, rec.Body)
		}
	}
	if rec := ts.do(access.RoleAdmin, http.MethodPost, "/v1/tokens/6/revoke", ""); rec.Code != http.StatusOK {
		t.Fatalf("revoke: %d %s", rec.Code, rec.Body)
	}
	var ids []uint64
	pages := 0
	path := "/v1/tokens?limit=2"
	for {
		rec := ts.do(access.RoleAdmin, http.MethodGet, path, "")
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
		}
		var page struct {
			Data       []tokenJSON `json:"data"`
			NextCursor *string     `json:"next_cursor"`
		}
		decode(t, rec, &page)
		pages++
		if len(page.Data) > 2 {
			t.Fatalf("page of %d with limit 2", len(page.Data))
		}
		for _, tok := range page.Data {
			if tok.Token != "" {
				t.Fatal("a listed token carries its secret")
			}
			ids = append(ids, tok.ID)
		}
		if page.NextCursor == nil {
			break
		}
		path = "/v1/tokens?limit=2&cursor=" + *page.NextCursor
	}
	if fmt.Sprint(ids) != "[1 2 3 4 5 6 7 8 9 10]" || pages != 5 {
		t.Fatalf("ids %v in %d pages, want 1 to 10 (the revoked one included) in 5", ids, pages)
	}
	rec := ts.do(access.RoleAdmin, http.MethodGet, "/v1/tokens", "")
	if !strings.Contains(rec.Body.String(), `"next_cursor":null`) || strings.Count(rec.Body.String(), `"created_by"`) != 10 {
		t.Fatalf("default page: %s", rec.Body)
	}
	wantProblem(t, ts.do(access.RoleAdmin, http.MethodGet, "/v1/tokens?limit=1001", ""), http.StatusUnprocessableEntity, "limit")
	wantProblem(t, ts.do(access.RoleAdmin, http.MethodGet, "/v1/tokens?cursor=AAAA", ""), http.StatusUnprocessableEntity, "cursor")
	if rec := ts.do(access.RoleAdmin, http.MethodGet, "/v1/tokens?cursor=__________8", ""); !strings.Contains(rec.Body.String(), `{"data":[],"next_cursor":null}`) {
		t.Fatalf("a cursor past the last id: %d %s", rec.Code, rec.Body)
	}
}

// TestTokenIssueIsIdempotentWithoutStoringTheSecret: POST /v1/tokens honours
// Idempotency-Key. The first answer carries the token; a retry with the same
// key and body gets the same status and record without the token; the same
// key with another body is a 409; the idempotency record never holds the
// token nor its hash.
func TestTokenIssueIsIdempotentWithoutStoringTheSecret(t *testing.T) {
	ts := newTestServer(t)
	body := `{"role":"finance","name":"farah"}`
	first := ts.do(access.RoleAdmin, http.MethodPost, "/v1/tokens", body, "Idempotency-Key", "tok-1")
	if first.Code != http.StatusCreated || first.Header().Get("Idempotent-Replayed") != "" {
		t.Fatalf("first: %d %s %v", first.Code, first.Body, first.Header())
	}
	var issued tokenJSON
	decode(t, first, &issued)
	if !strings.HasPrefix(issued.Token, access.TokenPrefix) {
		t.Fatalf("the first answer carries no token: %s", first.Body)
	}

	again := ts.do(access.RoleAdmin, http.MethodPost, "/v1/tokens", body, "Idempotency-Key", "tok-1")
	if again.Code != http.StatusCreated || again.Header().Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry: %d %s %v", again.Code, again.Body, again.Header())
	}
	var replay map[string]any
	decode(t, again, &replay)
	if _, has := replay["token"]; has || strings.Contains(again.Body.String(), issued.Token) {
		t.Fatalf("the replayed answer carries the token: %s", again.Body)
	}
	var rec tokenJSON
	decode(t, again, &rec)
	want := issued
	want.Token = ""
	if !reflect.DeepEqual(rec, want) {
		t.Fatalf("replayed record %+v, want %+v", rec, want)
	}

	before := snapshot(t, ts.store)
	wantProblem(t, ts.do(access.RoleAdmin, http.MethodPost, "/v1/tokens", `{"role":"auditor","name":"farah"}`, "Idempotency-Key", "tok-1"), http.StatusConflict, "")
	if snapshot(t, ts.store) != before {
		t.Fatal("a retry or a conflicting reuse of the key changed the store")
	}

	// One token was issued, and it works.
	list := ts.do(access.RoleAdmin, http.MethodGet, "/v1/tokens", "")
	if n := strings.Count(list.Body.String(), `"name":"farah"`); n != 1 {
		t.Fatalf("%d tokens named farah after a retry, want 1", n)
	}
	ts.tokens["farah"] = issued.Token
	if rec := ts.do("farah", http.MethodGet, "/v1/balances", ""); rec.Code != http.StatusOK {
		t.Fatalf("the issued token is refused: %d %s", rec.Code, rec.Body)
	}

	// The idempotency bucket holds the record, never the secret.
	err := ts.store.DB().View(func(btx *bolt.Tx) error {
		b := btx.Bucket([]byte("ledger.idempotency"))
		if b == nil {
			return errors.New("no idempotency bucket")
		}
		n := 0
		err := b.ForEach(func(k, v []byte) error {
			n++
			if bytes.Contains(v, []byte(issued.Token)) || bytes.Contains(v, []byte(access.HashToken(issued.Token))) || bytes.Contains(v, []byte(`"token"`)) {
				return fmt.Errorf("idempotency record %q holds the token: %s", k, v)
			}
			return nil
		})
		if err == nil && n != 1 {
			err = fmt.Errorf("%d idempotency records, want 1", n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	// Without a key each request issues a token (and a bad one is refused
	// before anything is written).
	for range 2 {
		if rec := ts.do(access.RoleAdmin, http.MethodPost, "/v1/tokens", `{"role":"auditor","name":"spare"}`); rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), `"token":"amt_`) {
			t.Fatalf("no key: %d %s", rec.Code, rec.Body)
		}
	}
	if n := strings.Count(ts.do(access.RoleAdmin, http.MethodGet, "/v1/tokens", "").Body.String(), `"name":"spare"`); n != 2 {
		t.Fatalf("%d spare tokens, want 2", n)
	}
	before = snapshot(t, ts.store)
	wantProblem(t, ts.do(access.RoleAdmin, http.MethodPost, "/v1/tokens", `{"role":"janitor","name":"x"}`, "Idempotency-Key", "tok-2"), http.StatusUnprocessableEntity, "role")
	if snapshot(t, ts.store) != before {
		t.Fatal("a refused token changed the store")
	}
}

// TestTokenNameGoesThroughTheSharedTextCheck: a token's name is free text
// the HTTP layer stores and records as the actor of every write, so a name
// that is a wallet secret (a WIF private key is letters and digits only,
// which the name's own pattern allows) is refused, by POST /v1/tokens and
// by the CLI's path alike, and nothing is stored.
func TestTokenNameGoesThroughTheSharedTextCheck(t *testing.T) {
	ts := newTestServer(t)
	for _, wif := range []string{
		"5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ",  // uncompressed, mainnet
		"KwdMAjGmerYanjeui5SHS7JkmpZvVipYvB2LJGU1ZxJwYvP98617", // compressed, mainnet
	} {
		before := snapshot(t, ts.store)
		p := wantProblem(t, ts.do(access.RoleAdmin, http.MethodPost, "/v1/tokens", fmt.Sprintf(`{"role":"finance","name":%q}`, wif)), http.StatusUnprocessableEntity, "name")
		if !strings.Contains(p.Errors[0].Reason, "never record wallet secrets") {
			t.Errorf("reason %q does not say why", p.Errors[0].Reason)
		}
		if _, err := access.CreateToken(ts.store, access.RoleFinance, wif, "test"); err == nil {
			t.Errorf("CreateToken accepted a WIF key as a name")
		}
		if snapshot(t, ts.store) != before {
			t.Fatal("a refused token name changed the store")
		}
	}
	// An ordinary name still passes.
	if rec := ts.do(access.RoleAdmin, http.MethodPost, "/v1/tokens", `{"role":"finance","name":"farah.khan@fia"}`); rec.Code != http.StatusCreated {
		t.Fatalf("an ordinary name: %d %s", rec.Code, rec.Body)
	}
}
