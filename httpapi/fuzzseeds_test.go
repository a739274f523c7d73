package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/chain/access"
)

// fuzzSeed is a valid request of one write endpoint, or a short sequence
// whose last request is the one of interest (a receipt needs its transfer
// first). refused marks the few seeds that are refusals even unmutated (an
// event the API or the state machine never takes); every other seed must be
// accepted, which TestFuzzWritesSeedsAreAccepted checks, so the fuzzer
// always starts from requests that reach the domain.
type fuzzSeed struct {
	name    string
	steps   []fuzzStep
	refused bool
}

// fuzzSeeds is the seed table of FuzzWrites over the starting store of
// buildFuzzFixture. APPEND ONLY: the first byte of a fuzz input names a
// slot of this table (fuzzSlot), so removing or reordering a seed, or
// changing a seed's body before the value a kept input mutates, changes
// what the kept corpus means. Append a new seed here and its name to
// fuzzSeedOrder; TestFuzzWritesSeedTableIsAppendOnly and
// TestFuzzWritesKeptCorpus check both.
func fuzzSeeds(fx *fuzzFixture) []fuzzSeed {
	step := func(role, method, path, body string) fuzzStep {
		st := fuzzStep{role: role, method: method, path: path, truncate: -1}
		if body != "" {
			st.body = mustParseJSON(body)
		}
		return st
	}
	custody := func(item uint64, body string) fuzzStep {
		return step(access.RoleCustodian, http.MethodPost, fmt.Sprintf("/v1/items/%d/custody", item), body)
	}
	cash, wallet := fx.cashID, fx.walletID
	officer, malkhana, examiner := "Inspector Ayesha Khan", "Malkhana In-charge Asif", "Examiner Bilal Ahmed"
	// Custody events follow the seizure (three hours ago) a minute apart.
	ev := func(minute int) string { return fx.at(-120 + minute) }
	today := fx.now.Format(time.DateOnly)
	transfer := fmt.Sprintf(`{"event":"transferred","at":%q,"from":%q,"to":%q,"purpose":"deposit in the malkhana"}`, ev(1), officer, malkhana)
	unseal := fmt.Sprintf(`{"event":"unsealed","at":%q,"seal_before":{"number":"FZ-1","state":"intact"},"seal_after":{"number":"FZ-1","state":"broken"},"purpose":"count before the court","remarks":"opened in front of two witnesses"}`, ev(1))
	checkOut := fmt.Sprintf(`{"event":"checked_out","at":%q,"from":%q,"to":%q,"purpose":"count of the notes"}`, ev(1), officer, examiner)
	seizure := func(caseID uint64, sealPrefix string) string {
		return fmt.Sprintf(`{"case_id":%d,"seized_at":%q,"location":{"circle":"islamabad","building":"House 12, Street 4, F-7/2","room":"upstairs office"},
		"seized_from":{"name":"Li Wei","nationality":"CN","id_type":"passport","id_number":"E1234567"},
		"officer":%q,"remarks":"raid under warrant 17/2026",
		"items":[
		 {"kind":"cash","seal":"%s-1","description":"envelope of banknotes","remarks":"counted twice",
		  "amounts":[{"currency":"USD","amount":"1500.00","denominations":[{"value":"100","count":15}],"serials":["AB12345678"]},
		             {"currency":"PKR","amount":"25000.00","flagged":[{"denomination":"5000","count":1,"status":"counterfeit","serials":["XY1234567"],"remarks":"no watermark"}]}]},
		 {"kind":"wallet","seal":"%s-2","description":"Trust Wallet on a phone","seized_from":{"name":"Zhang Min","nationality":"CN"},
		  "chain":"bitcoin","network":"mainnet","address":"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4","addresses":["1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"],
		  "holdings":[{"currency":"BTC","amount":"0.5"}],"device":{"make":"Apple","model":"iPhone 13","serial":"F2LX1234"},
		  "secrets_sealed":true,"secrets_location":"envelope FZS-1, malkhana safe 2"}
		]}`, caseID, fx.at(-30), officer, sealPrefix, sealPrefix)
	}
	newUser := step(access.RoleAdmin, http.MethodPost, "/v1/users",
		`{"login":"fuzz-ayesha","display":"عائشہ خان","roles":["custodian","investigator"],"circles":["lahore"],"password":"Malkhana key 2026, first"}`)
	return []fuzzSeed{
		{name: "case", steps: []fuzzStep{step(access.RoleCustodian, http.MethodPost, "/v1/cases",
			`{"fir":"44/2026","fir_date":"2026-01-05","circle":"lahore","operation":"Blue","title":"Crypto exchange, Gulberg",
			"offences":["PECA 2016 s.14","PPC 420"],"officer_in_charge":"Inspector Omar Farooq","occurred_from":"2025-11-01","occurred_to":"2025-12-31","remarks":"joint team with the state bank"}`)}},
		{name: "seizure", steps: []fuzzStep{step(access.RoleCustodian, http.MethodPost, "/v1/seizures", seizure(fx.caseID, "FZS"))}},
		{name: "custody transferred", steps: []fuzzStep{custody(cash, transfer)}},
		{name: "custody received", steps: []fuzzStep{custody(cash, transfer), custody(cash, fmt.Sprintf(
			`{"event":"received","at":%q,"from":%q,"to":%q,"location":{"circle":"islamabad","building":"FIA HQ","room":"malkhana"},"condition":"seal intact",
			"attachments":[{"name":"receipt.pdf","sha256":"%s"}]}`, ev(2), officer, malkhana, strings.Repeat("ab", 32)))}},
		{name: "custody stored", steps: []fuzzStep{custody(cash, fmt.Sprintf(
			`{"event":"stored","at":%q,"location":{"circle":"islamabad","building":"FIA HQ","room":"safe 2"},"remarks":"moved to the safe"}`, ev(1)))}},
		{name: "custody checked_out", steps: []fuzzStep{custody(cash, checkOut)}},
		{name: "custody checked_in", steps: []fuzzStep{custody(cash, checkOut), custody(cash, fmt.Sprintf(
			`{"event":"checked_in","at":%q,"from":%q,"to":%q,"condition":"all notes present"}`, ev(2), examiner, officer))}},
		{name: "custody unsealed", steps: []fuzzStep{custody(cash, unseal)}},
		{name: "custody examined", steps: []fuzzStep{custody(cash, unseal), custody(cash, fmt.Sprintf(
			`{"event":"examined","at":%q,"purpose":"note count","condition":"900 dollars in nine notes"}`, ev(2)))}},
		{name: "custody resealed", steps: []fuzzStep{custody(cash, unseal), custody(cash, fmt.Sprintf(
			`{"event":"resealed","at":%q,"seal_before":{"number":"FZ-1","state":"broken"},"seal_after":{"number":"FZ-1R","state":"intact"},"remarks":"resealed after the count"}`, ev(2)))}},
		{name: "custody sealed (refused: the bag bears a seal)", refused: true, steps: []fuzzStep{custody(cash, fmt.Sprintf(
			`{"event":"sealed","at":%q,"seal_after":{"number":"FZ-9","state":"intact"}}`, ev(1)))}},
		{name: "custody moved_on_chain", steps: []fuzzStep{custody(wallet, fmt.Sprintf(
			`{"event":"moved_on_chain","at":%q,"location":{"wallet":"bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq","network":"bitcoin:mainnet","txid":"%s"},"purpose":"sweep to the agency wallet"}`,
			ev(1), strings.Repeat("0f", 32)))}},
		{name: "custody forfeited", steps: []fuzzStep{custody(cash, fmt.Sprintf(
			`{"event":"forfeited","at":%q,"court_order_id":1,"remarks":"forfeited to the state"}`, ev(1)))}},
		{name: "custody returned", steps: []fuzzStep{custody(cash, fmt.Sprintf(
			`{"event":"returned","at":%q,"to":"Nguyen Van An","court_order_id":2}`, ev(1)))}},
		{name: "custody destroyed", steps: []fuzzStep{custody(cash, fmt.Sprintf(
			`{"event":"destroyed","at":%q,"court_order_id":3,"remarks":"counterfeit notes burnt before the committee"}`, ev(1)))}},
		{name: "custody written_off", steps: []fuzzStep{custody(cash, fmt.Sprintf(
			`{"event":"written_off","at":%q,"remarks":"notes destroyed by water in the malkhana flood"}`, ev(1)))}},
		{name: "custody converted (refused: conversions have their own endpoint)", refused: true, steps: []fuzzStep{custody(wallet, fmt.Sprintf(
			`{"event":"converted","at":%q}`, ev(1)))}},
		{name: "custody seized again (refused)", refused: true, steps: []fuzzStep{custody(cash, fmt.Sprintf(
			`{"event":"seized","at":%q,"to":%q,"location":{"circle":"islamabad","building":"FIA HQ"}}`, ev(1), officer))}},
		{name: "rate", steps: []fuzzStep{step(access.RoleFinance, http.MethodPost, "/v1/rates",
			`{"currency":"AED","rate":"75.8123","effective":"2025-06-03","source":"sbp-interbank"}`)}},
		{name: "conversion", steps: []fuzzStep{step(access.RoleFinance, http.MethodPost, "/v1/conversions", fmt.Sprintf(
			`{"item_id":%d,"sold":[{"currency":"BTC","amount":"0.12345678"}],"proceeds":"3750000.00","fees":"1500","executed_at":%q,"counterparty":"licensed exchange","reference":"stmt-7","memo":"sold under court order CO-sale/2026","court_order_id":4}`,
			wallet, fx.at(-60)))}},
		{name: "reconciliation matched", steps: []fuzzStep{step(access.RoleFinance, http.MethodPost, "/v1/reconciliations", fmt.Sprintf(
			`{"item_id":%d,"date":%q,"method":"count","counts":[{"currency":"USD","amount":"900.00"}]}`, cash, today))}},
		{name: "reconciliation difference", steps: []fuzzStep{step(access.RoleFinance, http.MethodPost, "/v1/reconciliations", fmt.Sprintf(
			`{"item_id":"%d","date":%q,"method":"count","counts":[{"currency":"USD","amount":"850.00"}],"explanation":"one 50-dollar note missing from the bag"}`, cash, today))}},
		{name: "reconciliation of a location", steps: []fuzzStep{step(access.RoleFinance, http.MethodPost, "/v1/reconciliations", fmt.Sprintf(
			`{"location":"islamabad/Plot 9, I-8 Markaz","date":%q,"method":"statement","counts":[{"currency":"BTC","amount":"0.12345678"},{"currency":"USD","amount":"900.00"}]}`, today))}},
		{name: "token", steps: []fuzzStep{step(access.RoleAdmin, http.MethodPost, "/v1/tokens", `{"role":"investigator","name":"fuzz-analyst"}`)}},
		{name: "token revoke", steps: []fuzzStep{step(access.RoleAdmin, http.MethodPost, "/v1/tokens/6/revoke", "")}},
		{name: "case then a seizure into it", steps: []fuzzStep{
			step(access.RoleCustodian, http.MethodPost, "/v1/cases", `{"fir":"45/2026","circle":"karachi","title":"Call centre, Clifton"}`),
			step(access.RoleCustodian, http.MethodPost, "/v1/seizures", seizure(fx.caseID+1, "KHI"))}},
		{name: "seizure then custody of its cash", steps: []fuzzStep{
			step(access.RoleCustodian, http.MethodPost, "/v1/seizures", seizure(fx.caseID, "FZT")),
			custody(fx.walletID+1, fmt.Sprintf(`{"event":"transferred","at":%q,"from":%q,"to":%q}`, fx.at(-20), officer, malkhana))}},
		{name: "reconciliation after a transfer", steps: []fuzzStep{custody(cash, transfer), step(access.RoleFinance, http.MethodPost, "/v1/reconciliations", fmt.Sprintf(
			`{"item_id":%d,"date":%q,"counts":[{"currency":"USD","amount":"900.00"}]}`, cash, today))}},
		{name: "address validation", steps: []fuzzStep{step(access.RoleInvestigator, http.MethodPost, "/v1/addresses/validate",
			`{"chain":"bitcoin","network":"mainnet","address":"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"}`)}},
		{name: "court order", steps: []fuzzStep{step(access.RoleCustodian, http.MethodPost, "/v1/court-orders", fmt.Sprintf(
			`{"kind":"superdari","court":"Judicial Magistrate Section 30, Islamabad","judge":"Ms Farah Naz","case_number":"Crl. Misc. 9/2026","number":"superdari order 9/2026","date":%q,
			"items":[%d],"to":"Nguyen Van An","conditions":{"bond":{"amount":"500000","currency":"PKR"},"surety":"Tran Thi B","produce_by":"2099-01-01"},"scan_sha256":"%s"}`,
			today, cash, strings.Repeat("5e", 32)))}},
		{name: "court order then superdari", steps: []fuzzStep{
			step(access.RoleCustodian, http.MethodPost, "/v1/court-orders", fmt.Sprintf(
				`{"kind":"superdari","court":"Judicial Magistrate Section 30, Islamabad","case_number":"Crl. Misc. 9/2026","number":"superdari order 9/2026","date":%q,
				"items":[%d],"to":"Nguyen Van An","conditions":{"bond":{"amount":"500000","currency":"PKR"},"surety":"Tran Thi B","produce_by":"2099-01-01"},"scan_sha256":"%s"}`,
				fx.now.Add(-180*time.Minute).UTC().Format(time.DateOnly), cash, strings.Repeat("5e", 32))),
			custody(cash, fmt.Sprintf(`{"event":"superdari","at":%q,"to":"Nguyen Van An","court_order_id":5}`, ev(1)))}},
		{name: "user", steps: []fuzzStep{newUser}},
		{name: "user then disable", steps: []fuzzStep{newUser, step(access.RoleAdmin, http.MethodPost, "/v1/users/fuzz-ayesha/disable", "")}},
		{name: "user then password", steps: []fuzzStep{newUser, step(access.RoleAdmin, http.MethodPost, "/v1/users/fuzz-ayesha/password",
			`{"password":"Malkhana key 2026, second"}`)}},
		{name: "user then token", steps: []fuzzStep{newUser, step(access.RoleAdmin, http.MethodPost, "/v1/users/fuzz-ayesha/tokens",
			`{"name":"fuzz-ayesha-laptop","expires_in_days":30}`)}},
	}
}

