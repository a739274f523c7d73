package httpapi

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/evidence"
	"github.com/amanat-ledger/amanat/ledger"
)

// actionForm is one custody form of the item page: the event it records
// and the groups of fields it asks for.
type actionForm struct {
	Event  string
	Label  string
	Fields []string
	// Proposal is true for an event of the two-person rule: the form
	// proposes it and a supervisor approves.
	Proposal bool
	// To is the value the "to" field starts with (who the item is pending
	// for, or goes back to).
	To string
}

// Has reports whether the form asks for the group of fields name.
func (a actionForm) Has(name string) bool {
	for _, f := range a.Fields {
		if f == name {
			return true
		}
	}
	return false
}

// custodyForms are the forms the item page offers in each custody status.
// Which events may follow is the state machine's to decide: a form offered
// here is still refused, next to its field, when the machine says no; the
// table only spares the custodian forms that cannot succeed.
func custodyForms(st chain.ItemState, kind string) []actionForm {
	sealIntact := st.Seal.State == chain.SealIntact
	var out []actionForm
	add := func(event, label string, fields ...string) {
		out = append(out, actionForm{Event: event, Label: label, Fields: fields, Proposal: evidence.NeedsApproval[event]})
	}
	seals := func() {
		switch {
		case sealIntact:
			add(chain.EventUnsealed, "Unseal", "remarks")
		case st.Seal.State == chain.SealNone || st.Seal.State == "":
			add(chain.EventSealed, "Seal", "seal_after", "remarks")
		default:
			add(chain.EventResealed, "Reseal", "seal_after", "remarks")
		}
		if !sealIntact {
			add(chain.EventExamined, "Examine", "condition", "remarks")
		}
	}
	switch st.Status {
	case chain.StatusInCustody:
		add(chain.EventTransferred, "Transfer", "from", "to", "remarks")
		add(chain.EventStored, "Store", "location", "remarks")
		add(chain.EventCheckedOut, "Check out", "to", "purpose", "remarks")
		if kind == evidence.KindWallet {
			add(chain.EventMovedOnChain, "Propose on-chain move", "wallet", "remarks")
		}
		seals()
		add(chain.EventForfeited, "Propose forfeiture", "court_order", "remarks")
		add(chain.EventReturned, "Propose return to owner", "to", "court_order", "remarks")
		add(chain.EventSuperdari, "Propose superdari", "to", "court_order", "remarks")
		add(chain.EventDestroyed, "Propose destruction", "court_order", "remarks")
		add(chain.EventWrittenOff, "Propose write-off", "remarks")
	case chain.StatusInTransit:
		add(chain.EventReceived, "Receive", "to", "condition", "remarks")
		out[len(out)-1].To = st.Pending
	case chain.StatusCheckedOut:
		add(chain.EventCheckedIn, "Check in", "to", "condition", "remarks")
		out[len(out)-1].To = st.ReturnTo
		seals()
	case chain.StatusSuperdari:
		add(chain.EventReceived, "Receive back from superdari", "to", "condition", "remarks")
		out[len(out)-1].To = st.ReturnTo
		add(chain.EventProduced, "Produced in court", "remarks")
		add(chain.EventReturned, "Propose return to owner", "to", "court_order", "remarks")
	}
	return out
}

// consoleItemPage is the data of item.html.
type consoleItemPage struct {
	Item        itemJSON
	Pending     string
	Entries     []chain.Entry
	MoreEntries bool
	Orders      []evidence.OrderView
	// Forms are the custody forms, for a custodian only.
	Forms []actionForm
	// Posted is the event of the form that was sent and refused, Values
	// what it held, so that it shows again filled in with its refusals.
	Posted string
	Values map[string]string
	Now    string
}

// consoleTimeline is how many custody entries the item page shows.
const consoleTimeline = 200

func (s *Server) consoleItem(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	d, err := s.itemPageData(c, id)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "item.html", d)
}

func (s *Server) itemPageData(c echo.Context, id uint64) (consoleItemPage, error) {
	reg, err := s.registryReader(c)
	if err != nil {
		return consoleItemPage{}, err
	}
	var d consoleItemPage
	err = s.store.View(func(tx *ledger.Tx) error {
		v, err := reg.View(tx, id)
		if err != nil {
			return err
		}
		if d.Item, err = s.itemJSON(tx, v); err != nil {
			return err
		}
		d.Pending = v.Custody.Pending
		if d.Entries, d.MoreEntries, err = reg.Entries(tx, id, 0, consoleTimeline); err != nil {
			return err
		}
		for _, oid := range v.CourtOrders {
			o, err := reg.CourtOrder(tx, oid)
			if err != nil {
				return err
			}
			d.Orders = append(d.Orders, o)
		}
		if consoleHolds(c, access.RoleCustodian) {
			d.Forms = custodyForms(v.Custody, v.Item.Kind)
		}
		d.Now = tx.Now.UTC().Format("2006-01-02T15:04:05")
		return nil
	})
	return d, err
}

