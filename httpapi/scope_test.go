package httpapi

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/ledger"
)

// scoped gives ts a token of role limited to circles and returns the key
// ts.do takes for it ("role@circle,circle").
func (ts *testServer) scoped(role string, circles ...string) string {
	ts.t.Helper()
	scope, err := access.CirclesScope(circles...)
	if err != nil {
		ts.t.Fatal(err)
	}
	key := role + "@" + strings.Join(circles, ",")
	tokens, err := access.NewTokens(ts.store)
	if err != nil {
		ts.t.Fatal(err)
	}
	err = ts.store.Write(ts.t.Context(), func(tx *ledger.Tx) error {
		tok, _, err := tokens.CreateIn(tx, role, "test-"+role+"-"+strings.Join(circles, "-"), "test", scope)
		ts.tokens[key] = tok
		return err
	})
	if err != nil {
		ts.t.Fatal(err)
	}
	return key
}

// circleFixture is two circles' cases, each with one seizure of a cash bag
// and a wallet, on a server with valuation and rates.
type circleFixture struct {
	ts *testServer
	// cases and items of each circle: items[c][0] is the cash bag,
	// items[c][1] the wallet.
	cases map[string]uint64
	items map[string][]uint64
}

var testCircles = []string{"karachi", "lahore"}

func newCircleFixture(t *testing.T) *circleFixture {
	t.Helper()
	ts, _ := newFinanceServer(t)
	f := &circleFixture{ts: ts, cases: map[string]uint64{}, items: map[string][]uint64{}}
	for i, circle := range testCircles {
		rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/cases", fmt.Sprintf(`{"fir":"%d/2025","circle":%q,"title":"Call centre"}`, i+1, circle))
		if rec.Code != http.StatusCreated {
			t.Fatalf("case: %d %s", rec.Code, rec.Body)
		}
		var cs struct{ ID uint64 }
		decode(t, rec, &cs)
		f.cases[circle] = cs.ID
		body := seizureBody(cs.ID, strings.ToUpper(circle[:3]))
		if i == 1 { // unequal amounts, so that a sum cannot come out right by accident
			body = strings.Replace(body, `"1500.00","denominations":[{"value":"100","count":15}]`, `"700.00","denominations":[{"value":"100","count":7}]`, 1)
		}
		rec = ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", body)
		if rec.Code != http.StatusCreated {
			t.Fatalf("seizure: %d %s", rec.Code, rec.Body)
		}
		var r receipt
		decode(t, rec, &r)
		f.items[circle] = r.ItemIDs
	}
	for _, rate := range []string{
		`{"currency":"USD","rate":"278.65","effective":"2025-06-02","source":"sbp-interbank"}`,
		`{"currency":"VND","rate":"0.0107","effective":"2025-06-02","source":"sbp-interbank"}`,
		`{"currency":"BTC","rate":"29500000","effective":"2025-06-02","source":"exchange-close"}`,
	} {
		if rec := ts.do(access.RoleFinance, http.MethodPost, "/v1/rates", rate); rec.Code != http.StatusCreated {
			t.Fatalf("rate: %d %s", rec.Code, rec.Body)
		}
	}
	return f
}

// ids reads the ids of a list answer.
func ids(t *testing.T, ts *testServer, who, path string) []uint64 {
	t.Helper()
	rec := ts.do(who, http.MethodGet, path, "")
	if rec.Code != http.StatusOK {
		t.Fatalf("%s GET %s: %d %s", who, path, rec.Code, rec.Body)
	}
	var list struct {
		Data []struct {
			ID     uint64 `json:"id"`
			ItemID uint64 `json:"item_id"`
		} `json:"data"`
	}
	decode(t, rec, &list)
	var out []uint64
	for _, d := range list.Data {
		out = append(out, max(d.ID, d.ItemID))
	}
	return out
}

// wantHidden checks that who is answered for path (a format with one %d)
// with id as for a thing that does not exist: 404 with the detail the same
// path with id 999999 gets, the id aside.
func wantHidden(t *testing.T, ts *testServer, who, method, path string, id uint64) {
	t.Helper()
	p := wantProblem(t, ts.do(who, method, fmt.Sprintf(path, id), ""), http.StatusNotFound, "")
	q := wantProblem(t, ts.do(who, method, fmt.Sprintf(path, 999999), ""), http.StatusNotFound, "")
	if strings.Replace(p.Detail, fmt.Sprint(id), "999999", 1) != q.Detail || p.Title != q.Title || p.Type != q.Type {
		t.Fatalf("%s %s: %q, but a missing one is %q", method, path, p.Detail, q.Detail)
	}
}

