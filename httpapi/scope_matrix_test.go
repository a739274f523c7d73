package httpapi

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/chain/access"
)

// scopeRow is one operation of the table of docs/access.md: the status a
// caller of an allowed role gets for a target in its circles and for one
// outside them, and whether the operation needs a caller of every circle.
type scopeRow struct {
	in, out int
	all     bool
}

// readScopeTable reads the role × scope table of docs/access.md: the rows
// between its two markers, "| `METHOD /path` | in | out | every circle |".
func readScopeTable(t *testing.T) map[string]scopeRow {
	t.Helper()
	f, err := os.Open("../docs/access.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]scopeRow{}
	inTable := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.Contains(line, "<!-- scope table -->"):
			inTable = true
			continue
		case strings.Contains(line, "<!-- end of scope table -->"):
			inTable = false
		}
		if !inTable || !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "| "), "|")
		if len(cells) != 4 {
			t.Fatalf("docs/access.md: row %q has %d cells, want 4", line, len(cells))
		}
		status := func(s string) int {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil {
				t.Fatalf("docs/access.md: row %q: status %q", line, s)
			}
			return n
		}
		op := strings.Trim(strings.TrimSpace(cells[0]), "`")
		out[op] = scopeRow{in: status(cells[1]), out: status(cells[2]), all: strings.TrimSpace(cells[3]) == "yes"}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// scopeTarget is what an operation is called with: a path and a body for a
// target in the caller's circle (Karachi) and for one outside it (Lahore).
// Writes are sent with bodies the register refuses after the scope check
// (a duplicate, a date before the seizure, a decided proposal), so that the
// table holds for every caller in turn.
type scopeTarget struct{ in, out [2]string }

func scopeTargets(t *testing.T, f *circleFixture) map[string]scopeTarget {
	t.Helper()
	ts := f.ts
	ts.twoStep = true
	now := time.Now().UTC()
	yesterday := now.AddDate(0, 0, -1).Format(time.DateOnly)
	at := now.Add(-10 * time.Minute).Format(time.RFC3339)
	type circleIDs struct{ kase, cash, wallet, entry, order, approval uint64 }
	byCircle := map[string]circleIDs{}
	for _, c := range testCircles {
		ids := circleIDs{kase: f.cases[c], cash: f.items[c][0], wallet: f.items[c][1]}
		var entries struct {
			Data []struct{ Seq uint64 } `json:"data"`
		}
		decode(t, ts.do(access.RoleAuditor, http.MethodGet, fmt.Sprintf("/v1/items/%d/custody", ids.cash), ""), &entries)
		ids.entry = entries.Data[0].Seq
		ids.order = postOrder(t, ts, orderBody("disposal", now.Format(time.DateOnly), fmt.Sprintf("[%d]", ids.cash), ""))
		rec := ts.do(access.RoleCustodian, http.MethodPost, fmt.Sprintf("/v1/items/%d/custody", ids.wallet),
			fmt.Sprintf(`{"event":"moved_on_chain","at":%q,"location":{"wallet":"bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq","network":"bitcoin:mainnet","txid":"%s"}}`, at, strings.Repeat("0f", 32)))
		var a approvalJSON
		decode(t, rec, &a)
		ids.approval = a.ApprovalID
		if rec := ts.do(access.RoleSupervisor, http.MethodPost, fmt.Sprintf("/v1/approvals/%d/reject", a.ApprovalID), `{"reason":"not now"}`); rec.Code != http.StatusOK {
			t.Fatalf("reject: %d %s", rec.Code, rec.Body)
		}
		byCircle[c] = ids
	}
	target := func(path func(circleIDs) string, body func(circle string, ids circleIDs) string) scopeTarget {
		var st scopeTarget
		for i, c := range testCircles {
			p := [2]string{path(byCircle[c]), ""}
			if body != nil {
				p[1] = body(c, byCircle[c])
			}
			if i == 0 {
				st.in = p
			} else {
				st.out = p
			}
		}
		return st
	}
	pathOf := func(format string, id func(circleIDs) uint64) func(circleIDs) string {
		return func(ids circleIDs) string { return fmt.Sprintf(format, id(ids)) }
	}
	kase := func(ids circleIDs) uint64 { return ids.kase }
	cash := func(ids circleIDs) uint64 { return ids.cash }
	entry := func(ids circleIDs) uint64 { return ids.entry }
	order := func(ids circleIDs) uint64 { return ids.order }
	approval := func(ids circleIDs) uint64 { return ids.approval }
	fixed := func(p string) func(circleIDs) string { return func(circleIDs) string { return p } }
	return map[string]scopeTarget{
		"GET /v1/cases/{id}":                  target(pathOf("/v1/cases/%d", kase), nil),
		"GET /v1/items/{id}":                  target(pathOf("/v1/items/%d", cash), nil),
		"GET /v1/items/{id}/custody":          target(pathOf("/v1/items/%d/custody", cash), nil),
		"GET /v1/items/{id}/custody/bundle":   target(pathOf("/v1/items/%d/custody/bundle", cash), nil),
		"GET /v1/custody/entries/{seq}":       target(pathOf("/v1/custody/entries/%d", entry), nil),
		"GET /v1/custody/entries/{seq}/proof": target(pathOf("/v1/custody/entries/%d/proof", entry), nil),
		"GET /v1/court-orders/{id}":           target(pathOf("/v1/court-orders/%d", order), nil),
		"GET /v1/approvals/{id}":              target(pathOf("/v1/approvals/%d", approval), nil),
		"POST /v1/approvals/{id}/approve":     target(pathOf("/v1/approvals/%d/approve", approval), nil),
		"POST /v1/approvals/{id}/reject": target(pathOf("/v1/approvals/%d/reject", approval),
			func(string, circleIDs) string { return `{"reason":"no"}` }),
		"GET /v1/valuation/seizure": target(pathOf("/v1/valuation/seizure?case_id=%d", kase), nil),
		"GET /v1/search":            target(fixed("/v1/search?q=li+wei"), nil),
		// Users are HQ's: no login of the test exists, so an admin of
		// every circle gets 404 and anyone else is refused first.
		"GET /v1/users/{login}":           target(fixed("/v1/users/nobody"), nil),
		"POST /v1/users/{login}/disable":  target(fixed("/v1/users/nobody/disable"), nil),
		"POST /v1/users/{login}/password": target(fixed("/v1/users/nobody/password"), func(string, circleIDs) string { return `{"password":"correct horse battery"}` }),
		"POST /v1/users/{login}/tokens":   target(fixed("/v1/users/nobody/tokens"), func(string, circleIDs) string { return `{}` }),
		"POST /v1/items/{id}/custody": target(pathOf("/v1/items/%d/custody", cash), func(string, circleIDs) string {
			return fmt.Sprintf(`{"event":"received","at":%q}`, at) // nothing is in transit
		}),
		"POST /v1/cases": target(fixed("/v1/cases"), func(c string, ids circleIDs) string {
			return fmt.Sprintf(`{"fir":"%d/2025","circle":%q,"title":"Call centre"}`, ids.kase, c) // its FIR again
		}),
		"POST /v1/seizures": target(fixed("/v1/seizures"), func(c string, ids circleIDs) string {
			return seizureBody(ids.kase, strings.ToUpper(c[:3])) // its seals again
		}),
		"POST /v1/court-orders": target(fixed("/v1/court-orders"), func(_ string, ids circleIDs) string {
			return orderBody("disposal", yesterday, fmt.Sprintf("[%d]", ids.cash), "") // dated before the seizure
		}),
		"POST /v1/reconciliations": target(fixed("/v1/reconciliations"), func(_ string, ids circleIDs) string {
			return fmt.Sprintf(`{"item_id":"%d","date":%q,"method":"count","counts":[{"currency":"USD","amount":"1.00"}]}`, ids.cash, yesterday)
		}),
		"POST /v1/conversions": target(fixed("/v1/conversions"), func(_ string, ids circleIDs) string {
			return fmt.Sprintf(`{"item_id":"%d","executed_at":"%sT10:00:00Z","sold":[{"currency":"BTC","amount":"0.1"}],"proceeds":{"currency":"PKR","amount":"1.00"},"venue":"x"}`, ids.wallet, yesterday)
		}),
	}
}

