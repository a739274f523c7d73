package browsertest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestNamesInAnyScript registers, through the seizure form, three items
// seized from people whose names are written in Urdu, Chinese and
// Vietnamese (the seizure's person and two items' own), and reads each
// name back from its item page's DOM exactly as it was typed, the Urdu
// one in an element that sets its own direction.
func TestNamesInAnyScript(t *testing.T) {
	names := []string{"محمد عمران", "张伟", "Nguyễn Thị Thu Hà"}
	tb := login(t, "hq-custodian")
	if st := tb.open("/seizures/new"); st != http.StatusOK {
		t.Fatalf("the seizure form: %d", st)
	}
	seal := fmt.Sprintf("SC-%d", time.Now().UnixNano()%1_000_000_000)
	if _, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`(() => { const s = document.getElementById("case_id"); s.value = s.options[1].value; return s.value })()`)); err != nil {
		t.Fatalf("pick a case: %v", err)
	}
	for i := 1; i < len(names); i++ {
		tb.do("add an item", chromedp.Click(chromedp.CSS(`button[data-add="items"]`)))
		tb.waitFor("item "+fmt.Sprint(i), fmt.Sprintf(`document.querySelector(%q) !== null`, byName(fmt.Sprintf("items[%d].seal", i))))
	}
	fields := map[string]string{
		byName("officer"):                   "Inspector Ayesha Khan",
		byName("location.building"):         "House 12, Street 4, F-7/2",
		byName("seized_from.name"):          names[0],
		byName("memo_number"):               "RM-" + seal,
		byName("witnesses[0].name"):         "Bilal Ahmed",
		byName("witnesses[0].father_name"):  "Ahmed Ali",
		byName("witnesses[0].address"):      "House 3, G-9/1, Islamabad",
		byName("items[1].seized_from.name"): names[1],
		byName("items[2].seized_from.name"): names[2],
	}
	for i := range names {
		p := fmt.Sprintf("items[%d].", i)
		fields[byName(p+"seal")] = fmt.Sprintf("%s-%d", seal, i+1)
		fields[byName(p+"description")] = "envelope of banknotes"
		fields[byName(p+"amounts[0].currency")] = "USD"
		fields[byName(p+"amounts[0].amount")] = "10.00"
	}
	tb.fill(fields)
	tb.submit("#seizure-form button[type=submit]")
	if h := tb.text("h1"); h != "Seizure registered" {
		t.Fatalf("the seizure: %q: %s", h, tb.text("main"))
	}
	ids, err := chromedp.Run(tb.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("main table tbody tr td:first-child")].map(td => td.textContent.trim())`))
	if err != nil || len(ids) != len(names) {
		t.Fatalf("the registered items: %v %v", ids, err)
	}
	for i, id := range ids {
		if st := tb.open("/items/" + id); st != http.StatusOK {
			t.Fatalf("item %s: %d", id, st)
		}
		tb.waitFor("the item page", `document.getElementById("seized-from") !== null`)
		got, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`document.getElementById("seized-from").textContent`))
		if err != nil || got != names[i] {
			t.Errorf("item %s: seized from %q in the DOM, typed %q (%v)", id, got, names[i], err)
		}
		dir, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`document.getElementById("seized-from").getAttribute("dir") || ""`))
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 && dir != "auto" && dir != "rtl" {
			t.Errorf("the Urdu name's element has dir=%q", dir)
		}
		if i == 0 {
			// The browser's own reading of its direction: right to left.
			rtl, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](`document.getElementById("seized-from").matches(":dir(rtl)")`))
			if err != nil || !rtl {
				t.Errorf("the Urdu name is not laid out right to left (%v)", err)
			}
		}
		screenshot(t, "item-"+fmt.Sprint(i))
	}
	if !strings.Contains(tb.text("main"), names[2]) {
		t.Error("the Vietnamese name is not in the page's text")
	}
}

// TestSessionIdleExpirySendsToLogin signs in to a demo whose sessions end
// after a few seconds without use, opens an item's transfer form, and once
// the server says the session has ended submits it: the browser lands on
// the login page, which says the session ended, and nothing is recorded.
func TestSessionIdleExpirySendsToLogin(t *testing.T) {
	srv := serveDemo(t, "--session-idle", "6s")
	item, entries := inCustodyItem(t, srv)
	tb := newTab(t)
	tb.base = srv.url
	tb.signIn("hq-custodian", srv.env["HQ_CUSTODIAN_PASSWORD"])
	if p := tb.path(); strings.HasPrefix(p, "/login") {
		t.Fatalf("sign in: still on %s: %s", p, tb.text("main"))
	}
	if st := tb.open(fmt.Sprintf("/items/%d", item)); st != http.StatusOK || !tb.has("#form-transferred") {
		t.Fatalf("item %d: %d, or no transfer form", item, st)
	}
	waitSessionEnded(t, tb)
	tb.fill(map[string]string{"#transferred-to": "SI Kamran"})
	tb.submit("#form-transferred button[type=submit]")
	if p := tb.path(); !strings.HasPrefix(p, "/login") {
		t.Fatalf("the form of an ended session went on to %s", p)
	}
	if msg := tb.text(".flash"); !strings.Contains(msg, "Your session has ended. Sign in again.") {
		t.Errorf("the login page says %q", msg)
	}
	screenshot(t, "session-ended")
	if _, n := itemEntries(t, srv, item); n != entries {
		t.Fatalf("item %d has %d custody entries after the ended session's form, %d before", item, n, entries)
	}
}

// waitSessionEnded polls the server, with the tab's session cookie, until
// it answers a page with the way to the login page: the session is no
// longer live. The browser's own cookie is left as it is.
func waitSessionEnded(t *testing.T, tb *tab) {
	t.Helper()
	res, err := chromedp.Call(tb.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{tb.base}})
	if err != nil {
		t.Fatal(err)
	}
	var session string
	for _, c := range res.Cookies {
		if c.Name == "amanat_session" {
			session = c.Value
		}
	}
	if session == "" {
		t.Fatal("the tab has no session cookie")
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	deadline := time.Now().Add(30 * time.Second)
	for {
		req, _ := http.NewRequest(http.MethodGet, tb.base+"/cases", nil)
		req.AddCookie(&http.Cookie{Name: "amanat_session", Value: session})
		r, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode == http.StatusSeeOther && strings.HasPrefix(r.Header.Get("Location"), "/login") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the session is still live after 30s: %d", r.StatusCode)
		}
		time.Sleep(200 * time.Millisecond) // the poll's interval
	}
}

// inCustodyItem is an item of srv's demo that is in custody, and how many
// custody entries it has.
func inCustodyItem(t *testing.T, srv server) (uint64, int) {
	t.Helper()
	var list struct {
		Data []struct {
			ID     uint64 `json:"id"`
			Status string `json:"status"`
		} `json:"data"`
	}
	srvAPI(t, srv, "/v1/items?status=in_custody", &list)
	if len(list.Data) == 0 {
		t.Fatal("the demo has no item in custody")
	}
	id := list.Data[0].ID
	_, n := itemEntries(t, srv, id)
	return id, n
}

// itemEntries is item's custody entries' count, read through the API.
func itemEntries(t *testing.T, srv server, item uint64) (uint64, int) {
	t.Helper()
	var v struct {
		CustodyEntries int `json:"custody_entries"`
	}
	srvAPI(t, srv, fmt.Sprintf("/v1/items/%d", item), &v)
	return item, v.CustodyEntries
}

// srvAPI GETs path of srv with its demo auditor's token into out.
func srvAPI(t *testing.T, srv server, path string, out any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+srv.env["HQ_AUDITOR_TOKEN"])
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", path, r.StatusCode)
	}
	if err := json.NewDecoder(r.Body).Decode(out); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

// TestOnChainMoveIsProposed proposes an on-chain move of a wallet through
// its item page: a mistyped transaction id is refused next to its field,
// then the move is proposed (the two-person rule), shown as the approval
// it is, and nothing is recorded until a supervisor approves.
func TestOnChainMoveIsProposed(t *testing.T) {
	var it demoItem
	for _, c := range demoItems(t) {
		if c.Kind == "wallet" && c.Status == "in_custody" && !freeItems[c.ID] {
			it = c
			freeItems[c.ID] = true
			break
		}
	}
	if it.ID == 0 {
		t.Fatal("the demo has no free wallet in custody")
	}
	entries := func() int {
		_, body := api(t, "hq-auditor", http.MethodGet, fmt.Sprintf("/v1/items/%d", it.ID), "")
		var v struct {
			CustodyEntries int `json:"custody_entries"`
		}
		json.Unmarshal(body, &v)
		return v.CustodyEntries
	}
	before := entries()
	tb := login(t, "hq-custodian")
	tb.open(fmt.Sprintf("/items/%d", it.ID))
	if !tb.has("#form-moved_on_chain") {
		t.Fatalf("wallet %d in custody offers no on-chain move", it.ID)
	}
	axe(t)
	const wallet = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
	tb.fill(map[string]string{"#moved_on_chain-wallet": wallet, "#moved_on_chain-network": "bitcoin:mainnet",
		"#moved_on_chain-txid": "not-a-txid", "#moved_on_chain-remarks": "sweep to the agency wallet"})
	tb.submit("#form-moved_on_chain button[type=submit]")
	if msg := tb.text("#form-moved_on_chain #moved_on_chain-txid + .field-error"); !strings.Contains(msg, "64 hex digits") {
		t.Fatalf("the mistyped txid's refusal reads %q", msg)
	}
	if got := tb.value("#moved_on_chain-wallet"); got != wallet {
		t.Errorf("the refused form's address came back as %q", got)
	}
	screenshot(t, "refused")
	tb.fill(map[string]string{"#moved_on_chain-txid": strings.Repeat("ab", 32)})
	tb.submit("#form-moved_on_chain button[type=submit]")
	if msg := tb.text(".flash"); !strings.Contains(msg, "Proposed: moved_on_chain, as approval") {
		t.Fatalf("after the proposal: %q", msg)
	}
	screenshot(t, "proposed")
	if n := entries(); n != before {
		t.Fatalf("the proposal recorded something: %d custody entries, %d before", n, before)
	}
}

// TestSeizureWalletOfSeveralAddresses registers a wallet of three
// addresses through the seizure form (the first in its own field, two more
// one a line) and reads them back through the API in that order.
func TestSeizureWalletOfSeveralAddresses(t *testing.T) {
	tb := login(t, "hq-custodian")
	if st := tb.open("/seizures/new"); st != http.StatusOK {
		t.Fatalf("the seizure form: %d", st)
	}
	seal := fmt.Sprintf("WA-%d", time.Now().UnixNano()%1_000_000_000)
	if _, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`(() => { const s = document.getElementById("case_id"); s.value = s.options[1].value; return s.value })()`)); err != nil {
		t.Fatalf("pick a case: %v", err)
	}
	tb.choose("items[0].kind", "wallet")
	tb.choose("items[0].chain", "bitcoin")
	addrs := []string{"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"}
	tb.fill(map[string]string{
		byName("officer"):                       "Inspector Ayesha Khan",
		byName("location.building"):             "House 12, Street 4, F-7/2",
		byName("seized_from.name"):              "Li Wei",
		byName("memo_number"):                   "RM-" + seal,
		byName("witnesses[0].name"):             "Bilal Ahmed",
		byName("witnesses[0].father_name"):      "Ahmed Ali",
		byName("witnesses[0].address"):          "House 3, G-9/1, Islamabad",
		byName("items[0].seal"):                 seal,
		byName("items[0].description"):          "Trust Wallet on a phone",
		byName("items[0].address"):              addrs[0],
		byName("items[0].addresses"):            addrs[1] + "\n" + addrs[2],
		byName("items[0].holdings[0].currency"): "BTC",
		byName("items[0].holdings[0].amount"):   "0.01000000",
	})
	tb.submit("#seizure-form button[type=submit]")
	if h := tb.text("h1"); h != "Seizure registered" {
		t.Fatalf("the seizure: %q: %s", h, tb.text("main"))
	}
	id, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`document.querySelector("main table tbody tr td").textContent.trim()`))
	if err != nil {
		t.Fatal(err)
	}
	_, body := api(t, "hq-auditor", http.MethodGet, "/v1/items/"+id, "")
	var item struct {
		Addresses []struct{ Address string } `json:"addresses"`
	}
	if err := json.Unmarshal(body, &item); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range item.Addresses {
		got = append(got, a.Address)
	}
	if strings.Join(got, " ") != strings.Join(addrs, " ") {
		t.Errorf("wallet %s has addresses %v, typed %v", id, got, addrs)
	}
	screenshot(t, "registered")
}
