package finance

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/money"
	"github.com/amanat-ledger/amanat/ledger/text"
)

// What reconciliation keeps (the schema's buckets):
//
//	ledger.FinanceRecons       BE(id) -> record
//	ledger.FinanceReconLatest  subject ("item:7", "location:x") -> BE(id) of
//	                           its latest reconciliation by date, then id

// Reconciliation methods: how the count was taken.
var reconMethods = map[string]bool{
	"count":     true, // cash counted in the malkhana
	"chain":     true, // a wallet balance read from the chain
	"statement": true, // a bank or exchange statement
}

// CountInput is one currency as counted.
type CountInput struct {
	Currency string `json:"currency"`
	Amount   string `json:"amount"`
}

// ReconciliationInput is a count of an item, or of everything at a location,
// on a date.
type ReconciliationInput struct {
	ItemID      string       `json:"item_id"`
	Location    string       `json:"location"`
	Date        string       `json:"date"`
	Method      string       `json:"method"`
	Counts      []CountInput `json:"counts"`
	Explanation string       `json:"explanation"`
}

// ReconLine compares one currency's count with the books at the end of the
// date. Difference is counted minus books.
type ReconLine struct {
	Currency   string `json:"currency"`
	Counted    string `json:"counted"`
	Books      string `json:"books"`
	Difference string `json:"difference"`
	Matched    bool   `json:"matched"`
}

// Reconciliation is a recorded count and its outcome.
type Reconciliation struct {
	ID          uint64      `json:"id"`
	ItemID      string      `json:"item_id,omitempty"`
	Location    string      `json:"location,omitempty"`
	Date        string      `json:"date"`
	Method      string      `json:"method"`
	Status      string      `json:"status"` // "matched" or "difference"
	Lines       []ReconLine `json:"lines"`
	Explanation string      `json:"explanation,omitempty"`
	// TxnID is the variance transaction posted for an item's difference;
	// a location's difference cannot be laid on one item and is left open
	// for item counts to settle.
	TxnID      uint64    `json:"variance_transaction_id,omitempty"`
	Actor      string    `json:"recorded_by"`
	ApprovedBy string    `json:"approved_by,omitempty"` // the supervisor who approved its variance (two-person rule)
	Recorded   time.Time `json:"recorded_at"`
}

// Statuses of a reconciliation.
const (
	Matched    = "matched"
	Difference = "difference"
)

type reconInput struct {
	item, location, method, explanation string
	date                                time.Time
	counts                              []money.Amount
}

// CheckReconciliation validates in without touching the store.
func CheckReconciliation(in ReconciliationInput) (reconInput, error) {
	var p ledger.Problems
	r := reconInput{item: in.ItemID, location: in.Location, method: in.Method}
	switch {
	case in.ItemID == "" && in.Location == "":
		p.Add("item_id", "give item_id or location")
	case in.ItemID != "" && in.Location != "":
		p.Add("location", "give item_id or location, not both")
	case in.ItemID != "":
		if err := CheckID(in.ItemID); err != nil {
			p.Add("item_id", err.Error())
		}
	default:
		r.location = cleanText(&p, "location", in.Location, 200, text.Line, true)
	}
	if in.Date == "" {
		p.Add("date", "is required")
	} else if d, err := ParseDate(in.Date); err != nil {
		p.Add("date", err.Error())
	} else {
		r.date = d
	}
	if in.Method == "" {
		r.method = "count"
	} else if !reconMethods[in.Method] {
		p.Addf("method", "%q is not one of count, chain, statement", in.Method)
	}
	if len(in.Counts) == 0 {
		p.Add("counts", "at least one currency must be counted")
	}
	seen := map[string]bool{}
	for i, c := range in.Counts {
		field := fmt.Sprintf("counts[%d]", i)
		cur, err := money.Lookup(c.Currency)
		if c.Currency == "" {
			p.Add(field+".currency", "is required")
			continue
		} else if err != nil {
			p.Add(field+".currency", err.Error())
			continue
		}
		if seen[cur.Code] {
			p.Addf(field+".currency", "%s is counted twice", cur.Code)
		}
		seen[cur.Code] = true
		if c.Amount == "" {
			p.Add(field+".amount", "is required")
			continue
		}
		a, err := money.ParseAmount(cur, c.Amount, money.NonNegative)
		if err != nil {
			p.Add(field+".amount", err.Error())
			continue
		}
		r.counts = append(r.counts, a)
	}
	r.explanation = cleanText(&p, "explanation", in.Explanation, 2000, text.Block, false)
	return r, p.Err()
}