// TestScopedReadsSeeOnlyTheirCircle: a user of one circle sees its cases,
// items, custody, bundles, entries, orders, search hits, register rows and
// alerts, and for the other circle's is answered as for ids that do not
// exist.
func TestScopedReadsSeeOnlyTheirCircle(t *testing.T) {
	f := newCircleFixture(t)
	ts := f.ts
	k := ts.scoped(access.RoleInvestigator, "karachi")
	mine, theirs := f.items["karachi"], f.items["lahore"]

	if got := ids(t, ts, k, "/v1/cases"); !slices.Equal(got, []uint64{f.cases["karachi"]}) {
		t.Fatalf("cases %v", got)
	}
	if got := ids(t, ts, k, "/v1/items"); !slices.Equal(got, mine) {
		t.Fatalf("items %v, want %v", got, mine)
	}
	if got := ids(t, ts, k, fmt.Sprintf("/v1/items?case_id=%d", f.cases["lahore"])); len(got) != 0 {
		t.Fatalf("items of the other circle's case %v", got)
	}
	if got := ids(t, ts, k, "/v1/register"); !slices.Equal(got, mine) {
		t.Fatalf("register rows %v", got)
	}
	hits := func(who string) (out []string) {
		var list struct {
			Data []struct {
				Kind string `json:"kind"`
				ID   uint64 `json:"id"`
			} `json:"data"`
		}
		decode(t, ts.do(who, http.MethodGet, "/v1/search?q=li+wei", ""), &list)
		for _, h := range list.Data {
			out = append(out, fmt.Sprintf("%s %d", h.Kind, h.ID))
		}
		return out
	}
	if got, want := hits(k), []string{fmt.Sprintf("item %d", mine[0]), fmt.Sprintf("item %d", mine[1])}; !slices.Equal(got, want) {
		t.Fatalf("search hits %v, want %v", got, want)
	}
	if got := hits(access.RoleInvestigator); len(got) != 4 {
		t.Fatalf("HQ search hits %v", got)
	}
	for _, path := range []string{"/v1/cases/%d"} {
		wantHidden(t, ts, k, http.MethodGet, path, f.cases["lahore"])
	}
	for _, path := range []string{"/v1/items/%d", "/v1/items/%d/custody", "/v1/items/%d/custody/bundle"} {
		wantHidden(t, ts, k, http.MethodGet, path, theirs[0])
		if rec := ts.do(k, http.MethodGet, fmt.Sprintf(path, mine[0]), ""); rec.Code != http.StatusOK {
			t.Fatalf("own %s: %d %s", path, rec.Code, rec.Body)
		}
	}
	// The custody entries of the other circle's items, by their number.
	var entries struct {
		Data []struct{ Seq uint64 } `json:"data"`
	}
	decode(t, ts.do(access.RoleInvestigator, http.MethodGet, fmt.Sprintf("/v1/items/%d/custody", theirs[0]), ""), &entries)
	seq := entries.Data[0].Seq
	wantHidden(t, ts, k, http.MethodGet, "/v1/custody/entries/%d", seq)
	wantHidden(t, ts, k, http.MethodGet, "/v1/custody/entries/%d/proof", seq)

	// A case read shows only what the circle holds.
	rec := ts.do(k, http.MethodGet, fmt.Sprintf("/v1/cases/%d", f.cases["karachi"]), "")
	if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "LAH-") {
		t.Fatalf("own case: %d %s", rec.Code, rec.Body)
	}
}

