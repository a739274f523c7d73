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
// with its ledger transaction by finance, and an entry that names a ledger
// transaction, which only the event's own posting may set.
func CheckEvent(e chain.Entry) error {
	if e.Event == chain.EventConverted {
		return ledger.FieldErr("event", "a conversion moves money: "+AdviceConvert+", which writes the converted entry and its ledger transaction together")
	}
	// An entry names only the transaction its own event caused. No event
	// recorded here causes one the caller could know of: a release's is
	// posted by Record, a seizure's by Register and a conversion's by
	// finance.
	if e.LedgerTxn != 0 {
		return ledger.FieldErr("ledger_txn", "is set by the server, never by a client: an entry names only the ledger transaction its own event caused (a release's is posted with it)")
	}
	return nil
}

// Record records custody event e of a registered item inside tx: it posts
// the release of an event that ends custody, appends the entry (naming that
// posting) and claims a new seal number. On failure tx must be rolled back
// (the store's Write does that).
func (r *Registry) Record(tx *ledger.Tx, e chain.Entry) (chain.Entry, error) {
	if err := CheckEvent(e); err != nil {
		return chain.Entry{}, err
	}
	it, err := r.Item(tx, e.Item)
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

// release posts, inside tx, the ledger side of an event that ends custody:
// every holding of the item leaves custody:item:<id> for <root>:case:<case>,
// effective when the event happened, so the item stops counting as held and
// its case shows what was released. The entry then names that transaction.
// An item that holds nothing posts nothing.
func (r *Registry) release(tx *ledger.Tx, it Item, e *chain.Entry) error {
	to, ok := ReleaseAccount(e.Event, it.CaseID)
	if !ok {
		return nil
	}
	from := ItemAccount(it.ID)
	if err := checkReleaseAt(tx, it, e); err != nil {
		return err
	}
	page, err := tx.Balances(ledger.BalanceFilter{Account: from, Limit: 1000})
	if err != nil {
		return fmt.Errorf("holdings of item %d: %w", it.ID, err)
	}
	txn := ledger.Transaction{
		Effective: e.At,
		Actor:     e.RecordedBy,
		Memo:      fmt.Sprintf("%s: item %d leaves custody", e.Event, it.ID),
		Links:     []ledger.Link{{Kind: "case", Ref: strconv.FormatUint(it.CaseID, 10)}, {Kind: "item", Ref: strconv.FormatUint(it.ID, 10)}},
	}
	if e.CourtOrder != nil {
		txn.Memo += fmt.Sprintf(" under court order %s of %s", e.CourtOrder.Number, e.CourtOrder.Date)
	}
	for _, b := range page.Balances {
		if b.Account != from || b.Amount.IsZero() {
			continue
		}
		txn.Postings = append(txn.Postings, ledger.Posting{Account: from, Amount: b.Amount.Neg()}, ledger.Posting{Account: to, Amount: b.Amount})
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

// checkReleaseAt refuses a release dated before the item's latest posting.
// The release moves today's holdings at e.At: a posting after e.At would
// leave the account negative at the instants between the two.
func checkReleaseAt(tx *ledger.Tx, it Item, e *chain.Entry) error {
	if _, ok := ReleaseAccount(e.Event, it.CaseID); !ok {
		return nil
	}
	last, ok, err := tx.LatestPostingAt(ItemAccount(it.ID))
	if err != nil {
		return fmt.Errorf("latest posting of item %d: %w", it.ID, err)
	}
	if ok && e.At.Before(last) {
		return ledger.FieldErr("at", fmt.Sprintf("%s is before the item's latest ledger posting (%s): a release moves the holdings as they are after it, so it cannot take effect earlier",
			e.At.UTC().Format(time.RFC3339Nano), last.UTC().Format(time.RFC3339Nano)))
	}
	return nil
}

// CheckRecord says whether Record would accept e inside tx now, writing
// nothing: the checks of the event, the item, the release's date and the
// custody state machine.
func (r *Registry) CheckRecord(tx *ledger.Tx, e chain.Entry) error {
	if err := CheckEvent(e); err != nil {
		return err
	}
	it, err := r.Item(tx, e.Item)
	if err != nil {
		return err
	}
	if err := checkReleaseAt(tx, it, &e); err != nil {
		return err
	}
	return r.custody.Check(tx, e)
}