// Reconcile records a count against the books at the end of its date. A match
// is recorded as such. A difference must be explained; for an item it is
// posted as a new transaction between custody:item:<id> and
// variance:item:<id>, so that the books then hold what was counted. Nothing
// earlier is changed.
func (s *Service) Reconcile(tx *ledger.Tx, in ReconciliationInput, actor string) (Reconciliation, error) {
	return s.ReconcileApproved(tx, in, actor, "")
}

// ReconcileApproved is Reconcile of a count proposed by actor whose
// variance approvedBy approved (two-person rule); both names are on the
// record.
func (s *Service) ReconcileApproved(tx *ledger.Tx, in ReconciliationInput, actor, approvedBy string) (Reconciliation, error) {
	r, err := CheckReconciliation(in)
	if err != nil {
		return Reconciliation{}, err
	}
	if r.date.After(Today(tx.Now)) {
		return Reconciliation{}, ledger.FieldErr("date", "is in the future")
	}
	at := EndOfDay(r.date)
	if at.After(tx.Now) {
		at = tx.Now
	}
	members, err := s.countedItems(tx, r, at)
	if err != nil {
		return Reconciliation{}, err
	}
	rec := Reconciliation{ItemID: r.item, Location: r.location, Date: FormatDate(r.date), Method: r.method, Status: Matched, Explanation: r.explanation, Actor: actor, ApprovedBy: approvedBy, Recorded: tx.Now}
	posts, err := compareCounts(tx, r, members, at, &rec)
	if err != nil {
		return Reconciliation{}, err
	}
	if rec.Status == Difference && r.explanation == "" {
		return Reconciliation{}, ledger.FieldErr("explanation", "a count that differs from the books needs an explanation")
	}
	if len(posts) > 0 {
		// The variance moves the balance from `at` on: dated before a
		// later posting, it would shift every balance after it too, and a
		// shortfall could leave the account negative between the two.
		last, ok, err := tx.LatestPostingAt(custodyAccount(r.item))
		if err != nil {
			return Reconciliation{}, fmt.Errorf("latest posting of item %s: %w", r.item, err)
		}
		if ok && last.After(at) {
			return Reconciliation{}, ledger.FieldErr("date", fmt.Sprintf("the count differs from the books, and item %s has a posting after %s (at %s); a difference can be posted only on or after the item's latest posting: count it again on a later date", r.item, rec.Date, last.Format(time.RFC3339)))
		}
	}
	id, err := tx.NextSequence(ledger.FinanceRecons)
	if err != nil {
		return Reconciliation{}, fmt.Errorf("next reconciliation id: %w", err)
	}
	rec.ID = id
	if len(posts) > 0 {
		t, err := tx.Post(ledger.Transaction{
			Effective: at, Actor: actor, Postings: posts,
			Memo:  fmt.Sprintf("reconciliation %d of item %s on %s (%s): %s", id, r.item, rec.Date, r.method, r.explanation),
			Links: []ledger.Link{{Kind: "item", Ref: r.item}, {Kind: "reconciliation", Ref: strconv.FormatUint(id, 10)}},
		})
		if err != nil {
			return Reconciliation{}, err
		}
		rec.TxnID = t.ID
	}
	data, err := ledger.EncodeRecord(recordVersion, rec)
	if err != nil {
		return Reconciliation{}, err
	}
	if err := tx.Put(ledger.FinanceRecons, ledger.BE64(id), data); err != nil {
		return Reconciliation{}, fmt.Errorf("store reconciliation %d: %w", id, err)
	}
	if err := s.markLatest(tx, rec); err != nil {
		return Reconciliation{}, err
	}
	return rec, nil
}