// TestFuzzWritesSeedsAreAccepted keeps the seed table honest: a seed that
// the server refuses unmutated would let the fuzzer explore only the
// decoder. Every step of every seed not marked refused must answer 2xx, and
// a refused seed's last step 4xx.
func TestFuzzWritesSeedsAreAccepted(t *testing.T) {
	fx := newFuzzFixture(t)
	for _, seed := range fx.seeds {
		t.Run(seed.name, func(t *testing.T) {
			fs := fx.open(t)
			for i, st := range seed.steps {
				rec := fs.raw(st.role, st.method, st.path, st.encoded())
				last := i == len(seed.steps)-1
				if seed.refused && last {
					if rec.Code < 400 || rec.Code >= 500 {
						t.Fatalf("step %d: %d %s, want a refusal", i, rec.Code, rec.Body)
					}
					continue
				}
				if rec.Code < 200 || rec.Code >= 300 {
					t.Fatalf("step %d %s %s: %d %s", i, st.method, st.path, rec.Code, rec.Body)
				}
			}
			if what, detail := fs.checkBooks(); what != "" {
				t.Fatalf("%s: %s", what, detail)
			}
		})
	}
}

// TestFuzzWritesHarnessSeesChanges checks the harness's own instruments: the
// fingerprint changes when a write is accepted (so "a refusal changed
// nothing" can fail), and the same input mutates the same way twice (so a
// kept failing input replays).
func TestFuzzWritesHarnessSeesChanges(t *testing.T) {
	fx := newFuzzFixture(t)
	fs := fx.open(t)
	before := booksFingerprint(t, fs.store)
	st := fx.seeds[0].steps[0]
	if rec := fs.raw(st.role, st.method, st.path, st.encoded()); rec.Code != http.StatusCreated {
		t.Fatalf("case: %d %s", rec.Code, rec.Body)
	}
	after := booksFingerprint(t, fs.store)
	if changed := changedBuckets(before, after); len(changed) == 0 || !strings.Contains(strings.Join(changed, " "), "evidence.cases") {
		t.Fatalf("a new case changed %v, want evidence.cases among them", changed)
	}

	input := []byte{1, 0, opAwkward, 40, 0, 3, 0, opInject, 7, 17, 5}
	var bodies [2]string
	for i := range bodies {
		steps := []fuzzStep{fx.seeds[1].steps[0].clone()}
		r := &fuzzBytes{b: input[1:]}
		for r.more() {
			mutate(steps, r)
		}
		bodies[i] = string(steps[0].encoded())
	}
	if bodies[0] != bodies[1] || bodies[0] == fx.seeds[1].steps[0].body.String() {
		t.Fatalf("mutation is not deterministic or did nothing:\n%s\n%s", bodies[0], bodies[1])
	}
	// A 1 MiB string lengthened into a thousand elements stays under the
	// cap (this input once built half a gigabyte and killed the worker).
	huge := []fuzzStep{fx.seeds[7].steps[0].clone()}
	r := &fuzzBytes{b: []byte("\x16\xae\xc3\x1d\x02\x91\xae\x8a\xbc\xbf")}
	for r.more() {
		mutate(huge, r)
	}
	if n := huge[0].body.size(1 << 30); n > 2*maxFuzzBody {
		t.Errorf("a lengthened body is %d bytes, cap %d", n, maxFuzzBody)
	}

	// parseJSON reads invalid UTF-8 as U+FFFD, so bad bytes go in by hand.
	withBytes := func(body, old, bad string) *jsonValue {
		v := mustParseJSON(body)
		for _, r := range refs(v) {
			if r.v.kind == '"' && r.v.text == old {
				r.v.text = bad
			}
		}
		return v
	}
	for _, tt := range []struct {
		body *jsonValue
		want string
	}{
		{mustParseJSON(`{"remarks":"` + fuzzSeedPhrase + `"}`), "a wallet secret"},
		{withBytes(`{"a":"?"}`, "?", "\xff"), "invalid UTF-8"},
		{mustParseJSON(`{"a":"\u0007"}`), "a control character"},
		{mustParseJSON(`{"a":"\ufffd"}`), "U+FFFD"},
		{fx.seeds[1].steps[0].body, ""},
		// The decoder keeps the last of two keys for one field.
		{withBytes(`{"a":"?","A":"x"}`, "?", "\xff"), ""},
		{withBytes(`{"a":"x","A":"?"}`, "?", "\xff"), "invalid UTF-8"},
	} {
		if kind, reason := refusedText(tt.body); kind != tt.want {
			t.Errorf("refusedText(%.60q) = %q (%s), want %q", tt.body.String(), kind, reason, tt.want)
		}
	}
}