// TestScopedWritesStayInTheirCircle: a custodian of one circle cannot open
// a case in another, seize into another's case, record custody on, propose
// the release of, count or order another's item; each refusal writes
// nothing.
func TestScopedWritesStayInTheirCircle(t *testing.T) {
	f := newCircleFixture(t)
	ts := f.ts
	kc, kf := ts.scoped(access.RoleCustodian, "karachi"), ts.scoped(access.RoleFinance, "karachi")
	theirs := f.items["lahore"]
	at := time.Now().UTC().Add(-30 * time.Minute).Format(time.RFC3339)
	before := snapshot(t, ts.store)

	wantProblem(t, ts.do(kc, http.MethodPost, "/v1/cases", `{"fir":"9/2025","circle":"lahore","title":"Call centre"}`), http.StatusForbidden, "circle")
	wantProblem(t, ts.do(kc, http.MethodPost, "/v1/seizures", seizureBody(f.cases["lahore"], "NEW")), http.StatusUnprocessableEntity, "case_id")
	transfer := fmt.Sprintf(`{"event":"transferred","at":%q,"from":"Inspector Ayesha Khan","to":"Malkhana In-charge Asif"}`, at)
	p := wantProblem(t, ts.do(kc, http.MethodPost, fmt.Sprintf("/v1/items/%d/custody", theirs[0]), transfer), http.StatusNotFound, "")
	if p.Detail != fmt.Sprintf("item %d not found", theirs[0]) {
		t.Fatalf("custody on the other circle's item: %q", p.Detail)
	}
	sweep := fmt.Sprintf(`{"event":"moved_on_chain","at":%q,"location":{"wallet":"bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq","network":"bitcoin:mainnet","txid":"%s"}}`, at, strings.Repeat("0f", 32))
	wantProblem(t, ts.do(kc, http.MethodPost, fmt.Sprintf("/v1/items/%d/custody", theirs[1]), sweep), http.StatusNotFound, "")
	count := fmt.Sprintf(`{"item_id":"%d","date":%q,"method":"count","counts":[{"currency":"USD","amount":"1.00"}],"explanation":"short"}`, theirs[0], time.Now().UTC().Format(time.DateOnly))
	wantProblem(t, ts.do(kf, http.MethodPost, "/v1/reconciliations", count), http.StatusUnprocessableEntity, "item_id")
	wantProblem(t, ts.do(kf, http.MethodPost, "/v1/reconciliations", fmt.Sprintf(`{"location":"lahore/House 12, Street 4, F-7/2","date":%q,"method":"count","counts":[{"currency":"USD","amount":"1.00"}]}`, time.Now().UTC().Format(time.DateOnly))), http.StatusForbidden, "location")
	order := orderBody("disposal", time.Now().UTC().Format(time.DateOnly), fmt.Sprintf("[%d]", theirs[0]), "")
	wantProblem(t, ts.do(kc, http.MethodPost, "/v1/court-orders", order), http.StatusUnprocessableEntity, "items[0]")
	conv := fmt.Sprintf(`{"item_id":"%d","executed_at":%q,"sold":[{"currency":"BTC","amount":"0.12345678"}],"proceeds":{"currency":"PKR","amount":"3000000.00"},"venue":"exchange"}`, theirs[1], at)
	if rec := ts.do(kf, http.MethodPost, "/v1/conversions", conv); rec.Code < 400 || rec.Code == http.StatusForbidden {
		t.Fatalf("conversion of the other circle's item: %d %s", rec.Code, rec.Body)
	}
	// Nor may it put its own item out of its circle's sight by naming
	// another circle's place in anything but a transfer.
	for _, event := range []string{
		fmt.Sprintf(`{"event":"stored","at":%q,"location":{"circle":"lahore","building":"FIA Lahore"}}`, at),
		fmt.Sprintf(`{"event":"checked_out","at":%q,"from":"Inspector Ayesha Khan","to":"Examiner Raza","purpose":"count","location":{"circle":"lahore","building":"lab"}}`, at),
	} {
		wantProblem(t, ts.do(kc, http.MethodPost, fmt.Sprintf("/v1/items/%d/custody", f.items["karachi"][0]), event), http.StatusUnprocessableEntity, "location.circle")
	}
	if snapshot(t, ts.store) != before {
		t.Fatal("a refused write wrote something")
	}
	// The same writes in its own circle pass.
	if rec := ts.do(kc, http.MethodPost, "/v1/cases", `{"fir":"9/2025","circle":"karachi","title":"Call centre"}`); rec.Code != http.StatusCreated {
		t.Fatalf("own case: %d %s", rec.Code, rec.Body)
	}
	if rec := ts.do(kc, http.MethodPost, fmt.Sprintf("/v1/items/%d/custody", f.items["karachi"][0]), transfer); rec.Code != http.StatusCreated {
		t.Fatalf("own custody: %d %s", rec.Code, rec.Body)
	}
}

