package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/service"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/money"
)

// TestReleaseLeavesTheBooks: a court-ordered return moves the item's holdings
// out of custody in the same write as its custody entry, so the item no longer
// counts as held and the case shows what was returned.
func TestReleaseLeavesTheBooks(t *testing.T) {
	ts, _ := newCustodyServer(t)
	at := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)

	ret := mustOrder(t, ts, "return", 1, `,"to":"Nguyen Van An"`)
	wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody",
		fmt.Sprintf(`{"event":"returned","at":%q,"to":"Nguyen Van An","court_order_id":%d,"ledger_txn":1}`, at, ret)),
		http.StatusUnprocessableEntity, "ledger_txn")
	wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody",
		fmt.Sprintf(`{"event":"converted","at":%q}`, at)), http.StatusUnprocessableEntity, "event")
	// Refused for want of a registered order: the release is not posted either.
	before := digest(t, ts.store)
	wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody",
		fmt.Sprintf(`{"event":"returned","at":%q}`, at)), http.StatusUnprocessableEntity, "court_order_id")
	if digest(t, ts.store) != before {
		t.Fatal("a refused release wrote something")
	}

	rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody",
		fmt.Sprintf(`{"event":"returned","at":%q,"to":"Nguyen Van An","court_order_id":%d,"remarks":"to the owner's counsel"}`, at, ret))
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

