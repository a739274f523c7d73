package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/address"
	"github.com/amanat-ledger/amanat/chain/evidence"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/money"
)

// seizureForm is what the seizure page sends: the body POST /v1/seizures
// takes, and, when the case is new, the body POST /v1/cases takes. The
// inputs are named by the JSON paths of those bodies ("items[1].address",
// "case.fir"), so a refusal that names a field names an input.
type seizureForm struct {
	Key     string                  `json:"key"`
	NewCase bool                    `json:"new_case"`
	Case    evidence.CaseRequest    `json:"case"`
	Req     evidence.SeizureRequest `json:"seizure"`
}

// newCasePlaceholder stands in for the id of a case made in the same write,
// so that the seizure can be checked before the case exists.
const newCasePlaceholder = math.MaxUint32

// indexedRE splits "items[3].amounts[0].currency" into "items", "3" and
// "amounts[0].currency".
var indexedRE = regexp.MustCompile(`^([a-z_]+)\[(\d{1,6})\]\.(.+)$`)

// rows groups the form values under prefix ("items") by their index, in
// index order, each row keyed by the rest of its names. The indices only
// order the rows: a row removed in the page leaves a gap, and the rows are
// numbered afresh from 0, as the JSON body numbers them.
func rows(vals url.Values, prefix string) []url.Values {
	byIndex := map[int]url.Values{}
	for name, vs := range vals {
		m := indexedRE.FindStringSubmatch(name)
		if m == nil || m[1] != prefix {
			continue
		}
		i, _ := strconv.Atoi(m[2])
		if byIndex[i] == nil {
			byIndex[i] = url.Values{}
		}
		byIndex[i][m[3]] = vs
	}
	idx := make([]int, 0, len(byIndex))
	for i := range byIndex {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	out := make([]url.Values, 0, len(idx))
	for _, i := range idx {
		out = append(out, byIndex[i])
	}
	return out
}

// blank says a row was left empty: every value of it is "" (ignore names
// inputs that always carry a value, such as a select's).
func blank(row url.Values, ignore ...string) bool {
	for k, vs := range row {
		if slices.Contains(ignore, k) {
			continue
		}
		for _, v := range vs {
			if strings.TrimSpace(v) != "" {
				return false
			}
		}
	}
	return true
}

// parseSeizureForm reads the seizure page's inputs into the two request
// bodies. Rows left blank are dropped; nothing is checked here: the checks
// are the API's. Denominations are typed as "5000x10, 1000x3" (value x
// count); one that does not read so is returned as a refusal naming its
// input.
func parseSeizureForm(vals url.Values) (seizureForm, formErrors) {
	f := seizureForm{Key: vals.Get("key"), NewCase: vals.Get("case_mode") == "new"}
	fe := formErrors{}
	f.Case = evidence.CaseRequest{FIR: vals.Get("case.fir"), FIRDate: vals.Get("case.fir_date"), Circle: vals.Get("case.circle"),
		Operation: vals.Get("case.operation"), Title: vals.Get("case.title")}
	r := &f.Req
	if id, err := strconv.ParseUint(vals.Get("case_id"), 10, 64); err == nil {
		r.CaseID = evidence.ID(id)
	}
	r.SeizedAt = strings.TrimSpace(vals.Get("seized_at"))
	r.Location = evidence.PlaceInput{Circle: vals.Get("location.circle"), Building: vals.Get("location.building"), Room: vals.Get("location.room")}
	r.SeizedFrom = evidence.PersonInput{Name: vals.Get("seized_from.name"), Nationality: vals.Get("seized_from.nationality"),
		IDType: vals.Get("seized_from.id_type"), IDNumber: vals.Get("seized_from.id_number")}
	r.Officer, r.MemoNumber, r.Remarks = vals.Get("officer"), vals.Get("memo_number"), vals.Get("remarks")
	for _, w := range rows(vals, "witnesses") {
		if blank(w) {
			continue
		}
		r.Witnesses = append(r.Witnesses, evidence.Witness{Name: w.Get("name"), FatherName: w.Get("father_name"), Address: w.Get("address"), IDNumber: w.Get("id_number")})
	}
	for _, row := range rows(vals, "items") {
		if blank(row, "kind", "chain", "network") {
			continue
		}
		i := len(r.Items)
		it, errs := parseItemRow(fmt.Sprintf("items[%d]", i), row)
		fe.merge(errs)
		r.Items = append(r.Items, it)
	}
	return f, fe
}

// parseItemRow reads one item's inputs (named without their "items[i]."
// prefix) into the item the JSON body would carry. Every field typed is
// kept, whichever kind is chosen: a cash item with an address is refused by
// the check, not stripped of it.
func parseItemRow(p string, row url.Values) (evidence.ItemRequest, formErrors) {
	fe := formErrors{}
	it := evidence.ItemRequest{Kind: row.Get("kind"), Seal: row.Get("seal"), Description: row.Get("description"), Remarks: row.Get("remarks"),
		Chain: row.Get("chain"), Network: row.Get("network"), Address: strings.TrimSpace(row.Get("address")),
		SecretsSealed: row.Get("secrets_sealed") != "", SecretsLocation: row.Get("secrets_location")}
	if it.Kind != evidence.KindWallet {
		// The chain and network selects always send a value; on a cash
		// item they mean nothing unless an address was typed.
		if it.Address == "" {
			it.Chain, it.Network = "", ""
		}
	}
	for _, a := range rows(row, "amounts") {
		if blank(a) {
			continue
		}
		j := len(it.Amounts)
		amt := evidence.CashAmount{Currency: strings.TrimSpace(a.Get("currency")), Amount: strings.TrimSpace(a.Get("amount"))}
		field := fmt.Sprintf("%s.amounts[%d].denominations", p, j)
		ds, reason := parseDenominations(a.Get("denominations"))
		if reason != "" {
			fe[field] = append(fe[field], reason)
		}
		amt.Denominations = ds
		it.Amounts = append(it.Amounts, amt)
	}
	for _, h := range rows(row, "holdings") {
		if blank(h) {
			continue
		}
		it.Holdings = append(it.Holdings, evidence.Holding{Currency: strings.TrimSpace(h.Get("currency")), Amount: strings.TrimSpace(h.Get("amount"))})
	}
	if d := (evidence.Device{Make: row.Get("device.make"), Model: row.Get("device.model"), Serial: row.Get("device.serial")}); d != (evidence.Device{}) {
		it.Device = &d
	}
	// Further addresses, one a line: the API's addresses[], in order.
	for line := range strings.Lines(row.Get("addresses")) {
		if a := strings.TrimSpace(line); a != "" {
			it.Addresses = append(it.Addresses, a)
		}
	}
	// The item's own "seized from", when it was taken from someone other
	// than the seizure's person; left blank, the seizure's.
	if p := (evidence.PersonInput{Name: row.Get("seized_from.name"), Nationality: row.Get("seized_from.nationality"),
		IDType: row.Get("seized_from.id_type"), IDNumber: row.Get("seized_from.id_number")}); p != (evidence.PersonInput{}) {
		it.SeizedFrom = &p
	}
	return it, fe
}

var denominationRE = regexp.MustCompile(`^\s*([0-9][0-9.]*)\s*[x×*]\s*([0-9]{1,12})\s*$`)

// parseDenominations reads "5000x10, 1000x3" as notes of 5000 (ten) and
// of 1000 (three). The values and counts are then checked as the API
// checks them.
func parseDenominations(v string) ([]evidence.Denomination, string) {
	if strings.TrimSpace(v) == "" {
		return nil, ""
	}
	var out []evidence.Denomination
	for part := range strings.SplitSeq(v, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		m := denominationRE.FindStringSubmatch(part)
		if m == nil {
			return nil, fmt.Sprintf("%q does not read as VALUE x COUNT (e.g. 5000x10, 1000x3)", strings.TrimSpace(part))
		}
		n, err := strconv.ParseUint(m[2], 10, 64)
		if err != nil {
			return nil, fmt.Sprintf("count %q is not a whole number", m[2])
		}
		out = append(out, evidence.Denomination{Value: m[1], Count: n})
	}
	return out, ""
}

// formatDenominations writes denominations back as parseDenominations reads them.
func formatDenominations(ds []evidence.Denomination) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = fmt.Sprintf("%sx%d", d.Value, d.Count)
	}
	return strings.Join(parts, ", ")
}

