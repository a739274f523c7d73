package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/money"
)

// ago is an RFC 3339 instant min minutes before now.
func ago(min int) time.Time {
	return time.Now().UTC().Add(-time.Duration(min) * time.Minute).Truncate(time.Second)
}

func rfc(t time.Time) string { return t.Format(time.RFC3339) }

// postCustodyEvent posts body to item 1's custody.
func postCustodyEvent(ts *testServer, body string) (int, string) {
	rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody", body)
	return rec.Code, rec.Body.String()
}

// TestReleaseRefusedBeforeLatestPosting: a release dated before the item's
// latest ledger posting would move today's holdings at an earlier instant
// and leave the custody account negative in between; it is refused naming
// at, and one dated after it keeps every instant non-negative.
func TestReleaseRefusedBeforeLatestPosting(t *testing.T) {
	ts, _ := newCustodyServer(t) // item 1 seized 2 hours ago with USD 900.00
	usd := money.MustLookup("USD")
	hundred, err := money.ParseAmount(usd, "100.00", money.Positive)
	if err != nil {
		t.Fatal(err)
	}
	// A count found USD 100.00 more in the bag, booked 30 minutes ago.
	found := ago(30)
	err = ts.store.Write(context.Background(), func(tx *ledger.Tx) error {
		_, err := tx.Post(ledger.Transaction{Effective: found, Actor: "finance:test", Memo: "count surplus",
			Links:    []ledger.Link{{Kind: "item", Ref: "1"}},
			Postings: []ledger.Posting{{Account: "custody:item:1", Amount: hundred}, {Account: "variance:case:1", Amount: hundred.Neg()}}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	order := map[string]string{
		"forfeited":   fmt.Sprintf(`"court_order_id":%d`, mustOrder(t, ts, "forfeiture", 1, "")),
		"returned":    fmt.Sprintf(`"court_order_id":%d,"to":"Nguyen Van An"`, mustOrder(t, ts, "return", 1, `,"to":"Nguyen Van An"`)),
		"destroyed":   fmt.Sprintf(`"court_order_id":%d`, mustOrder(t, ts, "disposal", 1, "")),
		"written_off": `"purpose":"write-off"`,
	}
	for _, ev := range []string{"forfeited", "returned", "destroyed", "written_off"} {
		before := digest(t, ts.store)
		rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody",
			fmt.Sprintf(`{"event":%q,"at":%q,%s,"remarks":"on order"}`, ev, rfc(ago(60)), order[ev]))
		p := wantProblem(t, rec, http.StatusUnprocessableEntity, "at")
		if !strings.Contains(p.Errors[0].Reason, "latest ledger posting") {
			t.Errorf("%s: reason %q", ev, p.Errors[0].Reason)
		}
		if digest(t, ts.store) != before {
			t.Fatalf("a refused %s wrote something", ev)
		}
	}
	rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody",
		fmt.Sprintf(`{"event":"forfeited","at":%q,%s}`, rfc(ago(10)), order["forfeited"]))
	if rec.Code != http.StatusCreated {
		t.Fatalf("forfeiture after the posting: %d %s", rec.Code, rec.Body)
	}
	err = ts.store.View(func(tx *ledger.Tx) error {
		for _, at := range []time.Time{ago(90), found, ago(20), ago(10), ago(0)} {
			b, _, err := tx.BalanceAt("custody:item:1", usd, at)
			if err != nil {
				return err
			}
			if b.Sign() < 0 {
				t.Errorf("custody:item:1 is %s at %s", b, at)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestReleaseBeforeLatestEntryRefusedByMachine: a release dated before the
// item's latest custody entry (but after its latest posting) is refused by
// the state machine's time order, naming at.
func TestReleaseBeforeLatestEntryRefusedByMachine(t *testing.T) {
	ts, _ := newCustodyServer(t)
	if code, body := postCustodyEvent(ts, fmt.Sprintf(`{"event":"stored","at":%q,"location":{"building":"FIA HQ","room":"malkhana"}}`, rfc(ago(30)))); code != http.StatusCreated {
		t.Fatalf("store: %d %s", code, body)
	}
	disposal := mustOrder(t, ts, "disposal", 1, "")
	before := digest(t, ts.store)
	p := wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody",
		fmt.Sprintf(`{"event":"destroyed","at":%q,"court_order_id":%d,"remarks":"counterfeit"}`, rfc(ago(60)), disposal)), http.StatusUnprocessableEntity, "at")
	if !strings.Contains(p.Detail, "events-in-time-order") {
		t.Fatalf("detail %q", p.Detail)
	}
	if digest(t, ts.store) != before {
		t.Fatal("a refused release wrote something")
	}
}

// TestCustodyRefusesClientLedgerTxn: a client cannot make an entry name a
// ledger transaction, in particular another item's.
func TestCustodyRefusesClientLedgerTxn(t *testing.T) {
	ts, _ := newCustodyServer(t)
	rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", fmt.Sprintf(`{"case_id":1,"seized_at":%q,"location":"Plot 4","officer":"Inspector Ayesha Khan",
	"seized_from":"Somchai P.","items":[{"kind":"cash","seal":"CUS-2","description":"second bag","amounts":[{"currency":"THB","amount":"1000.00"}]}]}`, rfc(ago(60))))
	if rec.Code != http.StatusCreated {
		t.Fatalf("second seizure: %d %s", rec.Code, rec.Body)
	}
	before := digest(t, ts.store)
	for _, body := range []string{
		fmt.Sprintf(`{"event":"transferred","at":%q,"from":"Inspector Ayesha Khan","to":"Asif","ledger_txn":2}`, rfc(ago(5))),
		fmt.Sprintf(`{"event":"stored","at":%q,"location":"FIA HQ","ledger_txn":"1"}`, rfc(ago(5))),
		fmt.Sprintf(`{"event":"destroyed","at":%q,"remarks":"x","ledger_txn":2}`, rfc(ago(5))),
	} {
		wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody", body), http.StatusUnprocessableEntity, "ledger_txn")
	}
	if digest(t, ts.store) != before {
		t.Fatal("a refused ledger_txn wrote something")
	}
}

// TestCustodyLocationTakesTheSeizureShapes: a custody entry takes a location
// as a seizure does: an object, or a plain string taken as the building.
func TestCustodyLocationTakesTheSeizureShapes(t *testing.T) {
	ts, _ := newCustodyServer(t)
	rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody", fmt.Sprintf(`{"event":"stored","at":%q,"location":"FIA HQ malkhana, G-9"}`, rfc(ago(30))))
	if rec.Code != http.StatusCreated {
		t.Fatalf("a string location: %d %s", rec.Code, rec.Body)
	}
	var e entryJSON
	decode(t, rec, &e)
	if l := e.Location; l.Building == nil || *l.Building != "FIA HQ malkhana, G-9" || l.Circle != nil || l.Room != nil {
		t.Fatalf("location %+v", l)
	}
	rec = ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody", fmt.Sprintf(`{"event":"stored","at":%q,"location":{"circle":"islamabad","room":"safe 2"}}`, rfc(ago(20))))
	if rec.Code != http.StatusCreated {
		t.Fatalf("an object location: %d %s", rec.Code, rec.Body)
	}
	before := digest(t, ts.store)
	wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody", fmt.Sprintf(`{"event":"stored","at":%q,"location":{"city":"islamabad"}}`, rfc(ago(10)))),
		http.StatusUnprocessableEntity, "location.city")
	wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody", fmt.Sprintf(`{"event":"stored","at":%q,"location":"malkhana\u0000"}`, rfc(ago(10)))),
		http.StatusUnprocessableEntity, "location.building")
	if digest(t, ts.store) != before {
		t.Fatal("a refused location wrote something")
	}
}

// TestCustodyEventTextAndSealsOverHTTP: the entry's own checks answer 422
// naming the field over the API too.
func TestCustodyEventTextAndSealsOverHTTP(t *testing.T) {
	ts, _ := newCustodyServer(t)
	if code, body := postCustodyEvent(ts, fmt.Sprintf(`{"event":"unsealed","at":%q}`, rfc(ago(50)))); code != http.StatusCreated {
		t.Fatalf("unseal: %d %s", code, body)
	}
	before := digest(t, ts.store)
	for _, tc := range []struct{ body, field string }{
		{fmt.Sprintf(`{"event":"examined","at":%q,"remarks":"key 5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ"}`, rfc(ago(40))), "remarks"},
		{fmt.Sprintf(`{"event":"examined","at":%q,"condition":"abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"}`, rfc(ago(40))), "condition"},
		{fmt.Sprintf(`{"event":"examined","at":%q,"attachments":[{"name":"photo\u0007.jpg","sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}]}`, rfc(ago(40))), "attachments[0].name"},
		{fmt.Sprintf(`{"event":"resealed","at":%q,"seal_after":{"number":"CUS-9\t","state":"intact"}}`, rfc(ago(40))), "seal_after.number"},
		{fmt.Sprintf(`{"event":"resealed","at":%q,"seal_after":{"number":"CUS-9\u0000","state":"intact"}}`, rfc(ago(40))), "seal_after.number"},
		{fmt.Sprintf(`{"event":"resealed","at":%q,"seal_after":{"number":"CUS-9 ","state":"intact"}}`, rfc(ago(40))), "seal_after.number"},
		{fmt.Sprintf(`{"event":"resealed","at":%q,"seal_after":{"number":"cus-1","state":"intact"}}`, rfc(ago(40))), "seal_after.number"},
	} {
		wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody", tc.body), http.StatusUnprocessableEntity, tc.field)
	}
	if digest(t, ts.store) != before {
		t.Fatal("a refused entry wrote something")
	}
}

// TestMovedOnChainRefusedForCash: item 1 is a bag of notes; it has no coins
// to move on a chain.
func TestMovedOnChainRefusedForCash(t *testing.T) {
	ts, _ := newCustodyServer(t)
	before := digest(t, ts.store)
	p := wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody", fmt.Sprintf(`{"event":"moved_on_chain","at":%q,"to":"NHQ Crypto Desk",
	"location":{"wallet":"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4","network":"bitcoin:mainnet","txid":"%s"}}`, rfc(ago(10)), strings.Repeat("ab", 32))),
		http.StatusUnprocessableEntity, "event")
	if !strings.Contains(p.Detail, "on-chain-events-for-wallets-only") {
		t.Fatalf("detail %q", p.Detail)
	}
	if digest(t, ts.store) != before {
		t.Fatal("a refused move wrote something")
	}
}