// countedItems is the items a count covers: the one item counted, or every
// item kept at the counted location at the instant at.
func (s *Service) countedItems(tx *ledger.Tx, r reconInput, at time.Time) ([]string, error) {
	var members []string
	if r.item != "" {
		if s.items != nil {
			ref, err := s.items.Item(tx, r.item)
			if err != nil {
				if ledger.ErrorCode(err) == ledger.ENotFound {
					return nil, ledger.FieldErr("item_id", fmt.Sprintf("item %s does not exist", r.item))
				}
				return nil, err
			}
			if err := checkItemCount(ref, r, at); err != nil {
				return nil, err
			}
		}
		members = []string{r.item}
	} else {
		if s.items == nil {
			return nil, ledger.Errorf(ledger.EInternal, "a location count needs the item directory, which is not configured")
		}
		if !s.seesLocation(r.location) {
			return nil, &ledger.Error{Code: ledger.EForbidden, Msg: "outside the caller's circles",
				Fields: []ledger.FieldError{{Field: "location", Reason: fmt.Sprintf("location %q is not in one of the caller's circles", r.location)}}}
		}
		refs, err := s.items.Items(tx)
		if err != nil {
			return nil, fmt.Errorf("list items: %w", err)
		}
		for _, ref := range refs {
			// An item seized after the count was not there to be
			// counted, so a count of a place dated before any of its
			// items arrived finds nothing to count and is refused.
			if ref.Location == r.location && !seizedAfter(ref, at) {
				members = append(members, ref.ID)
			}
		}
		if len(members) == 0 {
			return nil, ledger.FieldErr("location", fmt.Sprintf("no item was kept at %q on %s", r.location, FormatDate(r.date)))
		}
	}
	return members, nil
}

// compareCounts compares each counted currency with the books at the
// instant at into rec's lines and status, and returns the variance postings
// that bring an item's books to what was counted.
func compareCounts(tx *ledger.Tx, r reconInput, members []string, at time.Time, rec *Reconciliation) ([]ledger.Posting, error) {
	var posts []ledger.Posting
	for _, counted := range r.counts {
		cur := counted.Currency()
		books := money.Zero(cur)
		for _, item := range members {
			held, _, err := tx.BalanceAt(custodyAccount(item), cur, at)
			if err != nil {
				return nil, err
			}
			if books, err = books.Add(held); err != nil {
				return nil, err
			}
		}
		diff, err := counted.Sub(books)
		if err != nil {
			return nil, err
		}
		rec.Lines = append(rec.Lines, ReconLine{Currency: cur.Code, Counted: counted.String(), Books: books.String(), Difference: diff.String(), Matched: diff.IsZero()})
		if !diff.IsZero() {
			rec.Status = Difference
			if r.item != "" {
				posts = append(posts,
					ledger.Posting{Account: custodyAccount(r.item), Amount: diff},
					ledger.Posting{Account: varianceAccount(r.item), Amount: diff.Neg()})
			}
		}
	}
	return posts, nil
}

// markLatest makes rec the latest count of its item or location, unless a
// count of a later date is.
func (s *Service) markLatest(tx *ledger.Tx, rec Reconciliation) error {
	subject := rec.subject()
	if v := tx.Get(ledger.FinanceReconLatest, []byte(subject)); v != nil {
		prev, err := s.reconciliation(tx, binary.BigEndian.Uint64(v))
		if err != nil {
			return err
		}
		if prev.Date > rec.Date {
			return nil // an older count does not reopen or close a newer one
		}
	}
	if err := tx.Put(ledger.FinanceReconLatest, []byte(subject), ledger.BE64(rec.ID)); err != nil {
		return err
	}
	return nil
}