// submitSeizure registers the seizure as POST /v1/seizures does (after
// POST /v1/cases when the case is new, in the same write, so that a refused
// seizure leaves no case behind): the same checks, in the same order, and
// one write, made once per form key. The caller has checked a's role as
// the API does (custodian, who may also create the case).
func (s *Server) submitSeizure(ctx context.Context, reg *evidence.Registry, a Actor, f seizureForm) (evidence.Receipt, error) {
	var rec evidence.Receipt
	req := f.Req
	var cs evidence.Case
	var problems formErrors
	if f.NewCase {
		req.CaseID = newCasePlaceholder
		var err error
		if cs, err = evidence.CheckCase(f.Case); err != nil {
			fe, _, ferr := fieldProblems(err)
			if ferr != nil {
				return rec, ferr
			}
			problems = fe.withPrefix("case.")
		}
	}
	seizure, err := evidence.CheckSeizure(req, time.Now())
	if err != nil || problems != nil {
		return rec, joinProblems(problems, err)
	}
	// The API runs reg.Precheck here only when the request has no
	// Idempotency-Key: with one, a refusal may be the retry of a write that
	// was made, and the write judges it. A form always has its key.
	actor := a.String()
	_, reply, err := s.writeForm(ctx, a, "seizure", f.Key, f, func(tx *ledger.Tx) (int, any, error) {
		sz := seizure // a copy: the write may run more than once
		if f.NewCase {
			made, err := reg.CreateCase(tx, cs, actor)
			if err != nil {
				return 0, nil, prefixFields(err, "case.")
			}
			sz.CaseID = made.ID
		}
		r, err := reg.Register(tx, &sz, actor)
		return http.StatusCreated, r, err
	})
	if err != nil {
		return rec, err
	}
	if err := json.Unmarshal(reply, &rec); err != nil {
		return rec, fmt.Errorf("decode seizure receipt: %w", err)
	}
	return rec, nil
}

