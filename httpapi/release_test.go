package httpapi

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/money"
)

// TestReleaseLeavesTheBooks: a court-ordered return moves the item's holdings
// out of custody in the same write as its custody entry, so the item no longer
// counts as held and the case shows what was returned.
func TestReleaseLeavesTheBooks(t *testing.T) {
	ts, _ := newCustodyServer(t)
	at := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)

	wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody",
		fmt.Sprintf(`{"event":"returned","at":%q,"court_order":{"number":"CrM 9/2025","date":"2025-07-01"},"ledger_txn":1}`, at)),
		http.StatusUnprocessableEntity, "ledger_txn")
	wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody",
		fmt.Sprintf(`{"event":"converted","at":%q}`, at)), http.StatusUnprocessableEntity, "event")
	// Refused by the state machine (no court order): the release is not posted either.
	before := digest(t, ts.store)
	wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody",
		fmt.Sprintf(`{"event":"returned","at":%q}`, at)), http.StatusUnprocessableEntity, "")
	if digest(t, ts.store) != before {
		t.Fatal("a refused release wrote something")
	}

	rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody",
		fmt.Sprintf(`{"event":"returned","at":%q,"court_order":{"number":"CrM 9/2025","date":"2025-07-01"},"remarks":"to the owner's counsel"}`, at))
	if rec.Code != http.StatusCreated {
		t.Fatalf("return: %d %s", rec.Code, rec.Body)
	}
	var e entryJSON
	decode(t, rec, &e)
	if e.LedgerTxn == nil {
		t.Fatalf("the return names no ledger transaction: %s", rec.Body)
	}
	usd := money.MustLookup("USD")
	err := ts.store.View(func(tx *ledger.Tx) error {
		held, err := tx.Balance("custody:item:1", usd)
		if err != nil {
			return err
		}
		back, err := tx.Balance("returned:case:1", usd)
		if err != nil {
			return err
		}
		if !held.Amount.IsZero() || back.Amount.String() != "900.00" {
			t.Errorf("after the return: custody %s, returned %s; want 0.00 and 900.00", held.Amount, back.Amount)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rec = ts.do(access.RoleAuditor, http.MethodGet, "/v1/verify", "")
	var v struct{ OK bool }
	decode(t, rec, &v)
	if !v.OK {
		t.Fatalf("verify after release: %s", rec.Body)
	}
}

// TestResealClaimsTheSealAcrossTheStore: a reseal cannot take a seal number
// another item bears, and once taken no new seizure can use it.
func TestResealClaimsTheSealAcrossTheStore(t *testing.T) {
	ts, _ := newCustodyServer(t)
	at := func(min int) string {
		return time.Now().UTC().Add(time.Duration(min-60) * time.Minute).Format(time.RFC3339)
	}
	rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", fmt.Sprintf(`{"case_id":1,"seized_at":%q,"location":{"building":"Plot 4"},
	"seized_from":{"name":"Somchai P.","nationality":"TH","id_type":"passport","id_number":"AA123456"},"officer":"Inspector Ayesha Khan",
	"items":[{"kind":"cash","seal":"CUS-2","description":"second bag","amounts":[{"currency":"THB","amount":"1000.00"}]}]}`, at(0)))
	if rec.Code != http.StatusCreated {
		t.Fatalf("second seizure: %d %s", rec.Code, rec.Body)
	}
	if rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody", fmt.Sprintf(`{"event":"unsealed","at":%q,"purpose":"count"}`, at(1))); rec.Code != http.StatusCreated {
		t.Fatalf("unseal: %d %s", rec.Code, rec.Body)
	}
	before := digest(t, ts.store)
	wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody",
		fmt.Sprintf(`{"event":"resealed","at":%q,"seal_after":{"number":"CUS-2","state":"intact"}}`, at(2))), http.StatusUnprocessableEntity, "seal_after.number")
	if digest(t, ts.store) != before {
		t.Fatal("a refused reseal wrote something")
	}
	if rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody",
		fmt.Sprintf(`{"event":"resealed","at":%q,"seal_after":{"number":"CUS-9","state":"intact"}}`, at(3))); rec.Code != http.StatusCreated {
		t.Fatalf("reseal: %d %s", rec.Code, rec.Body)
	}
	rec = ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", fmt.Sprintf(`{"case_id":1,"seized_at":%q,"location":{"building":"Plot 5"},
	"seized_from":{"name":"X","nationality":"PK","id_type":"cnic","id_number":"12345-1234567-1"},"officer":"Inspector Ayesha Khan",
	"items":[{"kind":"cash","seal":"cus-9","description":"third bag","amounts":[{"currency":"USD","amount":"1.00"}]}]}`, at(4)))
	wantProblem(t, rec, http.StatusUnprocessableEntity, "items[0].seal")
}