// TestRoleScopeMatrix: every operation, called by a user of every role
// limited to Karachi and by one of every circle, on a Karachi target and a
// Lahore one, answers what the table of docs/access.md says. Roles not
// allowed an operation (mayCall) are refused first, whatever the scope.
func TestRoleScopeMatrix(t *testing.T) {
	table := readScopeTable(t)
	f := newCircleFixture(t)
	ts := f.ts
	targets := scopeTargets(t, f)
	scoped := map[string]string{}
	for _, role := range access.Roles {
		scoped[role] = ts.scoped(role, "karachi")
	}
	for _, op := range describedOperations(t) {
		row, ok := table[op]
		if !ok {
			t.Errorf("docs/access.md has no row for %s", op)
			continue
		}
		method, path, _ := strings.Cut(op, " ")
		tg, ok := targets[op]
		if !ok {
			if strings.Contains(path, "{") && path != "/v1/tokens/{id}/revoke" {
				t.Errorf("no target for %s", op)
				continue
			}
			body := ""
			if method == http.MethodPost {
				body = "{}" // refused as incomplete, whatever the scope
			}
			p := pathParam.ReplaceAllString(path, "999")
			tg = scopeTarget{in: [2]string{p, body}, out: [2]string{p, body}}
		}
		allowed, limited := mayCall[op]
		for _, role := range access.Roles {
			for _, who := range []string{role, scoped[role]} {
				for i, call := range [][2]string{tg.in, tg.out} {
					want := row.in
					switch {
					case limited && !slices.Contains(allowed, role):
						want = http.StatusForbidden
					case who == role: // every circle: both targets are in scope
					case row.all:
						want = http.StatusForbidden
					case i == 1:
						want = row.out
					}
					if rec := ts.do(who, method, call[0], call[1]); rec.Code != want {
						t.Errorf("%s as %s on %s: %d, want %d: %.300s", op, who, call[0], rec.Code, want, rec.Body)
					}
				}
			}
		}
	}
	for op := range table {
		if !slices.Contains(describedOperations(t), op) {
			t.Errorf("docs/access.md describes %s, which the API does not have", op)
		}
	}
}