// writeForm makes the write of one filling-in of a form (fn, inside one
// store transaction) once: a second submit with the same key and values
// answers the first one's status and body and writes nothing, as a retry
// with an Idempotency-Key does in the API; the same key with other values is
// refused. Keys are scoped to the user and the form, so no two users' keys
// meet, nor an API client's (those begin with a token id).
func (s *Server) writeForm(ctx context.Context, a Actor, form, key string, values any, fn func(tx *ledger.Tx) (int, any, error)) (int, []byte, error) {
	if !formKeyRE.MatchString(key) {
		return 0, nil, ledger.FieldErr("key", "the form is out of date; reload the page and submit again")
	}
	body, err := json.Marshal(values)
	if err != nil {
		return 0, nil, fmt.Errorf("encode %s form: %w", form, err)
	}
	hash := ledger.RequestHash([]byte(http.MethodPost), []byte("console/"+form), canonicalJSON(body))
	reply, _, err := s.store.WriteOnceChecked(ctx, "console "+form+" "+a.String()+" "+key, ledger.Request{Hash: hash, Legacy: hash}, nil,
		func(tx *ledger.Tx) (ledger.Reply, error) {
			status, out, err := fn(tx)
			if err != nil {
				return ledger.Reply{}, err
			}
			data, err := json.Marshal(out)
			if err != nil {
				return ledger.Reply{}, fmt.Errorf("encode answer: %w", err)
			}
			return ledger.Reply{Code: status, Body: data}, nil
		})
	if err != nil {
		return 0, nil, formKeyReused(err)
	}
	return reply.Code, reply.Body, nil
}

// formKeyReused says a form key was reused with other values: a page
// submitted, then edited and submitted again after it was registered.
func formKeyReused(err error) error {
	var e *ledger.Error
	if errors.As(err, &e) && e.Code == ledger.EConflict && len(e.Fields) == 1 && e.Fields[0].Field == ledger.KeyField {
		return ledger.Errorf(ledger.EConflict, "this form was already submitted and registered with other values; open a new form for another seizure")
	}
	return err
}

// joinProblems is the refusal of both checks at once: the case's fields and
// the seizure's, so that one submit shows every bad input.
func joinProblems(fe formErrors, err error) error {
	var de *ledger.Error
	if err != nil && !errors.As(err, &de) {
		return err
	}
	out := &ledger.Error{Code: ledger.EInvalid, Msg: "invalid input"}
	for _, k := range sortedKeys(fe) {
		for _, r := range fe[k] {
			out.Fields = append(out.Fields, ledger.FieldError{Field: k, Reason: r})
		}
	}
	if de != nil {
		if de.Code != ledger.EInvalid {
			return err
		}
		out.Fields = append(out.Fields, de.Fields...)
	}
	return out
}

// prefixFields puts each field of a refusal under prefix.
func prefixFields(err error, prefix string) error {
	var de *ledger.Error
	if !errors.As(err, &de) || len(de.Fields) == 0 {
		return err
	}
	out := *de
	out.Fields = make([]ledger.FieldError, len(de.Fields))
	for i, f := range de.Fields {
		out.Fields[i] = ledger.FieldError{Field: prefix + f.Field, Reason: f.Reason}
	}
	return &out
}

// addressCheck is the answer of the console's inline address check.
type addressCheck struct {
	Valid  bool   `json:"valid"`
	Type   string `json:"type,omitempty"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// consoleValidateAddress answers the seizure page's check of one address as
// it is typed (POST /validate-address, form fields chain, network,
// address): the check a wallet item's address gets on submit, so the reason
// shown while typing is the reason the submit would give. A secret (a seed
// phrase, a private key) is refused with its reason and never echoed.
func (s *Server) consoleValidateAddress(c echo.Context) error {
	// The API operation's roles, checked as the API checks them.
	if err := requireRole(c, access.Roles...); err != nil {
		return err
	}
	chainName, network, addr := c.FormValue("chain"), c.FormValue("network"), strings.TrimSpace(c.FormValue("address"))
	if addr == "" {
		return c.JSON(http.StatusOK, addressCheck{Field: "address", Reason: "is required"})
	}
	typ, field, reason := evidence.CheckWalletAddress(chainName, network, addr)
	if reason != "" {
		return c.JSON(http.StatusOK, addressCheck{Field: field, Reason: reason})
	}
	return c.JSON(http.StatusOK, addressCheck{Valid: true, Type: typ})
}

// seizureChoices are what the page's selects and lists offer: the chains
// and the currencies.
func seizureChoices() (chains []string, networks []string, currencies []string) {
	for _, cur := range money.All() {
		currencies = append(currencies, cur.Code)
	}
	return address.Chains(), networkChoices(), currencies
}

// networkChoices is every network of any chain, mainnet first.
func networkChoices() []string {
	out := []string{address.Mainnet}
	for _, ch := range address.Chains() {
		for _, n := range address.Networks(ch) {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}
