package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/evidence"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/text"
)

// input is one input of a form as its template draws it: the name is also
// its id (a label's for), the value what was typed, the reasons the check
// gave for it.
type input struct {
	Name   string
	Value  string
	Errors []string
}

// inputs hands out the inputs of one page and, once every one is made,
// places the reasons of a refusal on them.
type inputs struct {
	all map[string]*input
}

func (in *inputs) field(name, value string) *input {
	if in.all == nil {
		in.all = map[string]*input{}
	}
	if text.SecretKind(value) != "" {
		// A seed phrase or a private key typed by mistake is refused; it
		// is not drawn back into the page either.
		value = ""
	}
	f := &input{Name: name, Value: value}
	in.all[name] = f
	return f
}

// place puts each reason on its input, or the nearest enclosing one, and
// returns what fits none.
func (in *inputs) place(fe formErrors) []string {
	top := fe.placeErrors(func(name string) bool { return in.all[name] != nil })
	for name, reasons := range fe {
		in.all[name].Errors = reasons
	}
	return top
}

// seizurePage is the data of forms/seizure.html.
type seizurePage struct {
	Key       string
	NewCase   bool
	Cases     []evidence.Case
	CaseID    *input
	Case      map[string]*input // fir, fir_date, circle, operation, title
	CaseMode  *input
	Fields    map[string]*input // seized_at, officer, location.building, ...
	Witnesses []map[string]*input
	Items     []itemView
	Witness   *input // the list as a whole
	ItemsAll  *input
	Chains    []string
	Networks  []string
	Currency  []string
	Top       []string
	Message   string
	// The blank rows the page's script copies to add a row; their names
	// hold __L__ (the list) and __N__ (the row's index).
	TplWitness map[string]*input
	TplItem    itemView
	TplAmount  map[string]*input
	TplHolding map[string]*input
}

// itemView is one item of the seizure form.
type itemView struct {
	P        string // "items[0]"
	Self     *input // reasons about the item as a whole
	Kind     *input
	F        map[string]*input // seal, description, chain, network, address, ...
	Amounts  []map[string]*input
	Holdings []map[string]*input
	AmountsP string
	HoldP    string
	Secrets  bool
	Chains   []string
	Networks []string
}

var seizureFields = []string{"seized_at", "officer", "memo_number", "remarks", "location.circle", "location.building", "location.room",
	"seized_from.name", "seized_from.nationality", "seized_from.id_type", "seized_from.id_number"}

// seizureView is the page for f as typed, with the reasons of a refusal
// next to their inputs. Each list gets one blank row more than it holds, so
// that without JavaScript one more witness, item or amount can be typed.
func seizureView(f seizureForm, cases []evidence.Case, fe formErrors, msg string) seizurePage {
	var in inputs
	r := f.Req
	p := seizurePage{Key: f.Key, NewCase: f.NewCase, Cases: cases, Message: msg}
	p.Chains, p.Networks, p.Currency = seizureChoices()
	caseID := ""
	if r.CaseID != 0 && !f.NewCase {
		caseID = fmt.Sprint(uint64(r.CaseID))
	}
	p.CaseID = in.field("case_id", caseID)
	mode := "existing"
	if f.NewCase {
		mode = "new"
	}
	p.CaseMode = in.field("case_mode", mode)
	c := f.Case
	p.Case = map[string]*input{}
	for name, v := range map[string]string{"fir": c.FIR, "fir_date": c.FIRDate, "circle": c.Circle, "operation": c.Operation, "title": c.Title} {
		p.Case[name] = in.field("case."+name, v)
	}
	vals := map[string]string{"seized_at": r.SeizedAt, "officer": r.Officer, "memo_number": r.MemoNumber, "remarks": r.Remarks,
		"location.circle": r.Location.Circle, "location.building": r.Location.Building, "location.room": r.Location.Room,
		"seized_from.name": r.SeizedFrom.Name, "seized_from.nationality": r.SeizedFrom.Nationality,
		"seized_from.id_type": r.SeizedFrom.IDType, "seized_from.id_number": r.SeizedFrom.IDNumber}
	p.Fields = map[string]*input{}
	for _, name := range seizureFields {
		p.Fields[name] = in.field(name, vals[name])
	}
	p.Witness = in.field("witnesses", "")
	for i, w := range append(r.Witnesses, evidence.Witness{}) {
		p.Witnesses = append(p.Witnesses, witnessInputs(&in, fmt.Sprintf("witnesses[%d]", i), w))
	}
	p.ItemsAll = in.field("items", "")
	items := r.Items
	if len(items) == 0 {
		items = []evidence.ItemRequest{{Kind: evidence.KindCash}}
	}
	for i, it := range items {
		p.Items = append(p.Items, itemInputs(&in, fmt.Sprintf("items[%d]", i), it))
	}
	p.Top = in.place(fe)
	var tpl inputs
	const row = "__L__[__N__]"
	p.TplWitness = witnessInputs(&tpl, row, evidence.Witness{})
	p.TplItem = itemInputs(&tpl, row, evidence.ItemRequest{})
	p.TplAmount = amountInputs(&tpl, row, evidence.CashAmount{})
	p.TplHolding = holdingInputs(&tpl, row, evidence.Holding{})
	return p
}