// TestScopedSupervisorDecidesOnlyItsCircle: a supervisor sees and decides
// only the proposals about items of its circles.
func TestScopedSupervisorDecidesOnlyItsCircle(t *testing.T) {
	f := newCircleFixture(t)
	ts := f.ts
	ts.twoStep = true
	kc := ts.scoped(access.RoleCustodian, "karachi")
	ks, ls := ts.scoped(access.RoleSupervisor, "karachi"), ts.scoped(access.RoleSupervisor, "lahore")
	at := time.Now().UTC().Add(-30 * time.Minute).Format(time.RFC3339)
	sweep := fmt.Sprintf(`{"event":"moved_on_chain","at":%q,"location":{"wallet":"bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq","network":"bitcoin:mainnet","txid":"%s"}}`, at, strings.Repeat("0f", 32))
	rec := ts.do(kc, http.MethodPost, fmt.Sprintf("/v1/items/%d/custody", f.items["karachi"][1]), sweep)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("proposal: %d %s", rec.Code, rec.Body)
	}
	var a approvalJSON
	decode(t, rec, &a)
	if got := ids(t, ts, ls, "/v1/approvals?status=pending"); len(got) != 0 {
		t.Fatalf("the other circle's supervisor sees %v", got)
	}
	wantHidden(t, ts, ls, http.MethodGet, "/v1/approvals/%d", a.ApprovalID)
	before := snapshot(t, ts.store)
	wantHidden(t, ts, ls, http.MethodPost, "/v1/approvals/%d/approve", a.ApprovalID)
	wantProblem(t, ts.do(ls, http.MethodPost, fmt.Sprintf("/v1/approvals/%d/reject", a.ApprovalID), `{"reason":"no"}`), http.StatusNotFound, "")
	if snapshot(t, ts.store) != before {
		t.Fatal("a refused decision wrote something")
	}
	if got := ids(t, ts, ks, "/v1/approvals?status=pending"); len(got) != 1 {
		t.Fatalf("its own supervisor sees %v", got)
	}
	if rec := ts.do(ks, http.MethodPost, fmt.Sprintf("/v1/approvals/%d/approve", a.ApprovalID), ""); rec.Code != http.StatusCreated {
		t.Fatalf("approve: %d %s", rec.Code, rec.Body)
	}
}

// TestInterCircleTransfer: a transfer to another circle's malkhana shows the
// item to the receiving circle from the transfer on, so its custodian can
// receive it; on receipt the item is the receiving circle's, and the
// sending circle no longer sees it.
func TestInterCircleTransfer(t *testing.T) {
	f := newCircleFixture(t)
	ts := f.ts
	kc, lc := ts.scoped(access.RoleCustodian, "karachi"), ts.scoped(access.RoleCustodian, "lahore")
	item := f.items["karachi"][0]
	path := fmt.Sprintf("/v1/items/%d", item)
	hidden := func(who, suffix string) {
		t.Helper()
		wantHidden(t, ts, who, http.MethodGet, "/v1/items/%d"+suffix, item)
	}
	at := func(min int) string {
		return time.Now().UTC().Add(time.Duration(min-50) * time.Minute).Format(time.RFC3339)
	}

	hidden(lc, "")
	rec := ts.do(kc, http.MethodPost, path+"/custody", fmt.Sprintf(`{"event":"transferred","at":%q,"from":"Inspector Ayesha Khan","to":"Malkhana In-charge Bilal",
		"location":{"circle":"lahore","building":"FIA Lahore","room":"malkhana"},"purpose":"to the Lahore malkhana"}`, at(1)))
	if rec.Code != http.StatusCreated {
		t.Fatalf("transfer: %d %s", rec.Code, rec.Body)
	}
	for _, who := range []string{kc, lc} {
		if rec := ts.do(who, http.MethodGet, path, ""); rec.Code != http.StatusOK {
			t.Fatalf("%s while in transit: %d %s", who, rec.Code, rec.Body)
		}
	}
	if got := ids(t, ts, lc, "/v1/items"); !slices.Contains(got, item) {
		t.Fatalf("the receiving circle's list %v", got)
	}
	// The sending circle cannot receive it for Lahore, with or without
	// naming the place.
	before := snapshot(t, ts.store)
	wantProblem(t, ts.do(kc, http.MethodPost, path+"/custody", fmt.Sprintf(`{"event":"received","at":%q}`, at(2))), http.StatusUnprocessableEntity, "event")
	wantProblem(t, ts.do(kc, http.MethodPost, path+"/custody", fmt.Sprintf(`{"event":"received","at":%q,"location":{"circle":"lahore","building":"FIA Lahore"}}`, at(2))), http.StatusUnprocessableEntity, "location.circle")
	if snapshot(t, ts.store) != before {
		t.Fatal("a refused receipt wrote something")
	}
	rec = ts.do(lc, http.MethodPost, path+"/custody", fmt.Sprintf(`{"event":"received","at":%q,"condition":"seal intact"}`, at(2)))
	if rec.Code != http.StatusCreated {
		t.Fatalf("receipt: %d %s", rec.Code, rec.Body)
	}
	hidden(kc, "")
	hidden(kc, "/custody")
	if got := ids(t, ts, kc, "/v1/items"); slices.Contains(got, item) {
		t.Fatalf("the sending circle still lists it: %v", got)
	}
	if got := ids(t, ts, lc, "/v1/register"); !slices.Contains(got, item) {
		t.Fatalf("the receiving circle's register %v", got)
	}
	// The receiving circle keeps it, and its whole history; the case
	// stays the sending circle's.
	var entries struct {
		Data []struct{ Event string } `json:"data"`
	}
	decode(t, ts.do(lc, http.MethodGet, path+"/custody", ""), &entries)
	if len(entries.Data) != 3 || entries.Data[0].Event != "seized" {
		t.Fatalf("history the receiving circle sees: %+v", entries.Data)
	}
	wantHidden(t, ts, lc, http.MethodGet, "/v1/cases/%d", f.cases["karachi"])
	if rec := ts.do(lc, http.MethodPost, path+"/custody", fmt.Sprintf(`{"event":"stored","at":%q,"location":{"circle":"lahore","building":"FIA Lahore","room":"safe 1"}}`, at(3))); rec.Code != http.StatusCreated {
		t.Fatalf("store after receipt: %d %s", rec.Code, rec.Body)
	}
	// HQ's valuation by circle counts it in Lahore now.
	type row struct{ Circle, Currency, Amount string }
	var v struct{ Rows []row }
	decode(t, ts.do(access.RoleFinance, http.MethodGet, "/v1/valuation?group_by=circle", ""), &v)
	if !slices.Contains(v.Rows, row{"lahore", "USD", "2200.00"}) || slices.ContainsFunc(v.Rows, func(r row) bool { return r.Circle == "karachi" && r.Currency == "USD" }) {
		t.Fatalf("valuation by circle %+v", v.Rows)
	}
}

