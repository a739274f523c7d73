package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/address"
	"github.com/amanat-ledger/amanat/chain/service"
	"github.com/amanat-ledger/amanat/ledger/finance"
)

// These tests hold the description to what generators, linters and
// validators other than kin-openapi need of it. .ci/openapi-check runs the
// real tools (a linter and oapi-codegen) on the served document; these tests
// catch the same mistakes without them.

// servedDescription is GET /openapi.json as a plain JSON tree.
func servedDescription(t testing.TB) map[string]any {
	t.Helper()
	b, err := OpenAPIJSON()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// walkJSON calls fn with every object of the tree and its JSON pointer.
func walkJSON(v any, at string, fn func(at string, obj map[string]any)) {
	switch v := v.(type) {
	case map[string]any:
		fn(at, v)
		for k, c := range v {
			walkJSON(c, at+"/"+strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1"), fn)
		}
	case []any:
		for i, c := range v {
			walkJSON(c, fmt.Sprintf("%s/%d", at, i), fn)
		}
	}
}

// TestOpenAPIComponentNamesAreDistinct: generators give every component one
// type name whatever its section, so a parameter and a schema both called ID
// made oapi-codegen refuse the whole document ("duplicate typename").
func TestOpenAPIComponentNamesAreDistinct(t *testing.T) {
	doc := servedDescription(t)
	components, _ := doc["components"].(map[string]any)
	seen := map[string]string{}
	for _, section := range []string{"schemas", "parameters", "responses", "requestBodies", "headers"} {
		entries, _ := components[section].(map[string]any)
		for name := range entries {
			if prev, dup := seen[strings.ToLower(name)]; dup {
				t.Errorf("components/%s/%s and components/%s/%s give generated code the same type name", section, name, prev, name)
			}
			seen[strings.ToLower(name)] = section
		}
	}
}

// TestOpenAPINullableSchemasHaveAType: OpenAPI 3.0 defines nullable only
// beside type; `allOf: [$ref]` with `nullable: true` and no type is refused
// by Redocly and by Ajv-based validators although kin-openapi loads it.
func TestOpenAPINullableSchemasHaveAType(t *testing.T) {
	var bad []string
	walkJSON(servedDescription(t), "#", func(at string, obj map[string]any) {
		if obj["nullable"] == true {
			if _, typed := obj["type"].(string); !typed {
				bad = append(bad, at)
			}
		}
	})
	sort.Strings(bad)
	if len(bad) > 0 {
		t.Errorf("nullable without a type at:\n  %s", strings.Join(bad, "\n  "))
	}
}

// TestOpenAPINullablePricedIsPriced: NullablePriced repeats Priced's fields
// (OpenAPI 3.0 cannot make a $ref nullable); the two must not drift apart.
func TestOpenAPINullablePricedIsPriced(t *testing.T) {
	doc, err := OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	priced, nullable := doc.Components.Schemas["Priced"].Value, doc.Components.Schemas["NullablePriced"].Value
	a, _ := json.Marshal(map[string]any{"required": priced.Required, "properties": priced.Properties})
	b, _ := json.Marshal(map[string]any{"required": nullable.Required, "properties": nullable.Properties})
	if string(a) != string(b) || !nullable.Nullable {
		t.Errorf("NullablePriced is not Priced or null:\n%s\n%s", a, b)
	}
}

// TestCreatedCaseAnswersWhatGetSays: POST /v1/cases answered "value": null
// for the new, empty case while GET valued it at 0.00. The answer of a write
// is the record as a read then gives it (only the valuation's as_of, the
// time of each answer, may differ).
func TestCreatedCaseAnswersWhatGetSays(t *testing.T) {
	ts, _ := newFinanceServer(t)
	post := ts.do(access.RoleCustodian, http.MethodPost, "/v1/cases", `{"fir":"41/2025","circle":"islamabad","operation":"Grey"}`)
	if post.Code != http.StatusCreated {
		t.Fatalf("POST /v1/cases: %d %s", post.Code, post.Body)
	}
	var made map[string]any
	if err := json.Unmarshal(post.Body.Bytes(), &made); err != nil {
		t.Fatal(err)
	}
	get := ts.do(access.RoleAuditor, http.MethodGet, fmt.Sprintf("/v1/cases/%v", made["id"]), "")
	if get.Code != http.StatusOK {
		t.Fatalf("GET: %d %s", get.Code, get.Body)
	}
	var read map[string]any
	if err := json.Unmarshal(get.Body.Bytes(), &read); err != nil {
		t.Fatal(err)
	}
	for _, m := range []map[string]any{made, read} {
		if v, ok := m["value"].(map[string]any); ok {
			delete(v, "as_of")
		}
	}
	if !reflect.DeepEqual(made, read) {
		t.Errorf("POST answered\n  %s\nGET then says\n  %s", post.Body, get.Body)
	}
	if v, _ := made["value"].(map[string]any); v == nil || v["pkr"] != "0.00" {
		t.Errorf("a new case is worth %v, want pkr 0.00", made["value"])
	}
}

// TestOpenAPIEnumsAreTheCodesLists: every closed set the API answers is an
// enum whose values are the code's own list, so neither can change alone.
func TestOpenAPIEnumsAreTheCodesLists(t *testing.T) {
	doc, err := OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	var networks []string
	for _, c := range address.Chains() {
		for _, n := range address.Networks(c) {
			if !slices.Contains(networks, n) {
				networks = append(networks, n)
			}
		}
	}
	statuses := []string{chain.StatusInCustody, chain.StatusInTransit, chain.StatusCheckedOut, chain.StatusSuperdari}
	for _, e := range chain.Events {
		if chain.Terminal[e] {
			statuses = append(statuses, e)
		}
	}
	for _, tc := range []struct {
		schema string
		code   []string
	}{
		{"Chain", address.Chains()},
		{"Network", networks},
		{"AddressType", []string{address.TypeP2PKH, address.TypeP2SH, address.TypeP2WPKH, address.TypeP2WSH,
			address.TypeP2TR, address.TypeWitnessUnknown, address.TypeAddress}},
		{"SealState", []string{chain.SealIntact, chain.SealBroken, chain.SealNone}},
		{"ItemStatus", statuses},
		{"CustodyEvent", chain.Events},
		{"RecordKind", chain.BundleRecordKinds(service.RecordKinds())},
		{"Role", access.Roles},
		{"GroupBy", []string{finance.ByCurrency, finance.ByCase, finance.ByCircle, finance.ByLocation}},
		{"ReconciliationStatus", []string{finance.Matched, finance.Difference}},
	} {
		ref := doc.Components.Schemas[tc.schema]
		if ref == nil {
			t.Errorf("no schema %s", tc.schema)
			continue
		}
		var described []string
		for _, v := range ref.Value.Enum {
			described = append(described, fmt.Sprint(v))
		}
		want := slices.Clone(tc.code)
		slices.Sort(described)
		slices.Sort(want)
		if len(want) == 0 || !slices.Equal(described, want) {
			t.Errorf("%s: enum %v, the code's list %v", tc.schema, described, want)
		}
	}
}

// TestOpenAPIClosedSetsAreEnums: the fields that answer one of a closed set
// name its enum, so generated clients get a type rather than a bare string.
func TestOpenAPIClosedSetsAreEnums(t *testing.T) {
	doc, err := OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ schema, path string }{
		{"Item", "status"}, {"Item", "seal_state"}, {"Item", "current_seal.state"}, {"Item", "chain"},
		{"Item", "network"}, {"Item", "addresses[].type"}, {"CustodySeal", "state"}, {"BundleRecord", "kind"},
		{"AddressResult", "chain"}, {"AddressResult", "network"}, {"AddressResult", "type"},
		{"ItemRequest", "chain"}, {"ItemRequest", "network"}, {"EntrySeal", "state"}, {"CustodyEntry", "event"},
	} {
		s := doc.Components.Schemas[tc.schema].Value
		for _, part := range strings.Split(tc.path, ".") {
			name, each := strings.CutSuffix(part, "[]")
			s = s.Properties[name].Value
			if each {
				s = s.Items.Value
			}
			for len(s.Enum) == 0 && len(s.AllOf) == 1 {
				s = s.AllOf[0].Value
			}
		}
		if len(s.Enum) == 0 {
			t.Errorf("%s.%s is a plain %s, not an enum", tc.schema, tc.path, s.Type.Slice())
		}
	}
}

// TestOpenAPIQueryIDsAreIntegers: ids are integers in paths and answers, so
// a query's id is one too (it was a string of digits, a type of its own for
// generated clients).
func TestOpenAPIQueryIDsAreIntegers(t *testing.T) {
	doc, err := OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for _, p := range append(slices.Clone(item.Parameters), op.Parameters...) {
				if p.Value.In != "query" || !strings.HasSuffix(p.Value.Name, "_id") {
					continue
				}
				n++
				if s := p.Value.Schema.Value; !s.Type.Is("integer") || s.Format != "int64" || s.Min == nil || *s.Min != 1 {
					t.Errorf("%s %s ?%s: %s %s, want a positive int64", method, path, p.Value.Name, s.Type.Slice(), s.Format)
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no query ids found")
	}
}

// TestOpenAPIDeclaresTheRequestID: the server sends X-Request-Id on every
// answer (the request id middleware runs first), so every answer of the
// description declares it, and the suite's check refuses an answer without
// it.
func TestOpenAPIDeclaresTheRequestID(t *testing.T) {
	doc, err := OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for code, r := range op.Responses.Map() {
				if h := r.Value.Headers["X-Request-Id"]; h == nil || !h.Value.Required {
					t.Errorf("%s %s %s: X-Request-Id not declared as sent", method, path, code)
				}
			}
		}
	}

	ts := newTestServer(t)
	rec := ts.do(access.RoleAdmin, http.MethodGet, "/v1/tokens", "")
	if rec.Code != http.StatusOK || rec.Header().Get(echo.HeaderXRequestID) == "" {
		t.Fatalf("GET /v1/tokens: %d, X-Request-Id %q", rec.Code, rec.Header().Get(echo.HeaderXRequestID))
	}
	rec.Header().Del(echo.HeaderXRequestID)
	if err := openAPIMismatch(http.MethodGet, "/v1/tokens", "", http.Header{"Authorization": {"Bearer " + ts.tokens[access.RoleAdmin]}}, rec); err == nil {
		t.Error("an answer without X-Request-Id passed the check")
	}
}

