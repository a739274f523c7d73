package evidence

import (
	"fmt"
	"strconv"
	"time"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/ledger"
)

// What a custody event does beyond its entry in the log is the register's
// rule, not its caller's: an event that ends custody (forfeited, returned,
// destroyed, written off) releases the item's holdings in the books, and a
// reseal claims the new seal number for the item. Record does all of it in
// the caller's one write, so the entry, the release and the seal commit
// together or not at all.

// Advice the register gives in its own words; a front end may say where to
// do it (the HTTP layer names its endpoints).
const (
	AdviceCreateCase = "create the case first"
	AdviceConvert    = "record it as a conversion"
)

// CheckEvent refuses what no caller may record as a custody event, before
// anything is written: a conversion, which moves money and so is recorded
// with its ledger transaction by finance; a free-text court order, which is
// registered first and named by id; and an entry that names a ledger
// transaction, which only the event's own posting may set.
func CheckEvent(e chain.Entry) error {
	if e.Event == chain.EventConverted {
		return ledger.FieldErr("event", "a conversion moves money: "+AdviceConvert+", which writes the converted entry and its ledger transaction together")
	}
	// An entry names only the transaction its own event caused. No event
	// recorded here causes one the caller could know of: a release's is
	// posted by Record, a seizure's by Register and a conversion's by
	// finance.
	if e.CourtOrder != nil {
		return errFreeTextOrder
	}
	if e.LedgerTxn != 0 {
		return ledger.FieldErr("ledger_txn", "is set by the server, never by a client: an entry names only the ledger transaction its own event caused (a release's is posted with it)")
	}
	return nil
}

// prepare is what Record and CheckRecord do first, so that a proposal is
// checked exactly as its approval will record it: the event's own checks,
// the item, and the court order it names (copied into the entry).
func (r *Registry) prepare(tx *ledger.Tx, e *chain.Entry) (Item, error) {
	if err := CheckEvent(*e); err != nil {
		return Item{}, err
	}
	it, err := r.Item(tx, e.Item)
	if err != nil {
		return Item{}, err
	}
	if c := e.Location.Circle; c != "" && e.Event != chain.EventTransferred && e.Event != chain.EventMovedOnChain && !r.allows(c) {
		// Only a transfer hands an item to another circle, and only that
		// circle's custodian receives it there: a caller may not put an
		// item out of its own circle's sight by naming another place.
		return Item{}, chain.RuleErr(RuleOwnCircle, "location.circle",
			fmt.Sprintf("circle %q is not one of the caller's circles: only a transfer hands an item to another circle, whose custodian records the receipt", c))
	}
	if c := e.Location.Circle; c != "" {
		if err := r.checkKnownCircle(tx, c); err != nil {
			return Item{}, err
		}
	}
	if e.Event == chain.EventReceived && r.scope != nil && e.Location.Circle == "" {
		// A receipt naming no place takes the transfer's: of an item on
		// its way to another circle, only that circle receives it.
		c, err := r.ItemCircles(tx, it)
		if err != nil {
			return Item{}, err
		}
		if c.Incoming != "" && !r.allows(c.Incoming) {
			return Item{}, chain.RuleErr(RuleOwnCircle, "event",
				fmt.Sprintf("item %d is on its way to circle %q, not one of the caller's circles: its custodian there records the receipt", it.ID, c.Incoming))
		}
	}
	return it, r.applyOrder(tx, e)
}

// RuleOwnCircle is the rule that a caller limited to some circles names a
// place in another circle only in a transfer (or in an on-chain move, which
// never changes the item's circle: replayCircles).
const RuleOwnCircle = "own-circle-locations"

// Record records custody event e of a registered item inside tx: it posts
// the release of an event that ends custody, appends the entry (naming that
// posting) and claims a new seal number. On failure tx must be rolled back
// (the store's Write does that).
func (r *Registry) Record(tx *ledger.Tx, e chain.Entry) (chain.Entry, error) {
	it, err := r.prepare(tx, &e)
	if err != nil {
		return chain.Entry{}, err
	}
	if err := r.release(tx, it, &e); err != nil {
		return chain.Entry{}, err
	}
	got, err := r.custody.Append(tx, e)
	if err != nil {
		return chain.Entry{}, err
	}
	if err := indexEntry(tx, &got); err != nil {
		return chain.Entry{}, err
	}
	if got.SealAfter.Number != "" && got.SealAfter.Number != got.SealBefore.Number {
		if err := r.ClaimSeal(tx, "seal_after.number", got.SealAfter.Number, it.ID); err != nil {
			return chain.Entry{}, err
		}
	}
	return got, nil
}

// Entries is up to limit custody entries of registered item id after its
// entry number after (0: from its first), in order; more says whether a
// later page holds any.
func (r *Registry) Entries(tx *ledger.Tx, id, after uint64, limit int) (es []chain.Entry, more bool, err error) {
	if _, err := r.Item(tx, id); err != nil {
		return nil, false, err
	}
	if es, err = r.custody.EntriesAfter(tx, id, after, limit+1); err != nil {
		return nil, false, err
	}
	if more = len(es) > limit; more {
		es = es[:limit]
	}
	return es, more, nil
}

