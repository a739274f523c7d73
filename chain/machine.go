package chain

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/amanat-ledger/amanat/chain/address"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/text"
)

// Item statuses besides the terminal events' own names.
const (
	StatusInCustody  = "in_custody"
	StatusInTransit  = "in_transit"
	StatusCheckedOut = "checked_out"
	StatusSuperdari  = "on_superdari" // out on a bond, held by the superdar
)

// ItemState is what an item's custody entries add up to. It is derived: the
// store keeps a copy for quick reads, and Verify replays the log to prove
// that copy right.
type ItemState struct {
	Item     uint64
	Holder   string   // who is answerable for the item now
	Location Location // where it is now
	Seal     Seal     // its seal now
	Status   string   // in_custody, in_transit, checked_out, or the terminal event's name
	Entries  uint64   // number of entries
	LastSeq  uint64   // global seq of the newest entry
	LastAt   time.Time
	LastHash string // hex leaf hash of the newest entry: the next entry's PrevHash

	Pending    string   // in_transit: who must receive it
	ReturnTo   string   // checked_out: who it goes back to; on_superdari: the custodian who handed it over
	SealsUsed  []string // every seal number the item has borne, oldest first
	LedgerTxns []uint64 // ledger transactions its entries name, oldest first
}

// Rule names, as they appear in error messages and in docs/custody.md.
const (
	RuleFirstIsSeizure   = "first-entry-is-seizure"
	RuleSeizedOnce       = "seized-once"
	RuleNothingAfterEnd  = "nothing-after-terminal"
	RuleInOrder          = "events-in-time-order"
	RuleHolderReleases   = "only-holder-releases"
	RuleReceiveMatches   = "receipt-matches-transfer"
	RuleInTransit        = "in-transit-until-received"
	RuleNeedsCustody     = "needs-custody"
	RuleCheckInAfterOut  = "check-in-after-check-out"
	RuleSealMatches      = "seal-before-matches-log"
	RuleSealChanges      = "only-seal-events-change-seal"
	RuleSealOnce         = "seal-only-unsealed-item"
	RuleUnsealIntact     = "unseal-intact-seal"
	RuleResealNewNumber  = "reseal-with-new-number"
	RuleExamineUnsealed  = "examine-only-unsealed"
	RuleOnChainWallet    = "on-chain-move-needs-wallet-and-txid"
	RuleCourtOrder       = "release-needs-court-order"
	RuleWrittenOffReason = "write-off-needs-reason"
	RuleNeedsHolder      = "needs-receiving-custodian"
	RuleNeedsLocation    = "needs-location"
	RuleWalletOnly       = "on-chain-events-for-wallets-only"
	RuleLedgerTxnOfEvent = "ledger-txn-of-this-event"
	RuleTwoPersons       = "two-person-rule"

	// The register's rules on the court order an event names (it keeps
	// the orders; the state machine sees only the number and date copied
	// into the entry).
	RuleRegisteredOrder = "release-needs-registered-order"
	RuleOrderFits       = "order-fits-event"
	RuleOrderCovers     = "order-covers-item"
	RuleOrderBefore     = "order-made-before-event"
	RuleOrderInForce    = "order-in-force"
	RuleOrderRecipient  = "return-to-named-recipient"
)

// RuleErr is the refusal of an event that breaks a named custody rule,
// for the rules other packages hold (the register's court-order rules).
func RuleErr(rule, field, reason string) error { return ruleErr(rule, field, reason) }

// ruleErr is the refusal of an event that breaks the item's state: EInvalid
// (422), naming the rule in the message and the field at fault.
func ruleErr(rule, field, reason string) error {
	return &ledger.Error{Code: ledger.EInvalid, Msg: "breaks custody rule " + rule,
		Fields: []ledger.FieldError{{Field: field, Reason: reason}}}
}

func (p *problems) err() error { return p.Err() }

// apply checks e against the item's state st (nil before the first entry),
// fills in what the caller may leave out (seal before and after, the holder
// for events that do not change hands), and returns the state after e. It
// does not touch the store: Append and Verify share it.
func apply(st *ItemState, e *Entry) (ItemState, error) {
	if st == nil {
		return applyFirst(e)
	}
	if err := checkMayFollow(st, e); err != nil {
		return ItemState{}, err
	}
	if err := checkSealFound(st, e); err != nil {
		return ItemState{}, err
	}
	next := *st
	next.SealsUsed = slices.Clone(st.SealsUsed)
	next.LedgerTxns = slices.Clone(st.LedgerTxns)
	if err := applySeal(st, &next, e); err != nil {
		return ItemState{}, err
	}
	if err := applyEvent(st, &next, e); err != nil {
		return ItemState{}, err
	}
	if !e.Location.IsZero() {
		next.Location = e.Location
	}
	if e.LedgerTxn != 0 {
		// A transaction an earlier entry named was caused by that event,
		// not this one.
		if slices.Contains(st.LedgerTxns, e.LedgerTxn) {
			return ItemState{}, ruleErr(RuleLedgerTxnOfEvent, "ledger_txn", fmt.Sprintf("ledger transaction %d is already named by an earlier entry of item %d", e.LedgerTxn, st.Item))
		}
		next.LedgerTxns = append(next.LedgerTxns, e.LedgerTxn)
	}
	return next, nil
}

