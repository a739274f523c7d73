package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/evidence"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/money"
)

// seizureNoSync measures the CPU cost of registration alone, without fsync:
// go test -bench SeizureHTTP -seizure.nosync. Never for real books.
var seizureNoSync = flag.Bool("seizure.nosync", false, "open evidence test stores without fsync (benchmarks of CPU cost only)")

// newEvidenceServer is a real server on a real store with the real custody
// log and evidence registry, and one token per role.
func newEvidenceServer(t testing.TB) (*testServer, *chain.Custody) {
	t.Helper()
	dir := t.TempDir()
	svc := openTestService(t, dir, ledger.Options{NoSync: *seizureNoSync})
	// Without valuation, as these tests have always read items
	// (newFinanceServer puts it back).
	svc.Evidence.Value = nil
	return serveTest(t, svc), svc.Custody
}

// snapshot digests every key and value of every bucket: equal snapshots mean
// nothing was written.
func snapshot(t testing.TB, store *ledger.Store) string {
	t.Helper()
	h := sha256.New()
	err := store.DB().View(func(btx *bolt.Tx) error {
		return btx.ForEach(func(name []byte, b *bolt.Bucket) error {
			if strings.HasPrefix(string(name), "audit.") {
				return nil // every request, a refused one too, is audited
			}
			fmt.Fprintf(h, "bucket %q seq %d\n", name, b.Sequence())
			return b.ForEach(func(k, v []byte) error { fmt.Fprintf(h, "%x=%x\n", k, v); return nil })
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func mustCreateCase(t testing.TB, ts *testServer, fir string) uint64 {
	t.Helper()
	rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/cases", fmt.Sprintf(`{"fir":%q,"circle":"islamabad","operation":"Grey","title":"Call centre, F-7"}`, fir))
	if rec.Code != http.StatusCreated {
		t.Fatalf("create case: %d %s", rec.Code, rec.Body)
	}
	var c struct{ ID uint64 }
	decode(t, rec, &c)
	return c.ID
}

// seizureBody is the typical seizure of the API: a cash bag and a wallet.
func seizureBody(caseID uint64, sealPrefix string) string {
	at := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	return fmt.Sprintf(`{"case_id":%d,"seized_at":%q,"location":{"building":"House 12, Street 4, F-7/2"},
	"seized_from":{"name":"Li Wei","nationality":"CN","id_type":"passport","id_number":"E1234567"},
	"officer":"Inspector Ayesha Khan",
	"items":[
	 {"kind":"cash","seal":"%s-1","description":"envelope of banknotes","amounts":[{"currency":"USD","amount":"1500.00","denominations":[{"value":"100","count":15}]},{"currency":"VND","amount":"500000"}]},
	 {"kind":"wallet","seal":"%s-2","description":"Trust Wallet on a phone","chain":"bitcoin","network":"mainnet","address":"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4","holdings":[{"currency":"BTC","amount":"0.12345678"}],"device":{"make":"Apple","model":"iPhone 13","serial":"F2LX1234"},"secrets_sealed":true,"secrets_location":"envelope S-1, malkhana safe 2"}
	]}`, caseID, at, sealPrefix, sealPrefix)
}

type receipt struct {
	CaseID          uint64   `json:"case_id"`
	ItemIDs         []uint64 `json:"item_ids"`
	TransactionID   uint64   `json:"transaction_id"`
	CustodyEntryIDs []uint64 `json:"custody_entry_ids"`
}

func TestSeizureOverHTTP(t *testing.T) {
	ts, _ := newEvidenceServer(t)
	caseID := mustCreateCase(t, ts, "112/2025")
	rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", seizureBody(caseID, "ISB"))
	if rec.Code != http.StatusCreated {
		t.Fatalf("seizure: %d %s", rec.Code, rec.Body)
	}
	var r receipt
	decode(t, rec, &r)
	if r.CaseID != caseID || len(r.ItemIDs) != 2 || r.TransactionID == 0 || len(r.CustodyEntryIDs) != 2 {
		t.Fatalf("receipt %s", rec.Body)
	}

	rec = ts.do(access.RoleInvestigator, http.MethodGet, fmt.Sprintf("/v1/items/%d", r.ItemIDs[1]), "")
	if rec.Code != http.StatusOK {
		t.Fatalf("get item: %d %s", rec.Code, rec.Body)
	}
	var item struct {
		ID        uint64
		Kind      string
		Seal      string
		Holder    string
		SealState string `json:"seal_state"`
		Status    string
		Location  struct{ Circle, Building string }
		Balances  []struct{ Currency, Amount string }
		Addresses []struct{ Address, Type string }
		Device    struct{ Make string }
	}
	decode(t, rec, &item)
	if item.Kind != "wallet" || item.Seal != "ISB-2" || item.Holder != "Inspector Ayesha Khan" || item.SealState != "intact" ||
		item.Status != "in_custody" || item.Location.Circle != "islamabad" || item.Location.Building != "House 12, Street 4, F-7/2" ||
		len(item.Balances) != 1 || item.Balances[0].Amount != "0.12345678" || item.Addresses[0].Type != "p2wpkh" || item.Device.Make != "Apple" {
		t.Fatalf("item %s", rec.Body)
	}
	if strings.Contains(rec.Body.String(), `"value":{`) {
		t.Error("a value without a valuation wired in")
	}

	rec = ts.do(access.RoleAuditor, http.MethodGet, fmt.Sprintf("/v1/cases/%d", caseID), "")
	var cs struct {
		FIR       string
		ItemCount int `json:"item_count"`
		Holdings  []struct{ Currency, Amount string }
		Items     []struct{ ID uint64 }
	}
	decode(t, rec, &cs)
	if rec.Code != http.StatusOK || cs.FIR != "112/2025" || cs.ItemCount != 2 || len(cs.Items) != 2 || len(cs.Holdings) != 3 {
		t.Fatalf("case %d %s", rec.Code, rec.Body)
	}

	rec = ts.do(access.RoleFinance, http.MethodGet, fmt.Sprintf("/v1/balances?account=seized:case:%d&currency=USD", caseID), "")
	if !strings.Contains(rec.Body.String(), `"amount":"-1500.00"`) {
		t.Fatalf("case balance %s", rec.Body)
	}
	rec = ts.do(access.RoleAuditor, http.MethodGet, "/v1/verify", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("verify after a seizure: %d %s", rec.Code, rec.Body)
	}
}

func TestSeizureRefusalsWriteNothing(t *testing.T) {
	ts, _ := newEvidenceServer(t)
	caseID := mustCreateCase(t, ts, "1/2025")
	if rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", seizureBody(caseID, "OLD")); rec.Code != http.StatusCreated {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	good := seizureBody(caseID, "NEW")
	tests := []struct {
		name, role, body string
		status           int
		field            string
	}{
		{"a bad address in the second item", access.RoleCustodian, strings.Replace(good, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", 1), 422, "items[1].address"},
		{"an amount with too many places", access.RoleCustodian, strings.Replace(good, `"1500.00"`, `"1500.001"`, 1), 422, "items[0].amounts[0].amount"},
		{"an amount as a JSON number", access.RoleCustodian, strings.Replace(good, `"500000"`, `500000`, 1), 422, "items.amounts.amount"},
		{"a seal already in the store", access.RoleCustodian, strings.Replace(good, `"NEW-2"`, `"old-1"`, 1), 422, "items[1].seal"},
		{"a case that does not exist", access.RoleCustodian, strings.Replace(good, fmt.Sprintf(`"case_id":%d`, caseID), `"case_id":404`, 1), 422, "case_id"},
		{"a seed phrase in the description", access.RoleCustodian, strings.Replace(good, "Trust Wallet on a phone",
			"abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about", 1), 422, "items[1].description"},
		{"an unknown field", access.RoleCustodian, strings.Replace(good, `"officer"`, `"oficer"`, 1), 422, "oficer"},
		{"malformed JSON", access.RoleCustodian, good[:40], 400, ""},
		{"an investigator may not register", access.RoleInvestigator, good, 403, ""},
		{"no token", "", good, 401, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(t, ts.store)
			wantProblem(t, ts.do(tc.role, http.MethodPost, "/v1/seizures", tc.body), tc.status, tc.field)
			if snapshot(t, ts.store) != before {
				t.Fatal("a refused seizure changed the store")
			}
		})
	}
}

func TestSeizureWithTheLastOfManyItemsBad(t *testing.T) {
	ts, _ := newEvidenceServer(t)
	caseID := mustCreateCase(t, ts, "9/2025")
	items := make([]string, 200)
	for i := range items {
		items[i] = fmt.Sprintf(`{"kind":"cash","seal":"K-%d","description":"bag %d","amounts":[{"currency":"AED","amount":"%d.50"}]}`, i, i, i+1)
	}
	items[199] = `{"kind":"wallet","seal":"K-199","description":"phone","chain":"tron","address":"TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t","holdings":[{"currency":"BTC","amount":"1"}]}`
	body := fmt.Sprintf(`{"case_id":%d,"seized_at":"2025-06-03T10:00:00Z","location":"Plaza 9","seized_from":"unknown occupant","officer":"SI Bilal","items":[%s]}`,
		caseID, strings.Join(items, ","))
	before := snapshot(t, ts.store)
	p := wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", body), 422, "items[199].holdings[0].currency")
	if len(p.Errors) != 1 {
		t.Errorf("errors %v", p.Errors)
	}
	if snapshot(t, ts.store) != before {
		t.Fatal("store changed")
	}
	rec := ts.do(access.RoleCustodian, http.MethodGet, "/v1/items", "")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"data":[]`) {
		t.Fatalf("items after a refused seizure: %s", rec.Body)
	}
}

func TestSeizureRetryWithIdempotencyKey(t *testing.T) {
	ts, _ := newEvidenceServer(t)
	caseID := mustCreateCase(t, ts, "5/2025")
	body := seizureBody(caseID, "IDEM")
	first := ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", body, "Idempotency-Key", "raid-5-a")
	if first.Code != http.StatusCreated {
		t.Fatalf("%d %s", first.Code, first.Body)
	}
	before := snapshot(t, ts.store)
	again := ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", body, "Idempotency-Key", "raid-5-a")
	if again.Code != http.StatusCreated || again.Body.String() != first.Body.String() || again.Header().Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry: %d %s (first %s)", again.Code, again.Body, first.Body)
	}
	if snapshot(t, ts.store) != before {
		t.Fatal("a retry wrote something")
	}
	wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", seizureBody(caseID, "OTHER"), "Idempotency-Key", "raid-5-a"), http.StatusConflict, "")
	// Without the key the same body is a new seizure, refused for its seals.
	wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", body), 422, "items[0].seal")
	// A new key with taken seals is judged inside the write, and refused.
	wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", body, "Idempotency-Key", "raid-5-b"), 422, "items[0].seal")
	if snapshot(t, ts.store) != before {
		t.Fatal("refusals wrote something")
	}
}

func TestCasesOverHTTP(t *testing.T) {
	ts, _ := newEvidenceServer(t)
	for i := 1; i <= 5; i++ {
		mustCreateCase(t, ts, fmt.Sprintf("%d/2025", i))
	}
	wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1/cases", `{"fir":"1/2025","circle":"islamabad"}`), http.StatusConflict, "")
	wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1/cases", `{"fir":"","circle":"Islamabad"}`), 422, "circle")
	wantProblem(t, ts.do(access.RoleFinance, http.MethodPost, "/v1/cases", `{"fir":"9/2025","circle":"islamabad"}`), 403, "")
	wantProblem(t, ts.do(access.RoleInvestigator, http.MethodGet, "/v1/cases/77", ""), 404, "")

	var fir []string
	cursor := ""
	for pages := 0; ; pages++ {
		rec := ts.do(access.RoleInvestigator, http.MethodGet, "/v1/cases?limit=2"+cursor, "")
		var page struct {
			Data       []struct{ FIR string }
			NextCursor *string `json:"next_cursor"`
		}
		decode(t, rec, &page)
		for _, c := range page.Data {
			fir = append(fir, c.FIR)
		}
		if page.NextCursor == nil {
			break
		}
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		cursor = "&cursor=" + *page.NextCursor
	}
	if strings.Join(fir, " ") != "1/2025 2/2025 3/2025 4/2025 5/2025" {
		t.Fatalf("pages gave %v", fir)
	}
}

func TestListItemsOverHTTP(t *testing.T) {
	ts, _ := newEvidenceServer(t)
	c1 := mustCreateCase(t, ts, "1/2025")
	c2 := mustCreateCase(t, ts, "2/2025")
	for i, c := range []uint64{c1, c2, c1} {
		if rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", seizureBody(c, fmt.Sprintf("S%d", i))); rec.Code != http.StatusCreated {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
	}
	ids := func(query string) string {
		rec := ts.do(access.RoleInvestigator, http.MethodGet, "/v1/items"+query, "")
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", query, rec.Code, rec.Body)
		}
		var page struct {
			Data []struct {
				ID uint64
			}
			NextCursor *string `json:"next_cursor"`
		}
		decode(t, rec, &page)
		var out []string
		for _, d := range page.Data {
			out = append(out, fmt.Sprint(d.ID))
		}
		if page.NextCursor != nil {
			out = append(out, "+")
		}
		return strings.Join(out, " ")
	}
	for q, want := range map[string]string{
		"":                                       "1 2 3 4 5 6",
		"?limit=4":                               "1 2 3 4 +",
		fmt.Sprintf("?case_id=%d", c1):           "1 2 5 6",
		"?kind=wallet":                           "2 4 6",
		fmt.Sprintf("?case_id=%d&kind=cash", c2): "3",
		"?holder=Inspector%20Ayesha%20Khan&limit=2": "1 2 +",
		"?location=islamabad&kind=cash":             "1 3 5",
		"?holder=nobody":                            "",
	} {
		if got := ids(q); got != want {
			t.Errorf("GET /v1/items%s = %q, want %q", q, got, want)
		}
	}
	wantProblem(t, ts.do(access.RoleInvestigator, http.MethodGet, "/v1/items?kind=gold", ""), 422, "kind")
	wantProblem(t, ts.do(access.RoleInvestigator, http.MethodGet, "/v1/items?case_id=x", ""), 422, "case_id")
	wantProblem(t, ts.do(access.RoleInvestigator, http.MethodGet, "/v1/items/99", ""), 404, "")
	wantProblem(t, ts.do(access.RoleAdmin, http.MethodGet, "/v1/items/1", ""), 403, "")
}

func TestValuationHook(t *testing.T) {
	ts, _ := newEvidenceServer(t)
	caseID := mustCreateCase(t, ts, "3/2025")
	if rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", seizureBody(caseID, "V")); rec.Code != http.StatusCreated {
		t.Fatal(rec.Body)
	}
	rate := map[string]string{"USD": "278.65", "BTC": "30000000"}
	ts.s.evidence.Value = func(tx *ledger.Tx, holdings []money.Amount, at time.Time) (evidence.Valuation, error) {
		var v evidence.Valuation
		sum := money.Zero(money.PKR)
		for _, h := range holdings {
			r, ok := rate[h.Currency().Code]
			if !ok {
				v.MissingRate, v.Missing = true, append(v.Missing, h.Currency().Code)
				continue
			}
			d, _, _ := money.ParseDecimal(r, money.Positive, 10)
			sum, _ = sum.Add(h.ToPKR(d))
		}
		v.PKR = &sum
		return v, nil
	}
	rec := ts.do(access.RoleFinance, http.MethodGet, "/v1/items/2", "")
	if !strings.Contains(rec.Body.String(), `"pkr":"3703703.40"`) {
		t.Errorf("wallet value: %s", rec.Body)
	}
	rec = ts.do(access.RoleFinance, http.MethodGet, fmt.Sprintf("/v1/cases/%d", caseID), "")
	var cs struct {
		Value struct {
			PKR               *string
			MissingRate       bool     `json:"missing_rate"`
			MissingCurrencies []string `json:"missing_currencies"`
		}
	}
	decode(t, rec, &cs)
	if cs.Value.PKR != nil || !cs.Value.MissingRate || fmt.Sprint(cs.Value.MissingCurrencies) != "[VND]" {
		t.Errorf("a case with a VND holding and no VND rate: %s", rec.Body)
	}
}

func TestValidateAddressOverHTTP(t *testing.T) {
	ts, _ := newEvidenceServer(t)
	tests := []struct {
		name, role, body string
		status           int
		want             map[string]any
		field            string
	}{
		{"a valid P2WPKH", access.RoleInvestigator, `{"chain":"bitcoin","network":"mainnet","address":"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"}`, 200,
			map[string]any{"valid": true, "chain": "bitcoin", "network": "mainnet", "type": "p2wpkh"}, ""},
		{"chain and network default to bitcoin mainnet", access.RoleAdmin, `{"address":"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"}`, 200,
			map[string]any{"valid": true, "type": "p2tr"}, ""},
		{"a testnet address on mainnet", access.RoleCustodian, `{"chain":"bitcoin","network":"mainnet","address":"tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"}`, 200,
			map[string]any{"valid": false}, ""},
		{"an EIP-55 address", access.RoleFinance, `{"chain":"ethereum","network":"mainnet","address":"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"}`, 200,
			map[string]any{"valid": true, "type": "address"}, ""},
		{"a TRON address", access.RoleAuditor, `{"chain":"tron","network":"mainnet","address":"TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"}`, 200,
			map[string]any{"valid": true}, ""},
		{"an unknown chain", access.RoleCustodian, `{"chain":"dogecoin","network":"mainnet","address":"D8x"}`, 422, nil, "chain"},
		{"an unknown network", access.RoleCustodian, `{"chain":"bitcoin","network":"mainnett","address":"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"}`, 422, nil, "network"},
		{"no address", access.RoleCustodian, `{"chain":"bitcoin"}`, 422, nil, "address"},
		{"an unknown field", access.RoleCustodian, `{"adress":"x"}`, 422, nil, "adress"},
		{"no token", "", `{"address":"x"}`, 401, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := ts.do(tc.role, http.MethodPost, "/v1/addresses/validate", tc.body)
			if tc.status != 200 {
				wantProblem(t, rec, tc.status, tc.field)
				return
			}
			var got map[string]any
			decode(t, rec, &got)
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s = %v, want %v (%s)", k, got[k], v, rec.Body)
				}
			}
			if got["valid"] == false && got["reason"] == "" {
				t.Errorf("an invalid address without a reason: %s", rec.Body)
			}
		})
	}
}

// BenchmarkSeizureHTTP registers seizures (one cash bag and one wallet each)
// through the router, middleware, authentication and JSON of the real API on
// a real, durable bbolt file, from 32 concurrent clients.
func BenchmarkSeizureHTTP(b *testing.B) {
	ts, _ := newEvidenceServer(b)
	caseID := mustCreateCase(b, ts, "1/2025")
	token := ts.tokens[access.RoleCustodian]
	var n atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(max(1, 32/runtime.GOMAXPROCS(0))) // 32 client goroutines
	start := time.Now()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body := seizureBody(caseID, fmt.Sprintf("B%d", n.Add(1)))
			req := httptest.NewRequest(http.MethodPost, "/v1/seizures", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+token)
			rec := httptest.NewRecorder()
			ts.s.Echo().ServeHTTP(rec, req)
			if rec.Code != http.StatusCreated {
				b.Fatalf("%d %s", rec.Code, rec.Body)
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "seizures/s")
}

// BenchmarkSeizureLoopback is BenchmarkSeizureHTTP over real TCP: 32 HTTP
// clients with keep-alive against a server on 127.0.0.1.
func BenchmarkSeizureLoopback(b *testing.B) {
	ts, _ := newEvidenceServer(b)
	caseID := mustCreateCase(b, ts, "1/2025")
	srv := httptest.NewServer(ts.s.Echo())
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	token := ts.tokens[access.RoleCustodian]
	var n atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(max(1, 32/runtime.GOMAXPROCS(0)))
	start := time.Now()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body := seizureBody(caseID, fmt.Sprintf("T%d", n.Add(1)))
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/seizures", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+token)
			res, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusCreated {
				b.Fatalf("status %d", res.StatusCode)
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "seizures/s")
}
