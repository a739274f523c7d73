package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"
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
	post := ts.do(RoleCustodian, http.MethodPost, "/v1/cases", `{"fir":"41/2025","circle":"islamabad","operation":"Grey"}`)
	if post.Code != http.StatusCreated {
		t.Fatalf("POST /v1/cases: %d %s", post.Code, post.Body)
	}
	var made map[string]any
	if err := json.Unmarshal(post.Body.Bytes(), &made); err != nil {
		t.Fatal(err)
	}
	get := ts.do(RoleAuditor, http.MethodGet, fmt.Sprintf("/v1/cases/%v", made["id"]), "")
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