// checkMayFollow applies the rules on any entry after the first: nothing
// after the end, one seizure, time order, and a receipt before anything
// else while in transit.
func checkMayFollow(st *ItemState, e *Entry) error {
	if Terminal[st.Status] {
		return ruleErr(RuleNothingAfterEnd, "event",
			fmt.Sprintf("item %d was %s (entry %d); nothing may follow", st.Item, st.Status, st.LastSeq))
	}
	if e.Event == EventSeized {
		return ruleErr(RuleSeizedOnce, "event", fmt.Sprintf("item %d was already seized", st.Item))
	}
	if e.At.Before(st.LastAt) {
		return ruleErr(RuleInOrder, "at", fmt.Sprintf("%s is before the item's previous entry (%s)",
			e.At.UTC().Format(time.RFC3339Nano), st.LastAt.UTC().Format(time.RFC3339Nano)))
	}
	if st.Status == StatusInTransit && e.Event != EventReceived {
		return ruleErr(RuleInTransit, "event",
			fmt.Sprintf("item %d is in transit to %q; it must be received before anything else", st.Item, st.Pending))
	}
	return nil
}

// checkSealFound: what the custodian found must be what the log says, except
// that a seal the log calls intact may be found broken (which must be
// explained in remarks). A seal left out is the log's.
func checkSealFound(st *ItemState, e *Entry) error {
	if e.SealBefore == (Seal{}) {
		e.SealBefore = st.Seal
		return nil
	}
	if e.SealBefore == st.Seal {
		return nil
	}
	foundBroken := st.Seal.State == SealIntact && e.SealBefore.State == SealBroken && e.SealBefore.Number == st.Seal.Number
	if !foundBroken {
		return ruleErr(RuleSealMatches, "seal_before",
			fmt.Sprintf("the log says the seal is %s; a seal found broken is recorded as %q %s with remarks", sealText(st.Seal), st.Seal.Number, SealBroken))
	}
	if strings.TrimSpace(e.Remarks) == "" {
		return ruleErr(RuleSealMatches, "remarks", "a seal found broken must be explained in remarks")
	}
	return nil
}

// applyEvent applies the rules of e's event and moves next on: who holds
// the item, its status, and who it is pending for or goes back to.
func applyEvent(st, next *ItemState, e *Entry) error {
	switch e.Event {
	case EventTransferred:
		return applyTransfer(st, next, e)
	case EventReceived:
		return applyReceipt(st, next, e)
	case EventStored:
		if err := needCustody(st, e, StatusInCustody); err != nil {
			return err
		}
		if e.Location.IsZero() {
			return ruleErr(RuleNeedsLocation, "location", "storing an item says where")
		}
		return sameHolder(st, e)
	case EventCheckedOut:
		return applyCheckOut(st, next, e)
	case EventCheckedIn:
		return applyCheckIn(st, next, e)
	case EventExamined:
		if err := needCustody(st, e, StatusInCustody, StatusCheckedOut); err != nil {
			return err
		}
		if st.Seal.State == SealIntact {
			return ruleErr(RuleExamineUnsealed, "event",
				fmt.Sprintf("item %d is under intact seal %q: record %q first", st.Item, st.Seal.Number, EventUnsealed))
		}
		return sameHolder(st, e)
	case EventSealed, EventUnsealed, EventResealed:
		if err := needCustody(st, e, StatusInCustody, StatusCheckedOut); err != nil {
			return err
		}
		return sameHolder(st, e)
	case EventMovedOnChain:
		return applyMoveOnChain(st, next, e)
	case EventSuperdari:
		return applySuperdari(st, next, e)
	case EventProduced:
		if err := needCustody(st, e, StatusSuperdari); err != nil {
			return err
		}
		return sameHolder(st, e)
	case EventConverted, EventDestroyed, EventWrittenOff, EventForfeited, EventReturned:
		return applyEnd(st, next, e)
	}
	return nil
}