// TestReleaseNeedsAFittingOrder: each release names a registered order that
// fits its event, covers the item, was made on or before it, is in force
// and, for a return, names the entry's recipient. Every refusal names the
// rule and writes nothing; the free-text order of old stores is refused on
// new writes.
func TestReleaseNeedsAFittingOrder(t *testing.T) {
	ts, _ := newCustodyServer(t) // item 1, seized two hours ago
	at := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	today := time.Now().UTC().Format(time.DateOnly)
	rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", fmt.Sprintf(`{"case_id":1,"seized_at":%q,"location":{"building":"Plot 4"},
	"seized_from":{"name":"Somchai P."},"officer":"Inspector Ayesha Khan",
	"items":[{"kind":"cash","seal":"CUS-2","description":"second bag","amounts":[{"currency":"THB","amount":"1000.00"}]}]}`, at))
	if rec.Code != http.StatusCreated {
		t.Fatalf("second seizure: %d %s", rec.Code, rec.Body)
	}
	forf := mustOrder(t, ts, "forfeiture", 1, "")
	other := mustOrder(t, ts, "forfeiture", 2, "")
	ret := mustOrder(t, ts, "return", 1, `,"to":"Nguyen Van An"`)
	vacated := mustOrder(t, ts, "disposal", 1, "")
	mustOrder(t, ts, "disposal", 1, fmt.Sprintf(`,"vacates":%d`, vacated))
	// Made today, after an event recorded as of yesterday.
	late := postOrder(t, ts, orderBody("forfeiture", today, "[1]", ""))

	rows := []struct{ name, body, field, rule string }{
		{"a forfeiture without an order", `{"event":"forfeited","at":%q}`, "court_order_id", "release-needs-registered-order"},
		{"a free-text order", `{"event":"forfeited","at":%q,"court_order":{"number":"CrM 9/2025","date":"2025-06-01"}}`, "court_order", "release-needs-registered-order"},
		{"an order that is not registered", `{"event":"forfeited","at":%q,"court_order_id":99}`, "court_order_id", "release-needs-registered-order"},
		{"an order of another kind", fmt.Sprintf(`{"event":"destroyed","at":%%q,"court_order_id":%d}`, forf), "court_order_id", "order-fits-event"},
		{"an order that does not cover the item", fmt.Sprintf(`{"event":"forfeited","at":%%q,"court_order_id":%d}`, other), "court_order_id", "order-covers-item"},
		{"a vacated order", fmt.Sprintf(`{"event":"destroyed","at":%%q,"court_order_id":%d}`, vacated), "court_order_id", "order-in-force"},
		{"a return to someone the order does not name", fmt.Sprintf(`{"event":"returned","at":%%q,"to":"Tran Thi B","court_order_id":%d}`, ret), "to", "return-to-named-recipient"},
		{"an order on an event that carries out none", fmt.Sprintf(`{"event":"stored","at":%%q,"location":{"room":"safe"},"court_order_id":%d}`, forf), "court_order_id", "order-fits-event"},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			before := digest(t, ts.store)
			p := wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody", fmt.Sprintf(r.body, at)), http.StatusUnprocessableEntity, r.field)
			if !strings.Contains(p.Detail, r.rule) {
				t.Errorf("detail %q does not name rule %s", p.Detail, r.rule)
			}
			if digest(t, ts.store) != before {
				t.Fatal("a refused release wrote something")
			}
		})
	}
	t.Run("an order dated after the event", func(t *testing.T) {
		before := digest(t, ts.store)
		old := time.Now().UTC().AddDate(0, 0, -3)
		// The item was seized two hours ago, so an event three days back is
		// refused anyway; the order's date is checked first.
		p := wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody",
			fmt.Sprintf(`{"event":"forfeited","at":%q,"court_order_id":%d}`, old.Format(time.RFC3339), late)), http.StatusUnprocessableEntity, "court_order_id")
		if !strings.Contains(p.Detail, "order-made-before-event") {
			t.Errorf("detail %q", p.Detail)
		}
		if digest(t, ts.store) != before {
			t.Fatal("a refused release wrote something")
		}
	})

	rec = ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody", fmt.Sprintf(`{"event":"forfeited","at":%q,"court_order_id":%d}`, at, forf))
	if rec.Code != http.StatusCreated {
		t.Fatalf("forfeiture: %d %s", rec.Code, rec.Body)
	}
	var e entryJSON
	decode(t, rec, &e)
	var o orderJSON
	decode(t, ts.do(access.RoleAuditor, http.MethodGet, fmt.Sprintf("/v1/court-orders/%d", forf), ""), &o)
	if e.CourtOrdID == nil || *e.CourtOrdID != forf || e.CourtOrder == nil || e.CourtOrder.Number != "ORD-forfeiture" || e.CourtOrder.Date != o.Date {
		t.Fatalf("the entry carries order %v %+v", e.CourtOrdID, e.CourtOrder)
	}
	var v struct{ OK bool }
	decode(t, ts.do(access.RoleAuditor, http.MethodGet, "/v1/verify", ""), &v)
	if !v.OK {
		t.Fatal("verify after a release under a registered order failed")
	}
}

// TestSuperdariMovesTheHoldings: on superdari the item's holdings sit in
// superdari:item:N; received back they return to custody:item:N; returned
// from superdari they leave for returned:case:N; every step's transaction
// posts to the item's custody account and the store verifies.
func TestSuperdariMovesTheHoldings(t *testing.T) {
	ts, _ := newCustodyServer(t) // item 1: USD 900.00, seized two hours ago
	usd := money.MustLookup("USD")
	min := func(m int) string {
		return time.Now().UTC().Add(time.Duration(m-100) * time.Minute).Format(time.RFC3339)
	}
	sup := mustOrder(t, ts, "superdari", 1, `,"to":"Nguyen Van An","conditions":{"bond":{"amount":"250000","currency":"PKR"},"surety":"Tran Thi B","produce_by":"2099-01-01"}`)
	ret := mustOrder(t, ts, "return", 1, `,"to":"Nguyen Van An"`)
	balances := func(step string, custody, bond, returned string) {
		t.Helper()
		err := ts.store.View(func(tx *ledger.Tx) error {
			for acct, want := range map[string]string{"custody:item:1": custody, "superdari:item:1": bond, "returned:case:1": returned} {
				b, err := tx.Balance(acct, usd)
				if err != nil {
					return err
				}
				if b.Amount.String() != want {
					t.Errorf("after %s: %s is %s, want %s", step, acct, b.Amount, want)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	post := func(body string) entryJSON {
		t.Helper()
		rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody", body)
		if rec.Code != http.StatusCreated {
			t.Fatalf("%s: %d %s", body, rec.Code, rec.Body)
		}
		var e entryJSON
		decode(t, rec, &e)
		return e
	}
	// The superdar is the one the order names.
	before := digest(t, ts.store)
	wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody",
		fmt.Sprintf(`{"event":"superdari","at":%q,"to":"Someone Else","court_order_id":%d}`, min(0), sup)), http.StatusUnprocessableEntity, "to")
	wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody",
		fmt.Sprintf(`{"event":"superdari","at":%q,"to":"Nguyen Van An"}`, min(0))), http.StatusUnprocessableEntity, "court_order_id")
	if digest(t, ts.store) != before {
		t.Fatal("a refused superdari wrote something")
	}

	e := post(fmt.Sprintf(`{"event":"superdari","at":%q,"to":"Nguyen Van An","court_order_id":%d}`, min(1), sup))
	if e.LedgerTxn == nil || e.CourtOrdID == nil || *e.CourtOrdID != sup {
		t.Fatalf("superdari entry: %+v", e)
	}
	balances("superdari", "0.00", "900.00", "0.00")
	var it struct {
		Status, Holder string
		Balances       []holdingJSON
	}
	decode(t, ts.do(access.RoleAuditor, http.MethodGet, "/v1/items/1", ""), &it)
	if it.Status != "on_superdari" || it.Holder != "Nguyen Van An" || len(it.Balances) != 1 || it.Balances[0].Amount != "900.00" {
		t.Fatalf("item on superdari reads %+v", it)
	}
	// Valuation still counts what is out on a bond, and by location says with whom.
	if rec := ts.do(access.RoleFinance, http.MethodPost, "/v1/rates", `{"currency":"USD","rate":"280.00","effective":"2025-06-01","source":"sbp-interbank"}`); rec.Code != http.StatusCreated {
		t.Fatalf("rate: %d %s", rec.Code, rec.Body)
	}
	rec := ts.do(access.RoleAuditor, http.MethodGet, "/v1/valuation?group_by=location", "")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"superdari:Nguyen Van An"`) || !strings.Contains(rec.Body.String(), `"252000.00"`) {
		t.Fatalf("valuation by location with an item on superdari: %d %s", rec.Code, rec.Body)
	}
	post(fmt.Sprintf(`{"event":"produced","at":%q,"remarks":"produced before the magistrate"}`, min(2)))
	wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody",
		fmt.Sprintf(`{"event":"forfeited","at":%q,"court_order_id":%d}`, min(3), mustOrder(t, ts, "forfeiture", 1, ""))), http.StatusUnprocessableEntity, "event")
	post(fmt.Sprintf(`{"event":"received","at":%q,"to":"Inspector Ayesha Khan"}`, min(4)))
	balances("received back", "900.00", "0.00", "0.00")
	post(fmt.Sprintf(`{"event":"superdari","at":%q,"to":"Nguyen Van An","court_order_id":%d}`, min(5), sup))
	balances("superdari again", "0.00", "900.00", "0.00")
	post(fmt.Sprintf(`{"event":"returned","at":%q,"to":"Nguyen Van An","court_order_id":%d}`, min(6), ret))
	balances("returned from superdari", "0.00", "0.00", "900.00")

	var v struct{ OK bool }
	decode(t, ts.do(access.RoleAuditor, http.MethodGet, "/v1/verify", ""), &v)
	if !v.OK {
		t.Fatal("verify after superdari round trips failed")
	}
	rec = ts.do(access.RoleAuditor, http.MethodGet, "/v1/items/1/custody/bundle", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("bundle: %d %s", rec.Code, rec.Body)
	}
	rep, err := chain.CheckBundle(rec.Body.Bytes(), service.RecordKinds())
	if err != nil || rep.State.Status != "returned" {
		t.Fatalf("the bundle of an item returned from superdari: %+v %v", rep.State, err)
	}
}
