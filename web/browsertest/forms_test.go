package browsertest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// byName is the CSS selector of the input named name: the forms' inputs
// are named, and identified, by the JSON path of their field
// ("items[1].address"), which an #id selector would have to escape.
func byName(name string) string { return fmt.Sprintf("[name=%q]", name) }

// typeInto types v into the input named name as a person does, key by key,
// so that the page's scripts see each input event.
func (tb *tab) typeInto(name, v string) {
	tb.t.Helper()
	tb.do("type into "+name, chromedp.Clear(chromedp.CSS(byName(name))), chromedp.SendKeys(chromedp.CSS(byName(name)), v))
}

// choose sets the select named name to value and tells the page's scripts,
// as a person's choice does.
func (tb *tab) choose(name, value string) {
	tb.t.Helper()
	js := fmt.Sprintf(`(() => { const s = document.querySelector(%q); s.value = %q; s.dispatchEvent(new Event("change", {bubbles: true})); return s.value })()`, byName(name), value)
	got, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](js))
	if err != nil || got != value {
		tb.t.Fatalf("choose %s = %s: got %q, %v", name, value, got, err)
	}
}

// waitFor waits until the JavaScript expression is true.
func (tb *tab) waitFor(what, expr string) {
	tb.t.Helper()
	if _, err := chromedp.Run(tb.ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		tb.t.Fatalf("wait for %s: %v", what, err)
	}
}

// addressCheck is what the inline check says under the address named name.
func (tb *tab) addressCheck(name string) string {
	tb.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.getElementById(%q).textContent`, name+"-check")))
	if err != nil {
		tb.t.Fatalf("the address check of %s: %v", name, err)
	}
	return s
}

// TestSeizureFormTwoItems registers a cash bag and a wallet through the
// seizure form: the second item is added with the page's button, its
// address is typed wrong, the inline check and then the submit refuse it
// next to the input with the rest of the form kept, and once corrected the
// seizure is registered whole.
func TestSeizureFormTwoItems(t *testing.T) {
	tb := login(t, "hq-custodian")
	if st := tb.open("/seizures/new"); st != http.StatusOK {
		t.Fatalf("the seizure form: %d", st)
	}
	axe(t)
	seal := fmt.Sprintf("BT-%d", time.Now().UnixNano()%1_000_000_000)
	caseID, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`(() => { const s = document.getElementById("case_id"); s.value = s.options[1].value; return s.value })()`))
	if err != nil || caseID == "" {
		t.Fatalf("no case to pick: %q %v", caseID, err)
	}
	tb.fill(map[string]string{
		byName("officer"):                           "Inspector Ayesha Khan",
		byName("location.building"):                 "House 12, Street 4, F-7/2",
		byName("seized_from.name"):                  "Li Wei",
		byName("memo_number"):                       "RM-" + seal,
		byName("witnesses[0].name"):                 "Bilal Ahmed",
		byName("witnesses[0].father_name"):          "Ahmed Ali",
		byName("witnesses[0].address"):              "House 3, G-9/1, Islamabad",
		byName("items[0].seal"):                     seal + "-1",
		byName("items[0].description"):              "envelope of banknotes",
		byName("items[0].amounts[0].currency"):      "USD",
		byName("items[0].amounts[0].amount"):        "100.00",
		byName("items[0].amounts[0].denominations"): "100x1",
	})
	// The wallet's fields are hidden, and not sent, while the item is cash.
	if !tb.has(`[data-item] .kind-wallet[hidden]`) {
		t.Error("a cash item shows the wallet's fields")
	}
	tb.do("add an item", chromedp.Click(chromedp.CSS(`button[data-add="items"]`)))
	tb.waitFor("the second item", fmt.Sprintf(`document.querySelector(%q) !== null`, byName("items[1].seal")))
	tb.choose("items[1].kind", "wallet")
	tb.choose("items[1].chain", "bitcoin")
	tb.fill(map[string]string{
		byName("items[1].seal"):                 seal + "-2",
		byName("items[1].description"):          "Trust Wallet on a phone",
		byName("items[1].holdings[0].currency"): "BTC",
		byName("items[1].holdings[0].amount"):   "0.01000000",
	})
	bad := "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5" // the last character mistyped
	tb.typeInto("items[1].address", bad)
	tb.waitFor("the inline refusal", `document.getElementById("items[1].address-check").textContent.startsWith("Not accepted")`)
	if msg := tb.addressCheck("items[1].address"); !strings.Contains(msg, "not a valid bitcoin mainnet address") {
		t.Errorf("inline check reads %q", msg)
	}
	screenshot(t, "seizure-inline-refusal")

	// Submitted as it is, the whole seizure is refused, the reason under
	// the address, every other field kept.
	tb.submit("#seizure-form button[type=submit]")
	if msg := tb.text(`[id="items[1].address-err"]`); !strings.Contains(msg, "not a valid bitcoin mainnet address") {
		t.Fatalf("the refusal next to the address reads %q", msg)
	}
	if got := tb.value(byName("items[1].seal")); got != seal+"-2" {
		t.Errorf("the second item's seal came back as %q", got)
	}
	if got := tb.value(byName("witnesses[0].father_name")); got != "Ahmed Ali" {
		t.Errorf("the witness's father's name came back as %q", got)
	}
	screenshot(t, "seizure-refused")
	axe(t)

	tb.typeInto("items[1].address", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")
	tb.waitFor("the inline acceptance", `document.getElementById("items[1].address-check").textContent.startsWith("Valid address")`)
	tb.submit("#seizure-form button[type=submit]")
	if h := tb.text("h1"); h != "Seizure registered" {
		t.Fatalf("after the corrected submit: %q: %s", h, tb.text("main"))
	}
	body := tb.text("main")
	for _, want := range []string{seal + "-1", seal + "-2", "2 item(s) under case " + caseID} {
		if !strings.Contains(body, want) {
			t.Errorf("the receipt does not read %q: %s", want, body)
		}
	}
	screenshot(t, "seizure-registered")
	axe(t)
}

// value is the current value of the input sel matches.
func (tb *tab) value(sel string) string {
	tb.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).value`, sel)))
	if err != nil {
		tb.t.Fatalf("value of %s: %v", sel, err)
	}
	return s
}

