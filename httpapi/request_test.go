package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/ledger"
)

// TestANumberForAnAmountSaysWhatTravelsAsAString: the 422 for an amount or a
// rate sent as a JSON number says amounts and rates are strings, and does
// not send the caller off to quote ids too (ids are numbers).
func TestANumberForAnAmountSaysWhatTravelsAsAString(t *testing.T) {
	ts := newTestServer(t)
	before := snapshot(t, ts.store)
	p := wantProblem(t, ts.do(access.RoleFinance, http.MethodPost, "/v1/rates", `{"currency":"USD","rate":278.65,"effective":"2025-06-02","source":"sbp-interbank"}`),
		http.StatusUnprocessableEntity, "rate")
	reason := p.Errors[0].Reason
	if !strings.Contains(reason, "amounts and rates travel as strings") || !strings.Contains(reason, "ids are numbers") || strings.Contains(reason, "ids travel as strings") {
		t.Fatalf("reason %q", reason)
	}
	if snapshot(t, ts.store) != before {
		t.Fatal("a refused rate changed the store")
	}
}

func TestUnknownFieldsAreNamedByTheirPath(t *testing.T) {
	type place struct {
		Circle string `json:"circle"`
	}
	type item struct {
		Seal     string `json:"seal"`
		Location place  `json:"location"`
	}
	type body struct {
		Items []item          `json:"items"`
		Meta  map[string]item `json:"meta"`
	}
	for _, tc := range []struct{ json, want string }{
		{`{"items":[{"seal":"A"},{"seal":"B","location":{"circle":"x","city":"y"}}]}`, "items[1].location.city"},
		{`{"itemz":[]}`, "itemz"},
		{`{"items":[{"seal":"A","colour":"red"}]}`, "items[0].colour"},
		{`{"items":[{"Seal":"A"}]}`, "items[0].Seal"},
		{`{"meta":{"k":{"seal":"A","extra":1}}}`, "meta.k.extra"},
	} {
		var v body
		dec := json.NewDecoder(strings.NewReader(tc.json))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&v); err != nil {
			err = withFieldPath(jsonError(err), []byte(tc.json), reflect.TypeOf(&v))
			var e *ledger.Error
			if !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != tc.want {
				t.Errorf("%s: %v, want field %s", tc.json, err, tc.want)
			}
			continue
		}
		// encoding/json took it; decodeJSON's key check must not.
		if path, _ := keyProblem([]byte(tc.json), reflect.TypeOf(&v)); path != tc.want {
			t.Errorf("%s: key check names %q, want %s", tc.json, path, tc.want)
		}
	}
}

// TestDuplicateAndMiscasedKeysAreRefused: encoding/json fills "purpose"
// from "PURPOSE" and lets the last of two equal keys win, so a second copy
// of a field could carry a value past a reader of the body. Each is a 422
// naming the key, and nothing is written.
func TestDuplicateAndMiscasedKeysAreRefused(t *testing.T) {
	ts := newTestServer(t)
	for _, tc := range []struct{ body, field, reason string }{
		{`{"currency":"USD","rate":"278.65","effective":"2025-06-02","source":"sbp","source":"x"}`, "source", "given twice"},
		{`{"currency":"USD","rate":"278.65","effective":"2025-06-02","source":"sbp","Source":"x"}`, "Source", "given twice"},
		{`{"Currency":"USD","rate":"278.65","effective":"2025-06-02","source":"sbp"}`, "Currency", `spelt "currency"`},
	} {
		before := snapshot(t, ts.store)
		p := wantProblem(t, ts.do(access.RoleFinance, http.MethodPost, "/v1/rates", tc.body), http.StatusUnprocessableEntity, tc.field)
		if !strings.Contains(p.Errors[0].Reason, tc.reason) {
			t.Errorf("%s: reason %q, want %q", tc.body, p.Errors[0].Reason, tc.reason)
		}
		if snapshot(t, ts.store) != before {
			t.Fatalf("%s: a refused rate changed the store", tc.body)
		}
	}
}

