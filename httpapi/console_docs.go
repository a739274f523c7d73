package httpapi

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/evidence"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/money"
)

// routesConsoleDocs registers the documents a court reads (docs/documents.md)
// on the console's group, which admits only a signed-in user. Each is the
// print view of what the API answers: the same domain calls, the same roles.
// The bundle check page is outside the group: a court clerk may have no
// account, and it reads nothing from the store.
func (s *Server) routesConsoleDocs(g *echo.Group) {
	g.GET("/docs/seizures/:txn", s.docSeizure)
	g.GET("/docs/items/:id/custody", s.docCustody)
	g.GET("/docs/items/:id/bundle", s.docBundle)
	g.GET("/docs/register", s.docRegister)
	g.GET("/docs/valuation", s.docValuation)
	s.e.GET("/check", s.getCheck)
	s.e.POST("/check", s.postCheck)
}

// docReader admits the roles that may read what the documents show: the
// API's readers, as for GET /v1/items and /v1/register.
func docReader(c echo.Context) (Actor, error) {
	a := consoleActor(c)
	if !slices.Contains(access.Readers, a.Role) {
		return a, ledger.Errorf(ledger.EForbidden, "role %s may not read documents (allowed: %v)", a.Role, access.Readers)
	}
	return a, nil
}

// docTime is how a document prints an instant: UTC, to the minute, as a
// court reads it.
func docTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// seizureDoc is the seizure memo (fard maqbuzgi) of one seizure.
type seizureDoc struct {
	Txn        uint64
	Case       evidence.Case
	MemoNumber string
	SeizedAt   string
	Recorded   string
	RecordedBy string
	Place      evidence.Place
	Officer    string
	SeizedFrom []evidence.Person
	Witnesses  []evidence.Witness
	Items      []evidence.Item
	Totals     []evidence.Holding // the seizure's value per currency, exact sums
}

// docSeizure is GET /docs/seizures/{txn}: the memo of the seizure whose
// ledger transaction is txn (the seizure's "transaction_id", each item's
// "ledger_txn"). The memo lists every item registered in that write, those
// that carried no value too.
func (s *Server) docSeizure(c echo.Context) error {
	a, err := docReader(c)
	if err != nil {
		return err
	}
	txn, err := pathID(c, "txn")
	if err != nil {
		return err
	}
	var doc seizureDoc
	err = s.store.View(func(tx *ledger.Tx) error {
		doc, err = s.seizureOf(tx, s.docRegistry(a), txn)
		return err
	})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "docs/seizure.html", doc)
}

// seizureOf finds the seizure of ledger transaction txn: the items it
// links, and every other item of their case recorded in the same write.
func (s *Server) seizureOf(tx *ledger.Tx, reg *evidence.Registry, txn uint64) (seizureDoc, error) {
	notSeizure := ledger.Errorf(ledger.ENotFound, "ledger transaction %d is not a seizure", txn)
	t, err := tx.Transaction(txn)
	if ledger.ErrorCode(err) == ledger.ENotFound {
		return seizureDoc{}, notSeizure
	}
	if err != nil {
		return seizureDoc{}, fmt.Errorf("read ledger transaction %d: %w", txn, err)
	}
	var first evidence.Item
	for _, l := range t.Links {
		if l.Kind != "item" {
			continue
		}
		id, err := strconv.ParseUint(l.Ref, 10, 64)
		if err != nil {
			return seizureDoc{}, notSeizure
		}
		if first, err = reg.Item(tx, id); err != nil {
			return seizureDoc{}, err
		}
		break
	}
	if first.ID == 0 || first.LedgerTxn != txn {
		return seizureDoc{}, notSeizure
	}
	cs, err := reg.Case(tx, first.CaseID)
	if err != nil {
		return seizureDoc{}, err
	}
	doc := seizureDoc{Txn: txn, Case: cs, MemoNumber: first.MemoNumber, SeizedAt: docTime(first.SeizedAt),
		Recorded: docTime(first.Recorded), RecordedBy: first.RecordedBy, Place: first.Place, Officer: first.Officer, Witnesses: first.Witnesses}
	var items []evidence.Item
	for f := (evidence.ItemFilter{CaseID: cs.ID, Limit: 1000}); ; {
		page, next, err := reg.Items(tx, f)
		if err != nil {
			return seizureDoc{}, err
		}
		for _, v := range page {
			// One write gives its items one recorded instant.
			if v.Recorded.Equal(first.Recorded) && v.SeizedAt.Equal(first.SeizedAt) {
				items = append(items, v.Item)
			}
		}
		if next == 0 {
			break
		}
		f.After = next
	}
	totals := map[string]money.Amount{}
	var order []string
	for _, it := range items {
		doc.Items = append(doc.Items, it)
		if !slices.Contains(doc.SeizedFrom, it.SeizedFrom) {
			doc.SeizedFrom = append(doc.SeizedFrom, it.SeizedFrom)
		}
		for _, h := range it.Value() {
			if err := addHolding(totals, &order, h); err != nil {
				return seizureDoc{}, fmt.Errorf("item %d: %w", it.ID, err)
			}
		}
	}
	for _, cur := range order {
		doc.Totals = append(doc.Totals, evidence.Holding{Currency: cur, Amount: totals[cur].String()})
	}
	return doc, nil
}

// addHolding adds h to sums, remembering the order currencies first appear.
func addHolding(sums map[string]money.Amount, order *[]string, h evidence.Holding) error {
	cur, err := money.Lookup(h.Currency)
	if err != nil {
		return err
	}
	amt, err := money.ParseStored(cur, h.Amount)
	if err != nil {
		return err
	}
	sum, ok := sums[h.Currency]
	if !ok {
		*order = append(*order, h.Currency)
		sum = money.Zero(cur)
	}
	if sums[h.Currency], err = sum.Add(amt); err != nil {
		return err
	}
	return nil
}

