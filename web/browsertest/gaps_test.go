package browsertest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

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