// TestCustodyEntryAnswersNullForAbsentValues: a custody entry answered ""
// for a text never recorded and "ledger_txn": 0 for no transaction, values a
// client could take for real ones. Every key is present; an absent value is
// null.
func TestCustodyEntryAnswersNullForAbsentValues(t *testing.T) {
	ts, _ := newCustodyServer(t)
	at := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody", fmt.Sprintf(`{"event":"transferred","at":%q,"from":"Inspector Ayesha Khan","to":"Malkhana In-charge Asif"}`, at))
	if rec.Code != http.StatusCreated {
		t.Fatalf("transfer: %d %s", rec.Code, rec.Body)
	}
	var appended map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &appended); err != nil {
		t.Fatal(err)
	}
	var list struct{ Data []map[string]any }
	decode(t, ts.do(access.RoleAuditor, http.MethodGet, "/v1/items/1/custody", ""), &list)
	if len(list.Data) != 2 {
		t.Fatalf("%d entries", len(list.Data))
	}
	seized, transfer := list.Data[0], list.Data[1]
	if !reflect.DeepEqual(transfer, appended) {
		t.Errorf("the list gives the transfer as %v, the append answered %v", transfer, appended)
	}
	for _, tc := range []struct {
		entry map[string]any
		key   string
		want  any // nil: null
	}{
		{seized, "prev_hash", nil},
		{seized, "ledger_txn", float64(1)}, // the seizure's transaction
		{seized, "from", nil},
		{seized, "court_order", nil},
		{transfer, "from", "Inspector Ayesha Khan"},
		{transfer, "purpose", nil},
		{transfer, "condition", nil},
		{transfer, "remarks", nil},
		{transfer, "ledger_txn", nil},
		{transfer, "prev_hash", seized["hash"]},
	} {
		got, present := tc.entry[tc.key]
		if !present || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("entry %v %s = %#v (present %v), want %#v", tc.entry["item_seq"], tc.key, got, present, tc.want)
		}
	}
	// Nowhere in an entry, nested parts included, is "" or a zero id.
	for _, e := range list.Data {
		walkJSON(e, "", func(at string, obj map[string]any) {
			for k, v := range obj {
				if v == "" || k == "ledger_txn" && v == float64(0) {
					t.Errorf("entry %v%s/%s = %#v, want null", e["item_seq"], at, k, v)
				}
			}
		})
	}
}