func applyTransfer(st, next *ItemState, e *Entry) error {
	if err := needCustody(st, e, StatusInCustody); err != nil {
		return err
	}
	if e.From != st.Holder {
		return ruleErr(RuleHolderReleases, "from",
			fmt.Sprintf("item %d is held by %q, not %q", st.Item, st.Holder, e.From))
	}
	if e.To == "" {
		return ruleErr(RuleNeedsHolder, "to", "a transfer names who receives the item")
	}
	if e.To == e.From {
		return ruleErr(RuleNeedsHolder, "to", "a transfer goes to someone else than the holder")
	}
	next.Status, next.Pending = StatusInTransit, e.To
	return nil
}

func applyReceipt(st, next *ItemState, e *Entry) error {
	if st.Status == StatusSuperdari {
		return applyBackFromSuperdari(st, next, e)
	}
	if st.Status != StatusInTransit {
		return ruleErr(RuleReceiveMatches, "event",
			fmt.Sprintf("item %d is not in transit (it is %s): a receipt needs a transfer first", st.Item, st.Status))
	}
	if err := fillOrMatch(&e.To, st.Pending, RuleReceiveMatches, "to", "item %d was transferred to %q, not %q", st.Item, st.Pending); err != nil {
		return err
	}
	if err := fillOrMatch(&e.From, st.Holder, RuleReceiveMatches, "from", "item %d was released by %q, not %q", st.Item, st.Holder); err != nil {
		return err
	}
	next.Status, next.Holder, next.Pending = StatusInCustody, e.To, ""
	return nil
}

func applyCheckOut(st, next *ItemState, e *Entry) error {
	if err := needCustody(st, e, StatusInCustody); err != nil {
		return err
	}
	if err := fillOrMatch(&e.From, st.Holder, RuleHolderReleases, "from", "item %d is held by %q, not %q", st.Item, st.Holder); err != nil {
		return err
	}
	if e.To == "" {
		return ruleErr(RuleNeedsHolder, "to", "a check-out names who takes the item")
	}
	next.Status, next.Holder, next.ReturnTo = StatusCheckedOut, e.To, st.Holder
	return nil
}

func applyCheckIn(st, next *ItemState, e *Entry) error {
	if st.Status != StatusCheckedOut {
		return ruleErr(RuleCheckInAfterOut, "event",
			fmt.Sprintf("item %d is not checked out (it is %s)", st.Item, st.Status))
	}
	if err := fillOrMatch(&e.From, st.Holder, RuleHolderReleases, "from", "item %d is held by %q, not %q", st.Item, st.Holder); err != nil {
		return err
	}
	if err := fillOrMatch(&e.To, st.ReturnTo, RuleCheckInAfterOut, "to", "item %d was checked out from %q and goes back to them, not to %q", st.Item, st.ReturnTo); err != nil {
		return err
	}
	next.Status, next.Holder, next.ReturnTo = StatusInCustody, e.To, ""
	return nil
}

func applyMoveOnChain(st, next *ItemState, e *Entry) error {
	if err := needCustody(st, e, StatusInCustody); err != nil {
		return err
	}
	// Only the holder moves the coins: the releasing party is the
	// holder, filled in when left out, as for a check-out.
	if err := fillOrMatch(&e.From, st.Holder, RuleHolderReleases, "from", "item %d is held by %q, not %q", st.Item, st.Holder); err != nil {
		return err
	}
	if err := checkOnChain(e); err != nil {
		return err
	}
	// A move into a wallet another custodian controls hands the item
	// over at once: the coins are under the new custodian's keys as
	// soon as the transaction is in the chain, so there is nothing to
	// receive. Left out, the holder stays.
	if e.To != "" {
		next.Holder = e.To
	}
	return nil
}

// applySuperdari hands the item on a bond to the person the superdari
// order names: the holder releases it, the superdar holds it until it is
// received back or returned for good.
func applySuperdari(st, next *ItemState, e *Entry) error {
	if err := needCustody(st, e, StatusInCustody); err != nil {
		return err
	}
	if err := fillOrMatch(&e.From, st.Holder, RuleHolderReleases, "from", "item %d is held by %q, not %q", st.Item, st.Holder); err != nil {
		return err
	}
	if e.To == "" || e.To == e.From {
		return ruleErr(RuleNeedsHolder, "to", "a superdari names the person who takes the item on the bond")
	}
	if e.CourtOrder == nil {
		return ruleErr(RuleCourtOrder, "court_order", "superdari needs the court order (number and date)")
	}
	next.Status, next.Holder, next.ReturnTo = StatusSuperdari, e.To, st.Holder
	return nil
}