// TestScopedTotalsAddUp: for a user of each circle and one of every circle,
// every total is computed over what the user sees: the circles' totals
// add up to HQ's, and each differs from it.
func TestScopedTotalsAddUp(t *testing.T) {
	f := newCircleFixture(t)
	ts := f.ts
	users := map[string]string{}
	for _, c := range testCircles {
		users[c] = ts.scoped(access.RoleFinance, c)
	}
	// One item travels from Karachi to Lahore: both see it, but it counts
	// in Karachi's totals alone until Lahore receives it.
	travelling := fmt.Sprintf(`{"event":"transferred","at":%q,"from":"Inspector Ayesha Khan","to":"Malkhana In-charge Bilal","location":{"circle":"lahore","building":"FIA Lahore"}}`,
		time.Now().UTC().Add(-30*time.Minute).Format(time.RFC3339))
	if rec := ts.do(ts.scoped(access.RoleCustodian, "karachi"), http.MethodPost, fmt.Sprintf("/v1/items/%d/custody", f.items["karachi"][0]), travelling); rec.Code != http.StatusCreated {
		t.Fatalf("transfer: %d %s", rec.Code, rec.Body)
	}
	total := func(who, path string) decimal.Decimal {
		t.Helper()
		var v struct {
			Total string `json:"total_pkr"`
		}
		decode(t, ts.do(who, http.MethodGet, path, ""), &v)
		d, err := decimal.NewFromString(v.Total)
		if err != nil {
			t.Fatalf("%s %s: total %q", who, path, v.Total)
		}
		return d
	}
	for _, group := range []string{"currency", "case", "circle", "location"} {
		path := "/v1/valuation?group_by=" + group
		hq := total(access.RoleFinance, path)
		sum := decimal.Zero
		for _, c := range testCircles {
			mine := total(users[c], path)
			if mine.IsZero() || mine.Equal(hq) {
				t.Fatalf("%s: %s total %s of HQ's %s", group, c, mine, hq)
			}
			sum = sum.Add(mine)
		}
		if !sum.Equal(hq) {
			t.Fatalf("%s: the circles add up to %s, HQ has %s", group, sum, hq)
		}
	}
	balances := func(who string) map[string]decimal.Decimal {
		t.Helper()
		var list struct {
			Data []struct{ Account, Currency, Amount string } `json:"data"`
		}
		decode(t, ts.do(who, http.MethodGet, "/v1/balances?limit=1000", ""), &list)
		out := map[string]decimal.Decimal{}
		for _, b := range list.Data {
			out[b.Currency] = out[b.Currency].Add(decimal.RequireFromString(b.Amount))
		}
		return out
	}
	hq := balances(access.RoleFinance)
	sum := map[string]decimal.Decimal{}
	for _, c := range testCircles {
		for cur, amt := range balances(users[c]) {
			sum[cur] = sum[cur].Add(amt)
		}
	}
	for cur, amt := range hq {
		if !sum[cur].Equal(amt) {
			t.Fatalf("balances in %s: the circles add up to %s, HQ has %s", cur, sum[cur], amt)
		}
	}
	// A case's value is that of the items the caller sees.
	for _, c := range testCircles {
		var cmp struct {
			Cases []struct {
				CaseID uint64 `json:"case_id"`
			} `json:"cases"`
		}
		decode(t, ts.do(users[c], http.MethodGet, "/v1/valuation/seizure", ""), &cmp)
		if len(cmp.Cases) != 1 || cmp.Cases[0].CaseID != f.cases[c] {
			t.Fatalf("%s seizure values %+v", c, cmp.Cases)
		}
	}
}

