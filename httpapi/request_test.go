package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/amanat-ledger/amanat/ledger"
)

// TestANumberForAnAmountSaysWhatTravelsAsAString: the 422 for an amount or a
// rate sent as a JSON number says amounts and rates are strings, and does
// not send the caller off to quote ids too (ids are numbers).
func TestANumberForAnAmountSaysWhatTravelsAsAString(t *testing.T) {
	ts := newTestServer(t)
	before := snapshot(t, ts.store)
	p := wantProblem(t, ts.do(RoleFinance, http.MethodPost, "/v1/rates", `{"currency":"USD","rate":278.65,"effective":"2025-06-02","source":"sbp-interbank"}`),
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
		{`{"items":[{"Seal":"A","colour":"red"}]}`, "items[0].colour"},
		{`{"meta":{"k":{"seal":"A","extra":1}}}`, "meta.k.extra"},
	} {
		var v body
		dec := json.NewDecoder(strings.NewReader(tc.json))
		dec.DisallowUnknownFields()
		err := withFieldPath(jsonError(dec.Decode(&v)), []byte(tc.json), reflect.TypeOf(&v))
		var e *ledger.Error
		if !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != tc.want {
			t.Errorf("%s: %v, want field %s", tc.json, err, tc.want)
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
	wantProblem(t, ts.do(RoleCustodian, http.MethodPost, "/v1/seizures", body), http.StatusUnprocessableEntity, "location.bulding")
	if snapshot(t, ts.store) != before {
		t.Fatal("a refused seizure wrote something")
	}
}