// applyBackFromSuperdari receives an item on superdari back into custody:
// the superdar releases it to the custodian named in to.
func applyBackFromSuperdari(st, next *ItemState, e *Entry) error {
	if err := fillOrMatch(&e.From, st.Holder, RuleReceiveMatches, "from", "item %d is on superdari with %q, not %q", st.Item, st.Holder); err != nil {
		return err
	}
	if e.To == "" || e.To == e.From {
		return ruleErr(RuleNeedsHolder, "to", "a receipt back from superdari names the custodian who takes the item")
	}
	next.Status, next.Holder, next.ReturnTo = StatusInCustody, e.To, ""
	return nil
}

// applyEnd applies the events after which nothing may follow. Only a
// return ends a superdari; anything else needs the item back first.
func applyEnd(st, next *ItemState, e *Entry) error {
	allowed := []string{StatusInCustody}
	if e.Event == EventReturned {
		allowed = append(allowed, StatusSuperdari)
	}
	if err := needCustody(st, e, allowed...); err != nil {
		return err
	}
	if (e.Event == EventForfeited || e.Event == EventReturned) && e.CourtOrder == nil {
		return ruleErr(RuleCourtOrder, "court_order",
			fmt.Sprintf("%s needs the court order (number and date)", e.Event))
	}
	if e.Event == EventWrittenOff && strings.TrimSpace(e.Remarks) == "" {
		return ruleErr(RuleWrittenOffReason, "remarks", "a write-off says why in remarks")
	}
	next.Status = e.Event
	return nil
}

func applyFirst(e *Entry) (ItemState, error) {
	if e.Event != EventSeized {
		return ItemState{}, ruleErr(RuleFirstIsSeizure, "event",
			fmt.Sprintf("item %d has no custody entries: its first entry must be %q", e.Item, EventSeized))
	}
	if e.To == "" {
		return ItemState{}, ruleErr(RuleNeedsHolder, "to", "a seizure names the officer who holds the item")
	}
	if e.Location.IsZero() {
		return ItemState{}, ruleErr(RuleNeedsLocation, "location", "a seizure says where the item is")
	}
	if e.SealBefore == (Seal{}) {
		e.SealBefore = Seal{State: SealNone}
	}
	if e.SealBefore.State != SealNone {
		return ItemState{}, ruleErr(RuleSealMatches, "seal_before", `a seized item bears no agency seal before it is seized: use "none"`)
	}
	if e.SealAfter == (Seal{}) {
		e.SealAfter = Seal{State: SealNone}
	}
	if e.SealAfter.State == SealBroken {
		return ItemState{}, ruleErr(RuleSealChanges, "seal_after.state", "an item is seized either sealed (intact) or not yet sealed (none)")
	}
	if e.Location.Wallet != "" || e.Location.TxID != "" {
		if err := checkWallet(e); err != nil {
			return ItemState{}, err
		}
	}
	st := ItemState{Item: e.Item, Holder: e.To, Location: e.Location, Seal: e.SealAfter, Status: StatusInCustody}
	if e.SealAfter.Number != "" {
		st.SealsUsed = []string{e.SealAfter.Number}
	}
	if e.LedgerTxn != 0 {
		st.LedgerTxns = []uint64{e.LedgerTxn}
	}
	return st, nil
}

// applySeal checks the seal after the event and records it in next.
func applySeal(st, next *ItemState, e *Entry) error {
	before := e.SealBefore
	switch e.Event {
	case EventSealed:
		if before.State != SealNone {
			return ruleErr(RuleSealOnce, "event", fmt.Sprintf("item %d already bears seal %s: use %q for a new seal", st.Item, sealText(before), EventResealed))
		}
		if e.SealAfter.State != SealIntact {
			return ruleErr(RuleSealOnce, "seal_after", "sealing leaves an intact seal with its number")
		}
	case EventUnsealed:
		if before.State != SealIntact {
			return ruleErr(RuleUnsealIntact, "event", fmt.Sprintf("item %d bears no intact seal (%s)", st.Item, sealText(before)))
		}
		if e.SealAfter == (Seal{}) {
			e.SealAfter = Seal{Number: before.Number, State: SealBroken}
		}
		if e.SealAfter != (Seal{Number: before.Number, State: SealBroken}) {
			return ruleErr(RuleUnsealIntact, "seal_after", fmt.Sprintf("unsealing leaves seal %q broken", before.Number))
		}
	case EventResealed:
		if before.State == SealIntact {
			return ruleErr(RuleResealNewNumber, "event", fmt.Sprintf("item %d bears intact seal %q: unseal it first", st.Item, before.Number))
		}
		if e.SealAfter.State != SealIntact {
			return ruleErr(RuleResealNewNumber, "seal_after", "resealing leaves an intact seal with a new number")
		}
		if usedSeal(st.SealsUsed, e.SealAfter.Number) {
			return ruleErr(RuleResealNewNumber, "seal_after.number", fmt.Sprintf("item %d already bore seal %q: a new seal has a new number", st.Item, e.SealAfter.Number))
		}
	default:
		if e.SealAfter == (Seal{}) {
			e.SealAfter = before
		}
		if e.SealAfter != before {
			return ruleErr(RuleSealChanges, "seal_after", fmt.Sprintf("%s does not change the seal (%s); record %q, %q or %q", e.Event, sealText(before), EventSealed, EventUnsealed, EventResealed))
		}
	}
	if e.SealAfter.Number != "" && !usedSeal(next.SealsUsed, e.SealAfter.Number) {
		next.SealsUsed = append(next.SealsUsed, e.SealAfter.Number)
	}
	next.Seal = e.SealAfter
	return nil
}

