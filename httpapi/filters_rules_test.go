package httpapi

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/evidence"
	"github.com/amanat-ledger/amanat/ledger"
)

// TestListFilterValuesAreChecked: a bad value of each filter is a 422
// naming the parameter, an unknown parameter is still refused, and a good
// value is answered.
func TestListFilterValuesAreChecked(t *testing.T) {
	ts, _ := newCustodyServer(t)
	bad := map[string]string{
		"/v1/items?status=lost":                                      "status",
		"/v1/items?status=IN_CUSTODY":                                "status",
		"/v1/items?circle=Islamabad":                                 "circle",
		"/v1/items?currency=XYZ":                                     "currency",
		"/v1/items?seized_from=%C3%28":                               "seized_from",
		"/v1/items?seized_from=a%07b":                                "seized_from",
		"/v1/items?seized_after=2025-02-30":                          "seized_after",
		"/v1/items?seized_before=yesterday":                          "seized_before",
		"/v1/items?seized_after=2025-06-02&seized_before=2025-06-01": "seized_before",
		"/v1/cases?circle=a%20b":                                     "circle",
		"/v1/cases?from=2025-6-1":                                    "from",
		"/v1/cases?to=2025-06-31":                                    "to",
		"/v1/cases?from=2025-06-02&to=2025-06-01":                    "to",
	}
	for target, field := range bad {
		wantProblem(t, ts.do(access.RoleInvestigator, http.MethodGet, target, ""), http.StatusUnprocessableEntity, field)
	}
	for _, target := range []string{"/v1/items?state=in_custody", "/v1/cases?status=open"} {
		wantProblem(t, ts.do(access.RoleInvestigator, http.MethodGet, target, ""), http.StatusUnprocessableEntity, "")
	}
	for _, target := range []string{
		"/v1/items?status=in_custody&circle=islamabad&currency=USD&seized_from=nguyen&seized_after=2000-01-01&seized_before=2999-01-01",
		"/v1/cases?circle=islamabad&from=2000-01-01&to=2999-12-31",
	} {
		rec := ts.do(access.RoleInvestigator, http.MethodGet, target, "")
		var page struct{ Data []struct{ ID uint64 } }
		decode(t, rec, &page)
		if rec.Code != http.StatusOK || len(page.Data) != 1 || page.Data[0].ID != 1 {
			t.Fatalf("GET %s: %d %s", target, rec.Code, rec.Body)
		}
	}
}

// TestItemStatusEnumIsTheRealSet: the description's enum of status is
// every status an item can have, so neither can drift from the other.
func TestItemStatusEnumIsTheRealSet(t *testing.T) {
	doc, err := OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	p := doc.Paths.Find("/v1/items").Get.Parameters.GetByInAndName("query", "status")
	var enum []string
	for _, v := range p.Schema.Value.Enum {
		enum = append(enum, v.(string))
	}
	if want := evidence.ItemStatuses(); !slices.Equal(enum, want) {
		t.Fatalf("enum %v, statuses %v", enum, want)
	}
}

// TestCaseDateFilters registers cases on three days by the store's clock
// and asks for each range: from and to are whole UTC days, both inclusive.
func TestCaseDateFilters(t *testing.T) {
	// The test's tokens are made at the first instant and expire 90 days
	// later, after the last.
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	svc := openTestService(t, t.TempDir(), ledger.Options{NoSync: true, Now: func() time.Time { return now }})
	ts := serveTest(t, svc)
	for i, day := range []string{"2025-06-01T23:59:59Z", "2025-06-02T00:00:00Z", "2025-06-03T12:00:00Z"} {
		now, _ = time.Parse(time.RFC3339, day)
		circle := "islamabad"
		if i == 1 {
			circle = "lahore"
		}
		rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/cases", fmt.Sprintf(`{"fir":"%d/2025","circle":%q,"title":"t"}`, i+1, circle))
		if rec.Code != http.StatusCreated {
			t.Fatalf("case: %d %s", rec.Code, rec.Body)
		}
	}
	for q, want := range map[string][]uint64{
		"from=2025-06-02":                  {2, 3},
		"to=2025-06-01":                    {1},
		"from=2025-06-02&to=2025-06-02":    {2},
		"from=2025-06-04":                  nil,
		"circle=islamabad&from=2025-06-01": {1, 3},
		"circle=lahore&to=2025-06-01":      nil,
	} {
		var got []uint64
		cursor := ""
		for {
			rec := ts.do(access.RoleInvestigator, http.MethodGet, "/v1/cases?limit=1&"+q+cursor, "")
			var page struct {
				Data       []struct{ ID uint64 }
				NextCursor *string `json:"next_cursor"`
			}
			decode(t, rec, &page)
			for _, c := range page.Data {
				got = append(got, c.ID)
			}
			if page.NextCursor == nil {
				break
			}
			cursor = "&cursor=" + *page.NextCursor
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: cases %v, want %v", q, got, want)
		}
	}
}