func TestSeizureTypoInANestedObjectIsNamedByPath(t *testing.T) {
	ts, _ := newEvidenceServer(t)
	caseID := mustCreateCase(t, ts, "91/2025")
	body := strings.Replace(seizureBody(caseID, "TYPO"), `"building"`, `"bulding"`, 1)
	if body == seizureBody(caseID, "TYPO") {
		t.Fatal("the seizure body has no location.building to misspell")
	}
	before := snapshot(t, ts.store)
	wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", body), http.StatusUnprocessableEntity, "location.bulding")
	if snapshot(t, ts.store) != before {
		t.Fatal("a refused seizure wrote something")
	}
}

// TestInvalidUTF8IsRefusedNamingTheField: bytes that are not UTF-8 in any
// string of a body are a 422 naming that string's field by its full path,
// saying the bytes are not UTF-8, and nothing is written. encoding/json
// alone would have replaced them with U+FFFD and let the write through or
// refused it for the wrong reason.
func TestInvalidUTF8IsRefusedNamingTheField(t *testing.T) {
	ts, _ := newEvidenceServer(t)
	caseID := mustCreateCase(t, ts, "7/2025")
	seizure := seizureBody(caseID, "UTF")
	for _, tc := range []struct {
		name, path, body, field string
	}{
		{"a FIR sent as the bytes ff fe", "/v1/cases",
			"{\"fir\":\"\xff\xfe\",\"circle\":\"islamabad\",\"operation\":\"Grey\",\"title\":\"Call centre\"}", "fir"},
		{"a title with one stray byte among Urdu", "/v1/cases",
			"{\"fir\":\"8/2025\",\"circle\":\"islamabad\",\"operation\":\"Grey\",\"title\":\"\u06a9\u0627\u0644 \xc3 centre\"}", "title"},
		{"the second item's description", "/v1/seizures",
			strings.Replace(seizure, "Trust Wallet on a phone", "Trust Wallet \xe2\x82 on a phone", 1), "items[1].description"},
		{"a nested place", "/v1/seizures",
			strings.Replace(seizure, "House 12, Street 4", "House 12\xf0\x9f, Street 4", 1), "location.building"},
		{"an escaped string elsewhere does not hide the bad one", "/v1/cases",
			"{\"fir\":\"9\\/2025 \\u00e9\",\"circle\":\"islamabad\",\"operation\":\"Grey\",\"title\":\"x\xff\"}", "title"},
		{"a key with bad bytes", "/v1/cases",
			"{\"fir\":\"10/2025\",\"circle\":\"islamabad\",\"operation\":\"Grey\",\"title\":\"t\",\"no\xfftes\":\"x\"}", "no\ufffdtes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(t, ts.store)
			p := wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, tc.path, tc.body), http.StatusUnprocessableEntity, tc.field)
			if len(p.Errors) != 1 || !strings.Contains(p.Errors[0].Reason, "not valid UTF-8") {
				t.Fatalf("errors %+v, want one saying the bytes are not UTF-8", p.Errors)
			}
			if snapshot(t, ts.store) != before {
				t.Fatal("a body with bytes that are not UTF-8 changed the store")
			}
		})
	}
	// Bad bytes outside any string leave the JSON unreadable: a 400.
	wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1/cases", "{\"fir\":\"1/2025\"\xff}"), http.StatusBadRequest, "")
}