// custodyFromForm reads a custody form into the request the API decodes
// from JSON: the same fields under the same names, a location's and a
// seal's parts as "location.circle", "seal_after.number".
func custodyFromForm(c echo.Context) (custodyRequest, error) {
	f := func(name string) string { return strings.TrimSpace(c.FormValue(name)) }
	req := custodyRequest{
		Event: f("event"), At: formInstant(f("at")), From: f("from"), To: f("to"),
		Location: custodyLocationJSON{Circle: f("location.circle"), Building: f("location.building"), Room: f("location.room"),
			Wallet: f("location.wallet"), Network: f("location.network"), TxID: f("location.txid")},
		Purpose:   f("purpose"),
		Condition: f("condition"),
		Remarks:   c.FormValue("remarks"),
	}
	for name, into := range map[string]**custodySealJSON{"seal_before": &req.SealBefore, "seal_after": &req.SealAfter} {
		if n, st := f(name+".number"), f(name+".state"); n != "" || st != "" {
			*into = &custodySealJSON{Number: n, State: st}
		}
	}
	if n, date := f("court_order.number"), f("court_order.date"); n != "" || date != "" {
		req.CourtOrder = &courtOrderJSON{Number: n, Date: date}
	}
	if v := f("court_order_id"); v != "" {
		id, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return req, ledger.FieldErr("court_order_id", fmt.Sprintf("%q is not an id", v))
		}
		req.CourtOrdID = ID(id)
	}
	return req, nil
}

// formInstant is the instant of a datetime-local field, which has no zone:
// the form asks for UTC, so "2025-06-03T10:00" is 10:00 UTC. Anything else
// goes to the domain as typed, to be refused there in its words.
func formInstant(v string) string {
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC().Format(time.RFC3339)
		}
	}
	return v
}

// consoleCustody records the custody event of an item page's form through
// the write POST /v1/items/{id}/custody makes.
func (s *Server) consoleCustody(c echo.Context) error {
	if err := requireRole(c, access.RoleCustodian); err != nil {
		return err
	}
	item, err := pathID(c, "id")
	if err != nil {
		return err
	}
	req, err := custodyFromForm(c)
	var body any
	if err == nil {
		var write func(tx *ledger.Tx) (int, any, error)
		if write, err = s.custodyWrite(c, item, req); err == nil {
			err = s.store.Write(c.Request().Context(), func(tx *ledger.Tx) (err error) {
				_, body, err = write(tx)
				return err
			})
		}
	}
	if err != nil {
		return s.custodyRefused(c, item, req.Event, err)
	}
	msg := fmt.Sprintf("Recorded: %s.", req.Event)
	switch b := body.(type) {
	case approvalJSON:
		msg = fmt.Sprintf("Proposed: %s, as approval %d; it is recorded when a supervisor approves it.", req.Event, b.ApprovalID)
	case entryJSON:
		msg = fmt.Sprintf("Recorded: %s, custody entry %d.", req.Event, b.Seq)
	}
	return s.redirectFlash(c, fmt.Sprintf("/items/%d", item), msg)
}

// custodyRefused shows the item page again with the refused form filled in
// as it was sent and each refusal next to the field it names; a refusal of
// a field the form does not have, or of none, above the form.
func (s *Server) custodyRefused(c echo.Context, item uint64, event string, err error) error {
	status, fields, msg := s.formProblem(err)
	if status >= 500 || status == http.StatusNotFound {
		return err
	}
	d, derr := s.itemPageData(c, item)
	if derr != nil {
		return derr
	}
	d.Posted = event
	d.Values = map[string]string{}
	if form, ferr := c.FormParams(); ferr == nil {
		for k := range form {
			if k != csrfField {
				d.Values[k] = form.Get(k)
			}
		}
	}
	var shown []string
	for _, f := range d.Forms {
		if f.Event == event {
			shown = append(f.Fields, "at")
		}
	}
	grouped := map[string]string{}
	var general []string
	for field, reason := range fields {
		group, _, _ := strings.Cut(field, ".")
		group, _, _ = strings.Cut(group, "[")
		if group == "court_order_id" {
			group = "court_order" // the form's choice of a registered order
		}
		if group == "location" && hasGroup(shown, "wallet") {
			// The on-chain move's form has a field for each part.
			grouped[field] = joinReason(grouped[field], reason)
			continue
		}
		if hasGroup(shown, group) {
			if field != group && field != "court_order_id" {
				reason = strings.TrimPrefix(field, group+".") + ": " + reason
			}
			grouped[group] = joinReason(grouped[group], reason)
		} else {
			general = append(general, field+": "+reason)
		}
	}
	if msg != "" {
		general = append([]string{msg}, general...)
	}
	return s.renderPage(c, status, "item.html", pageData{Data: d, Errors: grouped, Error: strings.Join(general, "; ")})
}

func hasGroup(groups []string, g string) bool {
	for _, x := range groups {
		if x == g {
			return true
		}
	}
	return false
}

func joinReason(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}
