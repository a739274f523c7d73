package httpapi

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/chain/access"
)

// consoleWalletServer is consoleItemServer with a second item, a Bitcoin
// wallet (item 2) held by Inspector Ayesha Khan.
func consoleWalletServer(t *testing.T) (*testServer, *fakeAccounts) {
	t.Helper()
	ts, f := consoleItemServer(t)
	at := time.Now().UTC().Add(-2 * time.Hour).Format(time.RFC3339)
	rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", fmt.Sprintf(`{"case_id":1,"seized_at":%q,"location":{"building":"Plot 3, G-11 Markaz"},
	"seized_from":"Nguyen Van An","officer":"Inspector Ayesha Khan",
	"items":[{"kind":"wallet","seal":"CUS-2","description":"Trust Wallet on a phone","chain":"bitcoin","network":"mainnet","address":"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4","holdings":[{"currency":"BTC","amount":"0.12345678"}]}]}`, at))
	if rec.Code != http.StatusCreated {
		t.Fatalf("wallet seizure: %d %s", rec.Code, rec.Body)
	}
	return ts, f
}

const (
	agencyWallet = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
)

// The on-chain move is offered for a wallet only, and is a proposal: the
// form answers with the approval and moves nothing until a supervisor
// approves.
func TestConsoleOnChainMoveIsAProposal(t *testing.T) {
	ts, _ := consoleWalletServer(t)
	b := consoleAs(ts, access.RoleCustodian)
	if strings.Contains(b.get("/items/1").Body.String(), `id="form-moved_on_chain"`) {
		t.Error("a cash bag is offered an on-chain move")
	}
	form := formOf(t, b.get("/items/2").Body.String(), "moved_on_chain")
	for _, field := range []string{`name="location.wallet"`, `name="location.network"`, `name="location.txid"`, "(proposal)"} {
		if !strings.Contains(form, field) {
			t.Errorf("the on-chain move form has no %s: %s", field, form)
		}
	}
	txid := strings.Repeat("0f", 32)
	// Refusals: each next to its own field, nothing written.
	before := digest(t, ts.store)
	for _, tc := range []struct{ wallet, network, txid, field, says string }{
		{"bc1qnotanaddress", "bitcoin:mainnet", txid, "location.wallet", ""},
		{agencyWallet, "bitcoin:mainnet", "xyz", "location.txid", "64 hex digits"},
		{agencyWallet, "dogecoin", txid, "location.network", "chain:network"},
	} {
		rec := b.postForm("/items/2", "/items/2/custody", custodyForm("moved_on_chain",
			"location.wallet", tc.wallet, "location.network", tc.network, "location.txid", tc.txid))
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("%s refused: %d %s", tc.field, rec.Code, rec.Body.String())
		}
		form := formOf(t, rec.Body.String(), "moved_on_chain")
		if !strings.Contains(form, `name="`+tc.field+`" aria-invalid="true"`) || !strings.Contains(pageText(form), tc.says) {
			t.Errorf("the refusal of %s is not next to its field: %s", tc.field, form)
		}
		if !strings.Contains(form, `value="`+tc.wallet+`"`) {
			t.Errorf("the refused form lost the address typed: %s", form)
		}
	}
	if digest(t, ts.store) != before {
		t.Fatal("a refused move wrote something")
	}
	rec := b.postForm("/items/2", "/items/2/custody", custodyForm("moved_on_chain",
		"location.wallet", agencyWallet, "location.network", "bitcoin:mainnet", "location.txid", txid, "remarks", "sweep to the agency wallet"))
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("move: %d %s", rec.Code, rec.Body.String())
	}
	page := pageText(b.get("/items/2").Body.String())
	if !strings.Contains(page, "Proposed: moved_on_chain, as approval 1") {
		t.Errorf("the item page does not show the proposal: %s", page)
	}
	if strings.Contains(page, agencyWallet) {
		t.Error("the proposed move shows as done on the item page")
	}
	var entries struct {
		Data []struct{ Event string } `json:"data"`
	}
	decode(t, ts.do(access.RoleAuditor, http.MethodGet, "/v1/items/2/custody", ""), &entries)
	for _, e := range entries.Data {
		if e.Event == "moved_on_chain" {
			t.Fatal("the proposal recorded the move")
		}
	}
	queue := pageText(consoleAs(ts, access.RoleSupervisor).get("/approvals").Body.String())
	if !strings.Contains(queue, "moved_on_chain") {
		t.Errorf("the supervisor's queue does not show the move: %s", queue)
	}
}

// navHrefs are the menu entries a page draws.
func navHrefs(page string) []string {
	nav := page[strings.Index(page, "<nav"):]
	nav = nav[:strings.Index(nav, "</nav>")]
	var out []string
	for _, m := range regexp.MustCompile(`<li><a href="([^"]+)"`).FindAllStringSubmatch(nav, -1) {
		out = append(out, m[1])
	}
	return out
}