// TestRateChangesValuation enters a USD rate on the rates page and sees the
// valuation's total change.
func TestRateChangesValuation(t *testing.T) {
	tb := login(t, "hq-finance")
	tb.open("/valuation?group_by=currency")
	before := tb.text("#total-pkr")
	tb.open("/rates")
	today := time.Now().UTC().Format(time.DateOnly)
	rate := fmt.Sprintf("%d.4321", 300+time.Now().Unix()%50)
	tb.fill(map[string]string{"#currency": "USD", "#rate": rate, "#effective": today, "#source": "sbp-interbank"})
	tb.submit(`form[action="/rates"] button[type=submit]`)
	if msg := tb.text(".notice.ok"); !strings.Contains(msg, "1 USD = "+rate+" PKR") {
		t.Fatalf("after entering the rate: %q", msg)
	}
	if !strings.Contains(tb.text("#rates-in-force"), rate) {
		t.Errorf("the rate is not listed in force")
	}
	if !tb.has(`figure.chart svg[role=img]`) {
		t.Errorf("no rate chart")
	}
	screenshot(t, "rate-entered")
	tb.open("/valuation?group_by=currency")
	after := tb.text("#total-pkr")
	if after == before {
		t.Fatalf("the valuation's total did not change with the new USD rate: %q", after)
	}
	if !strings.Contains(tb.text("#valuation"), rate) {
		t.Errorf("the valuation does not use the new rate %s", rate)
	}
	screenshot(t, "valuation-after-rate")
}

// TestFormsPagesPassAxe opens each page of the forms as a user who may see
// it: no serious or critical accessibility violation, a screenshot each, on
// a desktop and on a phone.
func TestFormsPagesPassAxe(t *testing.T) {
	pages := []struct{ user, path string }{
		{"hq-custodian", "/seizures/new"},
		{"hq-finance", "/rates"},
		{"hq-finance", "/valuation?group_by=case"},
		{"hq-finance", "/valuation?group_by=location"},
		{"hq-finance", "/reconciliations"},
		{"hq-auditor", "/verify"},
		{"hq-admin", "/users"},
		{"hq-auditor", "/audit"},
	}
	for _, p := range pages {
		t.Run(strings.NewReplacer("/", "_", "?", "_", "=", "_").Replace(p.path), func(t *testing.T) {
			tb := login(t, p.user)
			if st := tb.open(p.path); st != http.StatusOK {
				t.Fatalf("%s as %s: %d", p.path, p.user, st)
			}
			axe(t)
			screenshot(t, "desktop")
			tb.do("phone", chromedp.EmulateViewport(390, 844))
			tb.open(p.path)
			axe(t)
			screenshot(t, "phone")
		})
	}
}
