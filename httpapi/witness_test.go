package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/amanat-ledger/amanat/chain/access"
)

// witnessedBody is seizureBody with a memo number and two witnesses.
func witnessedBody(caseID uint64, sealPrefix, witnesses string) string {
	return strings.Replace(seizureBody(caseID, sealPrefix), `"officer":`,
		`"memo_number":"FM-17/2025","witnesses":`+witnesses+`,"officer":`, 1)
}

const twoWitnesses = `[{"name":"Muhammad Aslam","father_name":"Ghulam Rasool","address":"House 3, Street 4, F-7/2"},
	{"name":"Tariq Mehmood","address":"Shop 9, Jinnah Super","id_number":"61101-1234567-1"}]`

func TestSeizureWitnessesOverHTTP(t *testing.T) {
	ts, _ := newEvidenceServer(t)
	caseID := mustCreateCase(t, ts, "17/2025")
	rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", witnessedBody(caseID, "W", twoWitnesses))
	if rec.Code != http.StatusCreated {
		t.Fatalf("seizure: %d %s", rec.Code, rec.Body)
	}
	var r receipt
	decode(t, rec, &r)
	for _, id := range r.ItemIDs {
		rec = ts.do(access.RoleInvestigator, http.MethodGet, fmt.Sprintf("/v1/items/%d", id), "")
		var item struct {
			MemoNumber string `json:"memo_number"`
			Witnesses  []struct {
				Name       string
				FatherName string `json:"father_name"`
				IDNumber   string `json:"id_number"`
			}
		}
		decode(t, rec, &item)
		if item.MemoNumber != "FM-17/2025" || len(item.Witnesses) != 2 || item.Witnesses[0].FatherName != "Ghulam Rasool" ||
			item.Witnesses[1].IDNumber != "61101-1234567-1" {
			t.Fatalf("item %d: %s", id, rec.Body)
		}
	}
	if rec := ts.do(access.RoleAuditor, http.MethodGet, "/v1/verify", ""); rec.Code != http.StatusOK {
		t.Fatalf("verify: %d %s", rec.Code, rec.Body)
	}
}

func TestBadWitnessesWriteNothing(t *testing.T) {
	ts, _ := newEvidenceServer(t)
	caseID := mustCreateCase(t, ts, "18/2025")
	tests := []struct{ name, witnesses, field string }{
		{"a witness without a name", `[{"name":"Aslam","father_name":"Rasool","address":"F-7"},{"name":"","father_name":"X","address":"F-7"}]`, "witnesses[1].name"},
		{"the officer as witness", `[{"name":"Aslam","father_name":"Rasool","address":"F-7"},{"name":"Inspector Ayesha Khan","father_name":"X","address":"F-7"}]`, "witnesses[1].name"},
		{"an unknown witness field", `[{"name":"Aslam","father_name":"Rasool","address":"F-7","cnic":"1"}]`, "witnesses[0].cnic"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(t, ts.store)
			wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", witnessedBody(caseID, "W", tc.witnesses)), 422, tc.field)
			if snapshot(t, ts.store) != before {
				t.Fatal("a refused seizure changed the store")
			}
		})
	}
}
