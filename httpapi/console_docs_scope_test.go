package httpapi

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/amanat-ledger/amanat/chain/access"
)

// TestDocumentsKeepToTheCallersCircles: the documents read through the same
// circle scope as the API. To a reader of Lahore, Islamabad's item and
// seizure are not there (the same 404 as an id nobody has used), and its
// register and valuation statement leave them out; to a reader of
// Islamabad they are all there.
func TestDocumentsKeepToTheCallersCircles(t *testing.T) {
	ds := newDocsServer(t) // its case and items are Islamabad's
	accounts := ds.s.accounts.(*fakeAccounts)
	lahore, _ := access.CirclesScope("lahore")
	islamabad, _ := access.CirclesScope("islamabad")
	accounts.add("lahore-reader", "pw-lahore", access.RoleInvestigator, lahore)
	accounts.add("islamabad-reader", "pw-islamabad", access.RoleInvestigator, islamabad)
	as := func(login, password string) *browser {
		b := newBrowser(ds.testServer)
		b.login(login, password)
		return b
	}
	get := func(b *browser, path string) *httptest.ResponseRecorder {
		return b.send(httptest.NewRequest(http.MethodGet, path, nil))
	}
	out, in := as("lahore-reader", "pw-lahore"), as("islamabad-reader", "pw-islamabad")
	for _, path := range []string{
		fmt.Sprintf("/docs/items/%d/custody", ds.items[0]),
		fmt.Sprintf("/docs/items/%d/bundle", ds.items[0]),
		fmt.Sprintf("/docs/seizures/%d", ds.txn),
	} {
		if rec := get(out, path); rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), "DOC-1") {
			t.Errorf("%s to a Lahore reader: %d, want a 404 that shows nothing of it", path, rec.Code)
		}
		if absent := get(out, strings.Replace(path, fmt.Sprint(ds.items[0]), "9999", 1)); absent.Code != http.StatusNotFound {
			t.Errorf("%s of an id nobody has: %d", path, absent.Code)
		}
		if rec := get(in, path); rec.Code != http.StatusOK {
			t.Errorf("%s to an Islamabad reader: %d, want 200", path, rec.Code)
		}
	}
	for _, path := range []string{"/docs/register", "/docs/valuation"} {
		if body := get(out, path).Body.String(); strings.Contains(body, "DOC-1") || strings.Contains(body, "1500.00") {
			t.Errorf("%s to a Lahore reader shows Islamabad's seizure", path)
		}
	}
	if body := get(in, "/docs/register").Body.String(); !strings.Contains(body, "DOC-1") {
		t.Error("the register of an Islamabad reader lacks Islamabad's item")
	}
}