// itemInputs are the inputs of one item.
func itemInputs(in *inputs, pre string, it evidence.ItemRequest) itemView {
	if it.Kind == "" {
		it.Kind = evidence.KindCash
	}
	v := itemView{P: pre, Self: in.field(pre, ""), Kind: in.field(pre+".kind", it.Kind), AmountsP: pre + ".amounts", HoldP: pre + ".holdings", Secrets: it.SecretsSealed}
	dev := evidence.Device{}
	if it.Device != nil {
		dev = *it.Device
	}
	from := evidence.PersonInput{}
	if it.SeizedFrom != nil {
		from = *it.SeizedFrom
	}
	v.F = map[string]*input{}
	for name, val := range map[string]string{"addresses": strings.Join(it.Addresses, "\n"),
		"seized_from": "", "seized_from.name": from.Name, "seized_from.nationality": from.Nationality,
		"seized_from.id_type": from.IDType, "seized_from.id_number": from.IDNumber,
		"seal": it.Seal, "description": it.Description, "remarks": it.Remarks,
		"chain": it.Chain, "network": it.Network, "address": it.Address, "secrets_location": it.SecretsLocation,
		"device.make": dev.Make, "device.model": dev.Model, "device.serial": dev.Serial, "secrets_sealed": "", "amounts": "", "holdings": "",
		"device": ""} {
		v.F[name] = in.field(pre+"."+name, val)
	}
	for j, a := range append(it.Amounts, evidence.CashAmount{}) {
		v.Amounts = append(v.Amounts, amountInputs(in, fmt.Sprintf("%s.amounts[%d]", pre, j), a))
	}
	for j, h := range append(it.Holdings, evidence.Holding{}) {
		v.Holdings = append(v.Holdings, holdingInputs(in, fmt.Sprintf("%s.holdings[%d]", pre, j), h))
	}
	v.Chains, _, _ = seizureChoices()
	v.Networks = networkChoices()
	return v
}

func witnessInputs(in *inputs, pre string, w evidence.Witness) map[string]*input {
	return map[string]*input{"self": in.field(pre, ""), "name": in.field(pre+".name", w.Name), "father_name": in.field(pre+".father_name", w.FatherName),
		"address": in.field(pre+".address", w.Address), "id_number": in.field(pre+".id_number", w.IDNumber)}
}

func amountInputs(in *inputs, pre string, a evidence.CashAmount) map[string]*input {
	return map[string]*input{"self": in.field(pre, ""), "currency": in.field(pre+".currency", a.Currency),
		"amount": in.field(pre+".amount", a.Amount), "denominations": in.field(pre+".denominations", formatDenominations(a.Denominations))}
}

func holdingInputs(in *inputs, pre string, h evidence.Holding) map[string]*input {
	return map[string]*input{"self": in.field(pre, ""), "currency": in.field(pre+".currency", h.Currency), "amount": in.field(pre+".amount", h.Amount)}
}

// pkt is the time of the officers who type a seizure's time: the form
// suggests now in it.
var pkt = time.FixedZone("PKT", 5*60*60)

// readCases is the cases a user may pick: those of the user's circles, as
// GET /v1/cases lists them for that user.
func (s *Server) readCases(c echo.Context) ([]evidence.Case, error) {
	reg := s.reg(c)
	var out []evidence.Case
	err := s.store.View(func(tx *ledger.Tx) error {
		var after uint64
		for {
			cs, next, err := reg.Cases(tx, after, 1000)
			if err != nil {
				return err
			}
			out = append(out, cs...)
			if next == 0 {
				return nil
			}
			after = next
		}
	})
	return out, err
}

func (s *Server) consoleSeizureForm(c echo.Context) error {
	// The API operation's roles, checked as the API checks them.
	if err := requireRole(c, access.RoleCustodian); err != nil {
		return err
	}
	cases, err := s.readCases(c)
	if err != nil {
		return err
	}
	f := seizureForm{Key: newFormKey()}
	f.Req.SeizedAt = time.Now().In(pkt).Truncate(time.Minute).Format(time.RFC3339)
	if len(cases) == 0 {
		f.NewCase = true
	}
	return s.render(c, http.StatusOK, "forms/seizure.html", seizureView(f, cases, nil, ""))
}

// consoleSeizureSubmit registers the seizure the form describes, as POST
// /v1/seizures does (custodian), or draws the form again with the
// refusal's reasons on their inputs.
func (s *Server) consoleSeizureSubmit(c echo.Context) error {
	if err := requireRole(c, access.RoleCustodian); err != nil {
		return err
	}
	a := actorOf(c)
	vals, err := c.FormParams()
	if err != nil {
		return ledger.Errorf(ledger.EMalformed, "read form: %v", err)
	}
	f, parseErrs := parseSeizureForm(vals)
	var rec evidence.Receipt
	if len(parseErrs) == 0 {
		rec, err = s.submitSeizure(c.Request().Context(), s.reg(c), a, f)
	} else {
		// The denominations that do not read are not sent on; the rest of
		// the form is still checked, so one submit shows every bad input.
		req := f.Req
		if f.NewCase {
			req.CaseID = newCasePlaceholder
		}
		_, cerr := evidence.CheckSeizure(req, time.Now())
		err = joinProblems(parseErrs, cerr)
	}
	if err == nil {
		return s.render(c, http.StatusCreated, "forms/seizure_done.html", rec)
	}
	fe, msg, ferr := fieldProblems(err)
	if ferr != nil {
		return ferr
	}
	if ledger.ErrorCode(err) == ledger.EForbidden {
		return err
	}
	cases, cerr := s.readCases(c)
	if cerr != nil {
		return cerr
	}
	status := s.toProblem(err).Status
	return s.render(c, status, "forms/seizure.html", seizureView(f, cases, fe, msg))
}