// docRegistry is the register as the caller sees it: the documents read
// through the same circle scope as the API (Server.reg).
func (s *Server) docRegistry(a Actor) *evidence.Registry {
	return s.evidence.In(a.Scope)
}

// The custody report reads the same entries, orders and balances as
// GET /v1/items/{id}, /custody and /v1/court-orders, and checks the item's
// own court bundle with chain.CheckBundle.
type custodyDoc struct {
	Item     evidence.ItemView
	Case     evidence.Case
	Entries  []custodyDocEntry
	Orders   []evidence.OrderView
	Holdings []evidence.Holding // now
	Check    bundleCheckDoc
	QR       qrSVG
	QRText   string
	Head     itemHead
	// The log that signed the bundle: its origin, public key and the key's
	// id (the signed-note key hash, the key's middle part).
	Origin, PublicKey, KeyID string
}

type custodyDocEntry struct {
	chain.Entry
	AtText   string
	Holdings []evidence.Holding // what the item held once the entry's event had happened
}

// itemHead is what the QR code carries besides the checkpoint: the item's
// last entry in the tree the checkpoint signs.
type itemHead struct {
	Item     uint64
	TreeSize uint64
	Root     string
	Seq      uint64
	Hash     string
}

// docCustody is GET /docs/items/{id}/custody: the item custody report for
// court.
func (s *Server) docCustody(c echo.Context) error {
	a, err := docReader(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	reg := s.docRegistry(a)
	var doc custodyDoc
	if err := s.store.View(func(tx *ledger.Tx) error { return s.custodyFacts(tx, reg, id, &doc) }); err != nil {
		return err
	}
	// The bundle is made as GET /v1/items/{id}/bundle makes it, after the
	// reads above: its checkpoint covers every entry they saw.
	b, err := s.custody.ExportItem(c.Request().Context(), id)
	if err != nil {
		return err
	}
	doc.Origin, doc.PublicKey = s.custody.Origin(), s.custody.PublicKey()
	if parts := strings.SplitN(doc.PublicKey, "+", 3); len(parts) == 3 {
		doc.KeyID = parts[1]
	}
	doc.Check = checkBundle(b, doc.PublicKey)
	if doc.Head, err = headOf(b); err != nil {
		return err
	}
	doc.QRText = qrText(b, doc.Head)
	if doc.QR, err = qrCode(doc.QRText); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "docs/custody.html", doc)
}

// custodyFacts reads the item, its case, its entries with what it held
// after each, and the court orders that cover it.
func (s *Server) custodyFacts(tx *ledger.Tx, reg *evidence.Registry, id uint64, doc *custodyDoc) error {
	v, err := reg.View(tx, id)
	if err != nil {
		return err
	}
	doc.Item = v
	if doc.Case, err = reg.Case(tx, v.CaseID); err != nil {
		return err
	}
	for _, b := range v.Balances {
		doc.Holdings = append(doc.Holdings, evidence.Holding{Currency: b.Currency().Code, Amount: b.String()})
	}
	for after := uint64(0); ; {
		es, more, err := reg.Entries(tx, id, after, 1000)
		if err != nil {
			return err
		}
		for _, e := range es {
			held, err := heldAt(tx, v, e.At)
			if err != nil {
				return err
			}
			doc.Entries = append(doc.Entries, custodyDocEntry{Entry: e, AtText: docTime(e.At), Holdings: held})
		}
		if !more || len(es) == 0 {
			break
		}
		after = es[len(es)-1].ItemSeq
	}
	for _, oid := range v.CourtOrders {
		o, err := reg.CourtOrder(tx, oid)
		if err != nil {
			return err
		}
		doc.Orders = append(doc.Orders, o)
	}
	return nil
}

// heldAt is what the item held at instant at, in custody and on superdari
// together, in each currency it holds now or was seized in.
func heldAt(tx *ledger.Tx, v evidence.ItemView, at time.Time) ([]evidence.Holding, error) {
	var curs []money.Currency
	for _, h := range v.Value() {
		if cur, err := money.Lookup(h.Currency); err == nil && !slices.Contains(curs, cur) {
			curs = append(curs, cur)
		}
	}
	for _, b := range v.Balances {
		if !slices.Contains(curs, b.Currency()) {
			curs = append(curs, b.Currency())
		}
	}
	out := make([]evidence.Holding, 0, len(curs))
	for _, cur := range curs {
		sum := money.Zero(cur)
		for _, acct := range []string{evidence.ItemAccount(v.ID), evidence.SuperdariAccount(v.ID)} {
			amt, ok, err := tx.BalanceAt(acct, cur, at)
			if err != nil {
				return nil, fmt.Errorf("balance of %s in %s at %s: %w", acct, cur.Code, at.Format(time.RFC3339), err)
			}
			if ok {
				if sum, err = sum.Add(amt); err != nil {
					return nil, err
				}
			}
		}
		out = append(out, evidence.Holding{Currency: cur.Code, Amount: sum.String()})
	}
	return out, nil
}

// docBundle is GET /docs/items/{id}/bundle: the item's court bundle, the
// same bytes as GET /v1/items/{id}/custody/bundle, for the clerk to
// download beside the printed report.
func (s *Server) docBundle(c echo.Context) error {
	a, err := docReader(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.store.View(func(tx *ledger.Tx) error { _, err := s.docRegistry(a).Item(tx, id); return err }); err != nil {
		return err
	}
	b, err := s.custody.ExportItem(c.Request().Context(), id)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=\"custody-item-%d.json\"", id))
	return c.JSONBlob(http.StatusOK, b)
}