// TestOpenAPIHasNoAnonymousObjects: an object schema written inline (a
// property's, a list's items, a request or answer body) becomes an anonymous
// struct in generated clients, which callers cannot name; every object is a
// named component (a named schema's own allOf parts are merged into it).
func TestOpenAPIHasNoAnonymousObjects(t *testing.T) {
	doc := servedDescription(t)
	var bad []string
	walkJSON(doc["paths"], "#/paths", func(at string, obj map[string]any) {
		if _, ok := obj["properties"]; ok {
			bad = append(bad, at)
		}
	})
	components, _ := doc["components"].(map[string]any)
	schemas, _ := components["schemas"].(map[string]any)
	for name, s := range schemas {
		walkJSON(s, "#/components/schemas/"+name, func(at string, obj map[string]any) {
			rest := strings.TrimPrefix(at, "#/components/schemas/"+name)
			if _, ok := obj["properties"]; ok && rest != "" && !isAllOfPart(rest) {
				bad = append(bad, at)
			}
		})
	}
	sort.Strings(bad)
	if len(bad) > 0 {
		t.Errorf("inline object schemas at:\n  %s", strings.Join(bad, "\n  "))
	}
}

// isAllOfPart says whether a pointer within a schema is one of its own allOf
// parts (/allOf/1), not something nested deeper.
func isAllOfPart(rest string) bool {
	n, ok := strings.CutPrefix(rest, "/allOf/")
	return ok && !strings.Contains(n, "/")
}