// TestBackupAndTokensNeedEveryCircle: an admin limited to a circle may not
// take a backup (it holds every circle's books) nor manage tokens.
func TestBackupAndTokensNeedEveryCircle(t *testing.T) {
	ts, _ := newEvidenceServer(t)
	ka := ts.scoped(access.RoleAdmin, "karachi")
	before := snapshot(t, ts.store)
	for _, op := range []struct{ method, path, body string }{
		{http.MethodGet, "/v1/backup", ""},
		{http.MethodGet, "/v1/tokens", ""},
		{http.MethodPost, "/v1/tokens", `{"role":"admin","name":"hq-admin"}`},
		{http.MethodPost, "/v1/tokens/1/revoke", ""},
	} {
		wantProblem(t, ts.do(ka, op.method, op.path, op.body), http.StatusForbidden, "")
	}
	if snapshot(t, ts.store) != before {
		t.Fatal("a refused admin call wrote something")
	}
	if rec := ts.do(access.RoleAdmin, http.MethodGet, "/v1/backup", ""); rec.Code != http.StatusOK {
		t.Fatalf("HQ backup: %d", rec.Code)
	}
}

// TestScopedCourtOrders: an order covering items of two circles shows each
// circle only its own items, and a caller of one circle may not end it,
// since that would end it for the other circle's items too.
func TestScopedCourtOrders(t *testing.T) {
	f := newCircleFixture(t)
	ts := f.ts
	kc := ts.scoped(access.RoleCustodian, "karachi")
	today := time.Now().UTC().Format(time.DateOnly)
	both := postOrder(t, ts, orderBody("disposal", today, fmt.Sprintf("[%d,%d]", f.items["karachi"][0], f.items["lahore"][0]), ""))
	var o struct{ Items []uint64 }
	decode(t, ts.do(kc, http.MethodGet, fmt.Sprintf("/v1/court-orders/%d", both), ""), &o)
	if !slices.Equal(o.Items, []uint64{f.items["karachi"][0]}) {
		t.Fatalf("items of the order a Karachi custodian reads: %v", o.Items)
	}
	before := snapshot(t, ts.store)
	wantProblem(t, ts.do(kc, http.MethodPost, "/v1/court-orders", orderBody("disposal", today, fmt.Sprintf("[%d]", f.items["karachi"][0]), fmt.Sprintf(`,"vacates":%d`, both))), http.StatusUnprocessableEntity, "vacates")
	if snapshot(t, ts.store) != before {
		t.Fatal("a refused order wrote something")
	}
	decode(t, ts.do(access.RoleCustodian, http.MethodGet, fmt.Sprintf("/v1/court-orders/%d", both), ""), &o)
	if len(o.Items) != 2 {
		t.Fatalf("HQ reads items %v", o.Items)
	}
	if rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/court-orders", orderBody("disposal", today, fmt.Sprintf("[%d]", f.items["karachi"][0]), fmt.Sprintf(`,"vacates":%d`, both))); rec.Code != http.StatusCreated {
		t.Fatalf("HQ ends the order: %d %s", rec.Code, rec.Body)
	}
}