// The menu shows an entry only to a caller its page admits: an admin or an
// auditor limited to some circles sees no Users or Audit entry (the pages
// are HQ's), one of every circle does, and no entry shown answers 403.
func TestConsoleMenuShowsOnlyWhatTheCallerMayOpen(t *testing.T) {
	ts, f := consoleItemServer(t)
	lahore, err := access.CirclesScope("lahore")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		role  string
		scope access.Scope
		want  map[string]bool // entry → shown
	}{
		{access.RoleAdmin, access.AllCircles, map[string]bool{"/users": true, "/audit": true}},
		{access.RoleAdmin, lahore, map[string]bool{"/users": false, "/audit": false}},
		{access.RoleAuditor, access.AllCircles, map[string]bool{"/users": false, "/audit": true}},
		{access.RoleAuditor, lahore, map[string]bool{"/users": false, "/audit": false}},
		{access.RoleCustodian, lahore, map[string]bool{"/users": false, "/audit": false, "/seizures/new": true}},
	} {
		name := tc.role + " of " + tc.scope.String()
		t.Run(name, func(t *testing.T) {
			login := strings.ReplaceAll(tc.role+"-"+tc.scope.String(), " ", "")
			f.add(login, "pw-"+login, tc.role, tc.scope)
			b := newBrowser(ts)
			b.login(login, "pw-"+login)
			shown := navHrefs(b.get("/").Body.String())
			for href, want := range tc.want {
				if slices.Contains(shown, href) != want {
					t.Errorf("menu %v: %s shown = %v, want %v", shown, href, !want, want)
				}
			}
			for _, href := range shown {
				if rec := b.get(href); rec.Code != http.StatusOK {
					t.Errorf("the menu offers %s, which answers %d", href, rec.Code)
				}
			}
			for href, want := range tc.want {
				if rec := b.get(href); !want && rec.Code != http.StatusForbidden {
					t.Errorf("%s, not in the menu, answers %d", href, rec.Code)
				}
			}
		})
	}
}

// A wallet of several addresses and an item seized from someone other than
// the seizure's person, through the seizure form: the API's addresses[] and
// per-item seized_from, refused as the API refuses them.
func TestConsoleSeizureSeveralAddressesAndItemSeizedFrom(t *testing.T) {
	ts := formsTestServer(t)
	caseID := mustCreateCase(t, ts.testServer, "FIR 3/2025")
	const second, third = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"
	newForm := func() url.Values {
		page := ts.page(access.RoleCustodian, http.MethodGet, "/seizures/new", nil).Body.String()
		for _, name := range []string{"items[0].addresses", "items[0].seized_from.name"} {
			if !strings.Contains(page, `<label for="`+name+`">`) {
				t.Fatalf("the seizure form has no labelled %s", name)
			}
		}
		return twoItemForm(formKeyOf(t, page), caseID, "MA")
	}

	bad := newForm()
	bad.Set("items[1].addresses", second+"\r\nbc1qnotanaddress\n")
	before := snapshot(t, ts.store)
	rec := ts.page(access.RoleCustodian, http.MethodPost, "/seizures/new", bad)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("a bad second address: %d %s", rec.Code, rec.Body)
	}
	if got := fieldErrorsOf(t, rec.Body.String(), "items[1].addresses"); len(got) != 1 || !strings.Contains(got[0], "items[1].addresses[1]") {
		t.Errorf("the bad address's refusal: %q", got)
	}
	if !strings.Contains(rec.Body.String(), second+"\nbc1qnotanaddress</textarea>") {
		t.Error("the refused form lost the addresses typed")
	}
	if snapshot(t, ts.store) != before {
		t.Fatal("a refused seizure wrote")
	}

	good := newForm()
	good.Set("items[1].addresses", second+"\n\n"+third)
	good.Set("items[0].seized_from.name", "محمد عمران")
	good.Set("items[0].seized_from.nationality", "PK")
	rec = ts.page(access.RoleCustodian, http.MethodPost, "/seizures/new", good)
	if rec.Code != http.StatusSeeOther && rec.Code != http.StatusCreated {
		t.Fatalf("seizure: %d %s", rec.Code, rec.Body)
	}
	var items struct {
		Data []struct {
			Kind       string `json:"kind"`
			SeizedFrom struct {
				Name string `json:"name"`
			} `json:"seized_from"`
			Addresses []struct {
				Address string `json:"address"`
			} `json:"addresses"`
		} `json:"data"`
	}
	decode(t, ts.do(access.RoleAuditor, http.MethodGet, fmt.Sprintf("/v1/items?case_id=%d", caseID), ""), &items)
	if len(items.Data) != 2 {
		t.Fatalf("%d items", len(items.Data))
	}
	cash, wallet := items.Data[0], items.Data[1]
	if cash.SeizedFrom.Name != "محمد عمران" || wallet.SeizedFrom.Name != "Li Wei" {
		t.Errorf("seized from: cash %q, wallet %q", cash.SeizedFrom.Name, wallet.SeizedFrom.Name)
	}
	var addrs []string
	for _, a := range wallet.Addresses {
		addrs = append(addrs, a.Address)
	}
	if want := []string{"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", second, third}; !slices.Equal(addrs, want) {
		t.Errorf("wallet addresses %v, want %v", addrs, want)
	}
}