// TestUnknownQueryParametersAreRefused: a query parameter the operation
// does not have is a 422 naming it, on every endpoint, reads and writes
// alike (GET /v1/items?seal=X used to list every item), and so is a
// parameter given twice or one that cannot be read. The documented
// parameters still work, and a caller without a token is told to
// authenticate first.
func TestUnknownQueryParametersAreRefused(t *testing.T) {
	ts, _ := newEvidenceServer(t)
	mustCreateCase(t, ts, "11/2025")
	for _, tc := range []struct {
		role, method, path, body, field, reason string
	}{
		{access.RoleInvestigator, http.MethodGet, "/v1/items?seal=X", "", "seal", "is not a parameter of this operation"},
		{access.RoleInvestigator, http.MethodGet, "/v1/items?case_id=1&kind=cash&cursr=AA", "", "cursr", "is not a parameter of this operation"},
		{access.RoleInvestigator, http.MethodGet, "/v1/balances?acount=assets", "", "acount", "is not a parameter of this operation"},
		{access.RoleInvestigator, http.MethodGet, "/v1/cases/1?with=items", "", "with", "is not a parameter of this operation"},
		{access.RoleAdmin, http.MethodGet, "/v1/tokens?limit=1&limit=2", "", "limit", "is given 2 times; give it once"},
		{access.RoleAdmin, http.MethodGet, "/v1/tokens?seal=1&seal=2", "", "seal", "is not a parameter of this operation"},
		{access.RoleAuditor, http.MethodGet, "/v1/verify?deep=1", "", "deep", "is not a parameter of this operation"},
		{"", http.MethodGet, "/healthz?verbose=1", "", "verbose", "is not a parameter of this operation"},
		{access.RoleFinance, http.MethodPost, "/v1/rates?dry_run=1", `{"currency":"USD","rate":"278.6500","effective":"2025-06-02","source":"sbp-interbank"}`, "dry_run", "is not a parameter of this operation"},
		{access.RoleInvestigator, http.MethodGet, "/v1/balances?currency=%FF", "", "currency", "is not valid UTF-8 text"},
		{access.RoleInvestigator, http.MethodGet, "/v1/items?limit=%zz", "", "limit", "is not a valid URL escape"},
		{access.RoleInvestigator, http.MethodGet, "/v1/items?kind=cash;limit=1", "", "kind", "holds ';', which does not separate parameters: use '&', or %3B for a semicolon"},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			before := snapshot(t, ts.store)
			p := wantProblem(t, ts.do(tc.role, tc.method, tc.path, tc.body), http.StatusUnprocessableEntity, tc.field)
			if len(p.Errors) != 1 || p.Errors[0].Reason != tc.reason {
				t.Fatalf("errors %+v, want %s: %s", p.Errors, tc.field, tc.reason)
			}
			if snapshot(t, ts.store) != before {
				t.Fatal("a refused request changed the store")
			}
		})
	}
	wantProblem(t, ts.do("", http.MethodGet, "/v1/items?seal=X", ""), http.StatusUnauthorized, "")
	for _, path := range []string{"/v1/items?case_id=1&kind=cash&limit=5", "/v1/balances?currency=USD", "/v1/cases?limit=1", "/healthz"} {
		if rec := ts.do(access.RoleInvestigator, http.MethodGet, path, ""); rec.Code != http.StatusOK {
			t.Errorf("%s: %d %s", path, rec.Code, rec.Body)
		}
	}
}

// TestEveryOperationDescribesTheQueryRefusal: any operation may answer 422
// for a query parameter it does not have, so every operation's description
// must allow that answer, and every one must reach the refusal's table.
func TestEveryOperationDescribesTheQueryRefusal(t *testing.T) {
	doc, err := OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			n++
			if op.Responses.Status(http.StatusUnprocessableEntity) == nil {
				t.Errorf("%s %s describes no 422", method, path)
			}
		}
	}
	allowed := queryParams(doc)
	if len(allowed) != n {
		t.Fatalf("the refusal knows %d operations, the description has %d", len(allowed), n)
	}
	// Every route the server registers finds its operation, so no route
	// escapes the check by naming a path parameter differently.
	ts := newTestServer(t)
	routes := 0
	for _, r := range ts.s.Echo().Routes() {
		if r.Method != http.MethodGet && r.Method != http.MethodPost || ts.s.consoleRoutes[r.Path] {
			continue
		}
		routes++
		if _, ok := allowed[r.Method+" "+r.Path]; !ok {
			t.Errorf("route %s %s has no operation in the description", r.Method, r.Path)
		}
	}
	if routes != n {
		t.Errorf("%d routes, %d described operations", routes, n)
	}
}
