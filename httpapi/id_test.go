package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"pgregory.net/rapid"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/ledger"
)

// TestIDReadsNumbersAndDigitStrings is the rule for an id in a request: a
// JSON number or a string of decimal digits, nothing else.
func TestIDReadsNumbersAndDigitStrings(t *testing.T) {
	for _, tc := range []struct {
		name, json string
		want       ID
		ok         bool
	}{
		{"a JSON number", `7`, 7, true},
		{"a string of digits", `"7"`, 7, true},
		{"leading zeros in a string", `"007"`, 7, true},
		{"the largest id", `18446744073709551615`, 1<<64 - 1, true},
		{"zero (the domain judges it)", `0`, 0, true},
		{"null, as if absent", `null`, 0, true},
		{"a negative number", `-7`, 0, false},
		{"a fraction", `7.5`, 0, false},
		{"an exponent", `7e2`, 0, false},
		{"a string with a sign", `"+7"`, 0, false},
		{"a string with spaces", `" 7"`, 0, false},
		{"an empty string", `""`, 0, false},
		{"a word", `"seven"`, 0, false},
		{"a number beyond 2^64-1", `18446744073709551616`, 0, false},
		{"true", `true`, 0, false},
		{"an array", `[7]`, 0, false},
		{"an object", `{"id":7}`, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var v struct {
				ItemID ID `json:"item_id"`
			}
			err := json.Unmarshal([]byte(`{"item_id":`+tc.json+`}`), &v)
			if (err == nil) != tc.ok || v.ItemID != tc.want {
				t.Fatalf("read %s: %d, %v; want %d, ok=%v", tc.json, v.ItemID, err, tc.want, tc.ok)
			}
			if !tc.ok {
				// The decoder names the field, so the 422 can.
				var le *ledger.Error
				if !errors.As(jsonError(err), &le) || le.Code != ledger.EInvalid || len(le.Fields) != 1 || le.Fields[0].Field != "item_id" {
					t.Fatalf("the refusal is not a 422 naming item_id: %v", jsonError(err))
				}
			}
		})
	}
}

// TestIDRoundTrip: every id written as a number reads back the same, and so
// does the same id sent as a string of digits.
func TestIDRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := ID(rapid.Uint64().Draw(t, "id"))
		b, err := json.Marshal(n)
		if err != nil || string(b) != strconv.FormatUint(uint64(n), 10) {
			t.Fatalf("marshal %d: %s %v", n, b, err)
		}
		for _, text := range []string{string(b), strconv.Quote(string(b))} {
			var got ID
			if err := json.Unmarshal([]byte(text), &got); err != nil || got != n {
				t.Fatalf("read %s: %d %v", text, got, err)
			}
		}
	})
}

// TestFinanceTakesIDsEitherWayAndRefusesTheRest drives the finance writes that
// name an item: a number or a digit string is accepted; any other id is a 422
// naming item_id, with nothing written.
func TestFinanceTakesIDsEitherWayAndRefusesTheRest(t *testing.T) {
	ts, _ := newFinanceServer(t)
	caseID := mustCreateCase(t, ts, "FIR 7/2025")
	rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", seizureBody(caseID, "ID"))
	if rec.Code != http.StatusCreated {
		t.Fatalf("seizure: %d %s", rec.Code, rec.Body)
	}
	var r receipt
	decode(t, rec, &r)
	cash, wallet := r.ItemIDs[0], r.ItemIDs[1]
	today := time.Now().UTC().Format("2006-01-02")
	count := func(item string) string {
		return fmt.Sprintf(`{"item_id":%s,"date":%q,"counts":[{"currency":"USD","amount":"1500.00"},{"currency":"VND","amount":"500000"}]}`, item, today)
	}
	sale := mustOrder(t, ts, "sale", wallet, "")
	convert := func(item string) string {
		return fmt.Sprintf(`{"item_id":%s,"court_order_id":%d,"sold":[{"currency":"BTC","amount":"0.12345678"}],"proceeds":"3750000.00","executed_at":%q,"counterparty":"licensed exchange"}`,
			item, sale, time.Now().UTC().Add(-time.Minute).Format(time.RFC3339))
	}

	before := snapshot(t, ts.store)
	for _, bad := range []string{`"7a"`, `""`, `-1`, `1.5`, `1e3`, `true`, `[1]`, `{"id":1}`, `"18446744073709551616"`, `0`, `"0"`} {
		t.Run("reconciliation item_id "+bad, func(t *testing.T) {
			wantProblem(t, ts.do(access.RoleFinance, http.MethodPost, "/v1/reconciliations", count(bad)), http.StatusUnprocessableEntity, "item_id")
		})
		t.Run("conversion item_id "+bad, func(t *testing.T) {
			wantProblem(t, ts.do(access.RoleFinance, http.MethodPost, "/v1/conversions", convert(bad)), http.StatusUnprocessableEntity, "item_id")
		})
	}
	if snapshot(t, ts.store) != before {
		t.Fatal("a refused id changed the store")
	}
	p := wantProblem(t, ts.do(access.RoleFinance, http.MethodPost, "/v1/reconciliations", count(`"seven"`)), http.StatusUnprocessableEntity, "item_id")
	if !strings.Contains(p.Errors[0].Reason, "must be an id") {
		t.Errorf("the reason does not say what an id is: %+v", p.Errors)
	}

	for _, tc := range []struct{ name, path, body string }{
		{"a count naming the item by number", "/v1/reconciliations", count(strconv.FormatUint(cash, 10))},
		{"a count naming the item by digit string", "/v1/reconciliations", count(strconv.Quote(strconv.FormatUint(cash, 10)))},
		{"a conversion naming the item by number", "/v1/conversions", convert(strconv.FormatUint(wallet, 10))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := ts.do(access.RoleFinance, http.MethodPost, tc.path, tc.body)
			if rec.Code != http.StatusCreated {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			var got map[string]any
			decode(t, rec, &got)
			if _, isNumber := got["item_id"].(float64); !isNumber {
				t.Fatalf("item_id answered as %T: %s", got["item_id"], rec.Body)
			}
		})
	}
}