// TestOpenAPIExamplesMatchTheirSchemas: every example of a request or an
// answer validates against its own schema, and the seizure, custody and
// reconciliation writes each show one of each.
func TestOpenAPIExamplesMatchTheirSchemas(t *testing.T) {
	doc, err := OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	check := func(where string, mt *openapi3.MediaType) bool {
		if mt == nil || mt.Example == nil {
			return false
		}
		if err := mt.Schema.Value.VisitJSON(mt.Example, openapi3.MultiErrors()); err != nil {
			t.Errorf("%s: the example does not match the schema: %v", where, err)
		}
		return true
	}
	shown := map[string]int{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			name := method + " " + path
			if op.RequestBody != nil {
				for ct, mt := range op.RequestBody.Value.Content {
					if check(name+" request "+ct, mt) {
						shown[name]++
					}
				}
			}
			for code, r := range op.Responses.Map() {
				for ct, mt := range r.Value.Content {
					if check(name+" "+code+" "+ct, mt) && code[0] == '2' {
						shown[name] += 10
					}
				}
			}
		}
	}
	for _, op := range []string{"POST /v1/seizures", "POST /v1/items/{id}/custody", "POST /v1/reconciliations"} {
		if shown[op] != 11 {
			t.Errorf("%s: want one request and one answer example, have %d and %d", op, shown[op]%10, shown[op]/10)
		}
	}
}