// checkItemCount refuses a count of one item that would put value into
// custody where none can be: after the item's custody ended, before it was
// seized, or in a currency its kind cannot hold.
func checkItemCount(ref ItemRef, r reconInput, at time.Time) error {
	if ref.Ended != "" {
		// Nothing can move value out of an ended custody again: a
		// variance posted now would stay in custody for ever.
		return ledger.FieldErr("item_id", fmt.Sprintf("item %s is no longer in custody (%s); a count of it cannot change the books", r.item, ref.Ended))
	}
	if seizedAfter(ref, at) {
		return ledger.FieldErr("date", fmt.Sprintf("is before item %s was seized (%s); the books hold nothing of it then", r.item, ref.SeizedAt.UTC().Format(time.RFC3339)))
	}
	var p ledger.Problems
	for i, c := range r.counts {
		if reason := kindRefuses(ref.Kind, c.Currency()); reason != "" {
			p.Add(fmt.Sprintf("counts[%d].currency", i), reason)
		}
	}
	return p.Err()
}

// seizedAfter says whether ref was seized after the instant at.
func seizedAfter(ref ItemRef, at time.Time) bool {
	return !ref.SeizedAt.IsZero() && ref.SeizedAt.After(at)
}

func (r Reconciliation) subject() string {
	if r.ItemID != "" {
		return "item:" + r.ItemID
	}
	return "location:" + r.Location
}

func (s *Service) reconciliation(tx *ledger.Tx, id uint64) (Reconciliation, error) {
	v := tx.Get(ledger.FinanceRecons, ledger.BE64(id))
	if v == nil {
		return Reconciliation{}, ledger.Errorf(ledger.ENotFound, "reconciliation %d not found", id)
	}
	var r Reconciliation
	if err := ledger.DecodeRecord(v, recordVersion, &r); err != nil {
		return Reconciliation{}, fmt.Errorf("reconciliation %d: %w", id, err)
	}
	return r, nil
}

// ReconFilter selects reconciliations.
type ReconFilter struct {
	ItemID   string
	Location string
	Status   string
	After    uint64
	Limit    int
}

// Reconciliations lists recorded reconciliations in id order; more is true
// when another page follows the last one returned.
func (s *Service) Reconciliations(tx *ledger.Tx, f ReconFilter) (out []Reconciliation, more bool, err error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	out = []Reconciliation{}
	visible, err := s.visible(tx)
	if err != nil {
		return nil, false, err
	}
	c := tx.Cursor(ledger.FinanceRecons)
	for k, v := c.Seek(ledger.BE64(f.After + 1)); k != nil; k, v = c.Next() {
		var r Reconciliation
		if err := ledger.DecodeRecord(v, recordVersion, &r); err != nil {
			return nil, false, fmt.Errorf("reconciliation %d: %w", binary.BigEndian.Uint64(k), err)
		}
		if f.ItemID != "" && r.ItemID != f.ItemID || f.Location != "" && r.Location != f.Location || f.Status != "" && r.Status != f.Status {
			continue
		}
		if !s.seesRecon(r, visible) {
			continue
		}
		if len(out) == f.Limit {
			return out, true, nil
		}
		out = append(out, r)
	}
	return out, false, nil
}

// Discrepancies lists the open differences: every item or location whose
// latest count (by date) disagreed with the books. A later count that matches
// (the books hold the variance posting by then) closes it. Ordered by id.
func (s *Service) Discrepancies(tx *ledger.Tx, after uint64, limit int) (out []Reconciliation, more bool, err error) {
	if limit <= 0 {
		limit = 100
	}
	out = []Reconciliation{}
	var ids []uint64
	if err := tx.ForEach(ledger.FinanceReconLatest, func(_, v []byte) error {
		if id := binary.BigEndian.Uint64(v); id > after {
			ids = append(ids, id)
		}
		return nil
	}); err != nil {
		return nil, false, err
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	visible, err := s.visible(tx)
	if err != nil {
		return nil, false, err
	}
	for _, id := range ids {
		r, err := s.reconciliation(tx, id)
		if err != nil {
			return nil, false, err
		}
		if r.Status != Difference || !s.seesRecon(r, visible) {
			continue
		}
		if len(out) == limit {
			return out, true, nil
		}
		out = append(out, r)
	}
	return out, false, nil
}