// usedSeal says whether number is among the seals an item bore, compared
// the way the register keeps seals unique (text.SealKey): "isb-1" and
// "ISB-1" are the same seal read aloud.
func usedSeal(used []string, number string) bool {
	key := text.SealKey(number)
	return slices.ContainsFunc(used, func(u string) bool { return text.SealKey(u) == key })
}

func sealText(s Seal) string {
	if s.State == SealNone || s.State == "" {
		return "none"
	}
	return fmt.Sprintf("%q %s", s.Number, s.State)
}

func needCustody(st *ItemState, e *Entry, allowed ...string) error {
	if slices.Contains(allowed, st.Status) {
		return nil
	}
	return ruleErr(RuleNeedsCustody, "event", fmt.Sprintf("%s needs the item %s; item %d is %s", e.Event, strings.Join(allowed, " or "), st.Item, st.Status))
}

// sameHolder: an event that does not change hands is done by, or in the
// presence of, the holder; From and To, when given, must name the holder.
// fillOrMatch fills a party the custodian left out from what the log knows,
// or refuses a given one that differs: format and args describe the
// mismatch, with the given value appended as the last argument.
func fillOrMatch(party *string, want, rule, field, format string, args ...any) error {
	if *party == "" {
		*party = want
	}
	if *party != want {
		return ruleErr(rule, field, fmt.Sprintf(format, append(args, *party)...))
	}
	return nil
}

func sameHolder(st *ItemState, e *Entry) error {
	if e.From != "" && e.From != st.Holder {
		return ruleErr(RuleHolderReleases, "from", fmt.Sprintf("item %d is held by %q, not %q; %s does not change hands", st.Item, st.Holder, e.From, e.Event))
	}
	if e.To != "" && e.To != st.Holder {
		return ruleErr(RuleHolderReleases, "to", fmt.Sprintf("item %d is held by %q, not %q; %s does not change hands (use %q)", st.Item, st.Holder, e.To, e.Event, EventTransferred))
	}
	return nil
}

func checkOnChain(e *Entry) error {
	if e.Location.Wallet == "" {
		return ruleErr(RuleOnChainWallet, "location.wallet", "an on-chain move names the agency wallet address it went to")
	}
	if e.Location.TxID == "" {
		return ruleErr(RuleOnChainWallet, "location.txid", "an on-chain move names its transaction id")
	}
	return checkWallet(e)
}

// checkWallet validates the wallet address (when the network says which
// chain) and the form of the transaction id.
func checkWallet(e *Entry) error {
	if id := e.Location.TxID; id != "" {
		h := strings.TrimPrefix(id, "0x")
		if !isHexHash(strings.ToLower(h)) || strings.ToLower(h) != h && strings.ToUpper(h) != h {
			return ruleErr(RuleOnChainWallet, "location.txid", "must be 64 hex digits (optionally 0x-prefixed), as the chain shows it")
		}
	}
	if e.Location.Network == "" || e.Location.Wallet == "" {
		return nil
	}
	chainName, network, _ := strings.Cut(e.Location.Network, ":")
	res, err := address.Validate(chainName, network, e.Location.Wallet)
	if err != nil {
		return ruleErr(RuleOnChainWallet, "location.network", err.Error()+` (write "chain" or "chain:network", e.g. "bitcoin:mainnet")`)
	}
	if !res.Valid {
		return ruleErr(RuleOnChainWallet, "location.wallet", res.Reason)
	}
	return nil
}

// walletOnly names the events that only an item holding coins on a chain
// can have.
var walletOnly = map[string]bool{EventMovedOnChain: true}