// TestOpenAPIExamplesAreAccepted: the request examples are real requests: a
// server takes them in order, and its answers pass the suite's check.
func TestOpenAPIExamplesAreAccepted(t *testing.T) {
	doc, err := OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	ts, custody := newFinanceServer(t)
	ts.s.custody = custody
	mustCreateCase(t, ts, "112/2025")
	for _, tc := range []struct{ role, path, op string }{
		{access.RoleCustodian, "/v1/seizures", "/v1/seizures"},
		{access.RoleCustodian, "/v1/items/1/custody", "/v1/items/{id}/custody"},
		{access.RoleFinance, "/v1/reconciliations", "/v1/reconciliations"},
	} {
		example := doc.Paths.Find(tc.op).Post.RequestBody.Value.Content.Get("application/json").Example
		body, err := json.Marshal(example)
		if err != nil {
			t.Fatal(err)
		}
		if rec := ts.do(tc.role, http.MethodPost, tc.path, string(body)); rec.Code != http.StatusCreated {
			t.Errorf("POST %s with its example: %d %s", tc.path, rec.Code, rec.Body)
		}
	}
}

// UndeclaredInAnswer refuses a JSON answer (status, content type, body) to
// op with a member its schema does not declare: kin-openapi allows them
// (additionalProperties defaults to true), but a client generated from the
// description has no field for them. The suite's check and the demo test
// (an external test package, hence exported) both call it.
func UndeclaredInAnswer(op *openapi3.Operation, status int, contentType string, body []byte) error {
	r := op.Responses.Status(status)
	if r == nil {
		r = op.Responses.Default()
	}
	if r == nil {
		return nil
	}
	mt := r.Value.Content.Get(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	if mt == nil || mt.Schema == nil {
		return nil
	}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil // not JSON: ValidateResponse has judged the body
	}
	if extra := UndeclaredFields(mt.Schema.Value, v); len(extra) > 0 {
		return fmt.Errorf("the answer has members its schema does not declare: %s", strings.Join(extra, ", "))
	}
	return nil
}

// UndeclaredFields lists the members of v, an answer decoded as JSON, that
// schema s does not declare: a client generated from the description has no
// field for them and drops them (or, decoding strictly, refuses the answer).
// Free-form objects (no properties, or additionalProperties) take anything.
func UndeclaredFields(s *openapi3.Schema, v any) []string {
	var out []string
	undeclared(s, v, "", &out)
	sort.Strings(out)
	return out
}

func undeclared(s *openapi3.Schema, v any, at string, out *[]string) {
	if s == nil {
		return
	}
	for _, alts := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf} {
		for _, alt := range alts {
			if alt.Value.VisitJSON(v) == nil {
				undeclared(alt.Value, v, at, out)
				break
			}
		}
	}
	switch v := v.(type) {
	case map[string]any:
		props := map[string]*openapi3.Schema{}
		open := false
		var collect func(s *openapi3.Schema)
		collect = func(s *openapi3.Schema) {
			for name, p := range s.Properties {
				props[name] = p.Value
			}
			if s.AdditionalProperties.Schema != nil || s.AdditionalProperties.Has != nil && *s.AdditionalProperties.Has {
				open = true
			}
			for _, part := range s.AllOf {
				collect(part.Value)
			}
		}
		collect(s)
		if len(props) == 0 && len(s.OneOf) == 0 && len(s.AnyOf) == 0 {
			open = true // a free-form object, e.g. a checker's own summary
		}
		for k, c := range v {
			if p, ok := props[k]; ok {
				undeclared(p, c, at+"/"+k, out)
			} else if !open && len(s.OneOf) == 0 && len(s.AnyOf) == 0 {
				*out = append(*out, at+"/"+k)
			}
		}
	case []any:
		items := s.Items
		for _, part := range s.AllOf {
			if items == nil {
				items = part.Value.Items
			}
		}
		if items != nil {
			for i, c := range v {
				undeclared(items.Value, c, fmt.Sprintf("%s/%d", at, i), out)
			}
		}
	}
}