// TestCustodyTakesLedgerTxnEitherWay: ledger_txn is an id like any other;
// a client may send only 0 (none), since the server sets it.
func TestCustodyTakesLedgerTxnEitherWay(t *testing.T) {
	ts, _ := newCustodyServer(t)
	at := time.Now().UTC().Add(-30 * time.Minute).Format(time.RFC3339)
	transfer := func(from, to, txn string) string {
		return fmt.Sprintf(`{"event":"transferred","at":%q,"from":%q,"to":%q,"purpose":"deposit","ledger_txn":%s}`, at, from, to, txn)
	}
	before := snapshot(t, ts.store)
	for _, bad := range []string{`"x"`, `-1`, `1.5`, `""`, `1`, `"1"`} {
		wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody", transfer("Inspector Ayesha Khan", "Asif", bad)), http.StatusUnprocessableEntity, "ledger_txn")
	}
	if snapshot(t, ts.store) != before {
		t.Fatal("a refused ledger_txn changed the store")
	}
	for _, tc := range []struct{ body, txn string }{
		{transfer("Inspector Ayesha Khan", "Asif", `0`), "0"},
		{fmt.Sprintf(`{"event":"received","at":%q,"location":{"circle":"islamabad","building":"FIA HQ","room":"malkhana"},"ledger_txn":"0"}`, at), `"0"`},
	} {
		rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody", tc.body)
		if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), `"ledger_txn":null,`) {
			t.Fatalf("ledger_txn %s: %d %s", tc.txn, rec.Code, rec.Body)
		}
	}
}

// idProperty says whether a property name holds a record id: id, *_id,
// *_ids, and the custody names for one (item, seq, custody_entry,
// ledger_txn). request_id names a request, not a record.
func idProperty(name string) bool {
	if name == "request_id" {
		return false
	}
	return name == "id" || strings.HasSuffix(name, "_id") || strings.HasSuffix(name, "_ids") ||
		slices.Contains([]string{"item", "seq", "item_seq", "custody_entry", "ledger_txn"}, name)
}

// TestOpenAPIDescribesIDsAsNumbers keeps the description to the rule: every
// id property of every schema is an integer (or an array of integers) in
// answers, and an integer or a digit string in request bodies.
func TestOpenAPIDescribesIDsAsNumbers(t *testing.T) {
	doc, err := OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	isInt := func(s *openapi3.Schema) bool { return s.Type.Is("integer") }
	allowsInt := func(s *openapi3.Schema) bool {
		if isInt(s) {
			return true
		}
		for _, r := range append(append(slices.Clone(s.OneOf), s.AllOf...), s.AnyOf...) {
			if isInt(r.Value) {
				return true
			}
			for _, rr := range r.Value.OneOf {
				if isInt(rr.Value) {
					return true
				}
			}
		}
		return false
	}
	var bad []string
	seen := map[*openapi3.Schema]bool{}
	var walk func(where string, s *openapi3.Schema)
	walk = func(where string, s *openapi3.Schema) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		for name, p := range s.Properties {
			v := p.Value
			if idProperty(name) {
				ok := allowsInt(v) || v.Type.Is("array") && v.Items != nil && allowsInt(v.Items.Value)
				if !ok {
					bad = append(bad, where+"."+name)
				}
			}
			walk(where+"."+name, v)
		}
		if s.Items != nil {
			walk(where+"[]", s.Items.Value)
		}
		for _, r := range append(append(slices.Clone(s.OneOf), s.AllOf...), s.AnyOf...) {
			walk(where, r.Value)
		}
	}
	for name, s := range doc.Components.Schemas {
		walk(name, s.Value)
	}
	sort.Strings(bad)
	if len(bad) > 0 {
		t.Errorf("id properties not described as integers:\n  %s", strings.Join(bad, "\n  "))
	}
	if len(seen) < 50 {
		t.Fatalf("walked only %d schemas", len(seen))
	}
}