// release posts, inside tx, the ledger side of an event that moves the
// item's holdings: an event that ends custody moves every holding out of
// custody:item:<id> for <root>:case:<case>; a superdari moves it to
// superdari:item:<id>, and a receipt back from superdari (or a return from
// it) moves it back first. The moves are effective when the event happened,
// so the item stops counting as held and its case shows what was released.
// The entry then names that transaction, which always posts to the item's
// custody account. An item that holds nothing posts nothing.
func (r *Registry) release(tx *ledger.Tx, it Item, e *chain.Entry) error {
	legs, err := r.moves(tx, it, e.Event)
	if err != nil || len(legs) == 0 {
		return err
	}
	from := legs[0][0]
	if err := checkMoveAt(tx, from, e); err != nil {
		return err
	}
	page, err := tx.Balances(ledger.BalanceFilter{Account: from, Limit: 1000})
	if err != nil {
		return fmt.Errorf("holdings of item %d: %w", it.ID, err)
	}
	txn := ledger.Transaction{
		Effective: e.At,
		Actor:     e.RecordedBy,
		Memo:      fmt.Sprintf("%s: item %d %s", e.Event, it.ID, moveMemo(e.Event)),
		Links:     []ledger.Link{{Kind: "case", Ref: strconv.FormatUint(it.CaseID, 10)}, {Kind: "item", Ref: strconv.FormatUint(it.ID, 10)}},
	}
	if e.CourtOrder != nil {
		txn.Memo += fmt.Sprintf(" under court order %s of %s", e.CourtOrder.Number, e.CourtOrder.Date)
	}
	for _, b := range page.Balances {
		if b.Account != from || b.Amount.IsZero() {
			continue
		}
		for _, leg := range legs {
			txn.Postings = append(txn.Postings, ledger.Posting{Account: leg[0], Amount: b.Amount.Neg()}, ledger.Posting{Account: leg[1], Amount: b.Amount})
		}
	}
	if len(txn.Postings) == 0 {
		return nil
	}
	posted, err := tx.Post(txn)
	if err != nil {
		return fmt.Errorf("release item %d: %w", it.ID, err)
	}
	e.LedgerTxn = posted.ID
	return nil
}

// moveMemo says in words where the legs take the item's holdings.
func moveMemo(event string) string {
	switch {
	case event == chain.EventSuperdari:
		return "goes out on superdari"
	case event == chain.EventReceived:
		return "comes back into custody from superdari"
	}
	return "leaves custody"
}

// moves are the (from, to) account pairs event moves item's holdings
// along, in order; none for an event that moves nothing. A move out of
// superdari passes through custody:item:<id>, so that every such
// transaction posts to the item's own account, as an entry's transaction
// must (docs/custody-format.md).
func (r *Registry) moves(tx *ledger.Tx, it Item, event string) ([][2]string, error) {
	custody, bond := ItemAccount(it.ID), SuperdariAccount(it.ID)
	if event == chain.EventSuperdari {
		return [][2]string{{custody, bond}}, nil
	}
	to, release := ReleaseAccount(event, it.CaseID)
	if !release && event != chain.EventReceived {
		return nil, nil
	}
	st, err := r.custody.State(tx, it.ID)
	if err != nil {
		return nil, fmt.Errorf("custody state of item %d: %w", it.ID, err)
	}
	var legs [][2]string
	if st.Status == chain.StatusSuperdari {
		legs = append(legs, [2]string{bond, custody})
	}
	if release {
		legs = append(legs, [2]string{custody, to})
	}
	return legs, nil
}

// checkMoveAt refuses an event that moves the item's holdings out of from
// when it is dated before from's latest posting: the move takes the
// holdings as they are now at e.At, and a posting after e.At would leave
// the account negative at the instants between the two.
func checkMoveAt(tx *ledger.Tx, from string, e *chain.Entry) error {
	last, ok, err := tx.LatestPostingAt(from)
	if err != nil {
		return fmt.Errorf("latest posting of %s: %w", from, err)
	}
	if ok && e.At.Before(last) {
		return ledger.FieldErr("at", fmt.Sprintf("%s is before the item's latest ledger posting (%s): a release moves the holdings as they are after it, so it cannot take effect earlier",
			e.At.UTC().Format(time.RFC3339Nano), last.UTC().Format(time.RFC3339Nano)))
	}
	return nil
}

// CheckRecord says whether Record would accept e inside tx now, writing
// nothing: the checks of the event, the item, the court order it names, the
// date of the move it makes and the custody state machine. A proposal of
// the two-person rule is checked with it before it is stored.
func (r *Registry) CheckRecord(tx *ledger.Tx, e chain.Entry) error {
	it, err := r.prepare(tx, &e)
	if err != nil {
		return err
	}
	legs, err := r.moves(tx, it, e.Event)
	if err != nil {
		return err
	}
	if len(legs) > 0 {
		if err := checkMoveAt(tx, legs[0][0], &e); err != nil {
			return err
		}
	}
	return r.custody.Check(tx, e)
}
