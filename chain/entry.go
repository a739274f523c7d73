package chain

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/text"
)

// Location is where an item is after an event: a physical place, or for
// crypto the agency wallet holding it and the on-chain transaction that moved
// it there.
type Location struct {
	Circle, Building, Room string // physical custody
	Wallet, Network, TxID  string // crypto: agency wallet address, "chain" or "chain:network", on-chain tx id
}

// IsZero reports whether no field of the location is set.
func (l Location) IsZero() bool { return l == Location{} }

// Seal is a seal as seen at an event.
type Seal struct {
	Number string // seal number; empty when State is "none"
	State  string // SealIntact, SealBroken or SealNone
}

// Seal states.
const (
	SealIntact = "intact"
	SealBroken = "broken"
	SealNone   = "none"
)

// Attachment names a file kept outside the store (a photo, a signed form, an
// exchange statement) by the SHA-256 of its bytes.
type Attachment struct{ Name, SHA256 string } // SHA256: 64 lower-case hex digits

// CourtOrder is the order an event carries out.
type CourtOrder struct{ Number, Date string } // Date: YYYY-MM-DD

// Entry is one event in an item's chain of custody. The fields marked
// "assigned" are set by Append; whatever the caller puts there is replaced.
type Entry struct {
	Seq         uint64    // global custody entry number from 1 (assigned)
	Item        uint64    // the item
	ItemSeq     uint64    // 1, 2, ... within the item (assigned)
	Event       string    // one of the Event* constants
	At          time.Time // when it happened
	Recorded    time.Time // when the store committed it (assigned)
	RecordedBy  string    // "role:token-name" of the caller (of a proposal: its proposer)
	ApprovedBy  string    // the supervisor who approved the proposal, "" when none was needed
	From        string    // custodian who releases the item
	To          string    // custodian who receives it / holds it after the event
	Location    Location  // where the item is after the event
	Purpose     string
	SealBefore  Seal
	SealAfter   Seal
	Condition   string
	Remarks     string
	Attachments []Attachment
	CourtOrder  *CourtOrder
	// CourtOrderID is the registered order CourtOrder was copied from; 0
	// for an entry written before orders were registered (its CourtOrder
	// is then the free text the caller gave) or one that names no order.
	CourtOrderID uint64
	LedgerTxn    uint64 // the ledger transaction this event caused, if any
	PrevHash     string // hex leaf hash of the item's previous entry, "" for the first (assigned)
	LeafIndex    uint64 // index in the global Merkle log (assigned)
	Hash         string // hex RFC 6962 leaf hash of Canonical() (assigned)
}

// Events.
const (
	EventSeized       = "seized"
	EventSealed       = "sealed"
	EventTransferred  = "transferred"
	EventReceived     = "received"
	EventStored       = "stored"
	EventCheckedOut   = "checked_out"
	EventCheckedIn    = "checked_in"
	EventExamined     = "examined"
	EventUnsealed     = "unsealed"
	EventResealed     = "resealed"
	EventMovedOnChain = "moved_on_chain"
	EventSuperdari    = "superdari" // handed on a bond to its owner or another person (s.516-A CrPC)
	EventProduced     = "produced"  // produced before the court while on superdari
	EventConverted    = "converted"
	EventForfeited    = "forfeited"
	EventReturned     = "returned"
	EventDestroyed    = "destroyed"
	EventWrittenOff   = "written_off"
)

// Events lists every event in the order docs/custody.md describes them.
var Events = []string{
	EventSeized, EventSealed, EventTransferred, EventReceived, EventStored,
	EventCheckedOut, EventCheckedIn, EventExamined, EventUnsealed, EventResealed,
	EventMovedOnChain, EventSuperdari, EventProduced, EventConverted, EventForfeited, EventReturned,
	EventDestroyed, EventWrittenOff,
}

// Terminal events end an item's custody: nothing may follow them.
var Terminal = map[string]bool{
	EventConverted: true, EventForfeited: true, EventReturned: true,
	EventDestroyed: true, EventWrittenOff: true,
}

func knownEvent(e string) bool {
	for _, k := range Events {
		if k == e {
			return true
		}
	}
	return false
}

// entryFormat is the first line of every canonical custody entry.
const entryFormat = "amanat-custody/1"

const (
	maxName = 200  // people, places, seal numbers, order numbers
	maxText = 4096 // purpose, condition, remarks
	maxAtt  = 100
)

// Canonical is the entry's stored form and the bytes its log leaf hashes:
// UTF-8 text, one field a line in a fixed order, free text quoted with
// strconv.Quote, times in RFC 3339 UTC with nanoseconds only when needed.
// docs/custody-format.md gives the grammar. Hash is not part of it (it is the
// hash of these bytes).
func (e *Entry) Canonical() []byte {
	b := make([]byte, 0, 512+len(e.Purpose)+len(e.Remarks)+len(e.Condition)+96*len(e.Attachments))
	b = append(b, entryFormat+"\n"...)
	num := func(key string, n uint64) {
		b = append(b, key...)
		b = append(b, ' ')
		b = strconv.AppendUint(b, n, 10)
		b = append(b, '\n')
	}
	word := func(key, v string) {
		b = append(b, key...)
		b = append(b, ' ')
		b = append(b, v...)
		b = append(b, '\n')
	}
	q := func(key, v string) {
		b = append(b, key...)
		b = append(b, ' ')
		b = strconv.AppendQuote(b, v)
		b = append(b, '\n')
	}
	seal := func(key string, s Seal) {
		b = append(b, key...)
		b = append(b, ' ')
		b = strconv.AppendQuote(b, s.Number)
		b = append(b, ' ')
		b = append(b, s.State...)
		b = append(b, '\n')
	}
	tm := func(key string, t time.Time) {
		b = append(b, key...)
		b = append(b, ' ')
		b = t.UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, '\n')
	}
	num("seq", e.Seq)
	num("item", e.Item)
	num("item_seq", e.ItemSeq)
	word("event", e.Event)
	tm("at", e.At)
	tm("recorded", e.Recorded)
	q("recorded_by", e.RecordedBy)
	if e.ApprovedBy != "" { // absent from entries that needed no approval, so their bytes never change
		q("approved_by", e.ApprovedBy)
	}
	q("from", e.From)
	q("to", e.To)
	q("circle", e.Location.Circle)
	q("building", e.Location.Building)
	q("room", e.Location.Room)
	q("wallet", e.Location.Wallet)
	q("network", e.Location.Network)
	q("txid", e.Location.TxID)
	q("purpose", e.Purpose)
	seal("seal_before", e.SealBefore)
	seal("seal_after", e.SealAfter)
	q("condition", e.Condition)
	q("remarks", e.Remarks)
	for _, a := range e.Attachments {
		b = append(b, "attachment "...)
		b = append(b, a.SHA256...)
		b = append(b, ' ')
		b = strconv.AppendQuote(b, a.Name)
		b = append(b, '\n')
	}
	if o := e.CourtOrder; o != nil {
		b = append(b, "court_order "...)
		b = append(b, o.Date...)
		b = append(b, ' ')
		b = strconv.AppendQuote(b, o.Number)
		b = append(b, '\n')
		if e.CourtOrderID != 0 {
			num("court_order_id", e.CourtOrderID)
		}
	}
	num("ledger_txn", e.LedgerTxn)
	if e.PrevHash == "" {
		word("prev_hash", "none")
	} else {
		word("prev_hash", e.PrevHash)
	}
	num("leaf_index", e.LeafIndex)
	return b
}

// DecodeEntry reads a canonical entry. It is strict: the bytes must be
// exactly what Canonical writes for the result. Hash is left empty.
func DecodeEntry(data []byte) (Entry, error) {
	e, err := decodeEntry(data)
	if err != nil {
		return Entry{}, err
	}
	if !bytes.Equal(e.Canonical(), data) {
		return Entry{}, fmt.Errorf("record is not in canonical form")
	}
	return e, nil
}

// decodeEntry reads the fields of a canonical entry without the final
// round-trip check. Verify uses it: there the leaf hash already binds the
// bytes to those Append wrote, which Canonical made.
func decodeEntry(data []byte) (Entry, error) {
	var e Entry
	s := string(data)
	if !strings.HasSuffix(s, "\n") {
		return e, fmt.Errorf("record does not end in a newline")
	}
	first, rest, _ := strings.Cut(s, "\n")
	if first != entryFormat {
		return e, fmt.Errorf("unknown record format %q", first)
	}
	p := lineParser{rest: rest, n: 1}
	e.Seq = p.uint("seq")
	e.Item = p.uint("item")
	e.ItemSeq = p.uint("item_seq")
	e.Event = p.word("event")
	e.At = p.time("at")
	e.Recorded = p.time("recorded")
	e.RecordedBy = p.quoted("recorded_by")
	if p.err == nil && p.peek("approved_by") {
		e.ApprovedBy = p.quoted("approved_by")
	}
	e.From = p.quoted("from")
	e.To = p.quoted("to")
	e.Location.Circle = p.quoted("circle")
	e.Location.Building = p.quoted("building")
	e.Location.Room = p.quoted("room")
	e.Location.Wallet = p.quoted("wallet")
	e.Location.Network = p.quoted("network")
	e.Location.TxID = p.quoted("txid")
	e.Purpose = p.quoted("purpose")
	e.SealBefore = p.seal("seal_before")
	e.SealAfter = p.seal("seal_after")
	e.Condition = p.quoted("condition")
	e.Remarks = p.quoted("remarks")
	for p.err == nil && p.peek("attachment") {
		v := p.value("attachment")
		sum, name, _ := strings.Cut(v, " ")
		e.Attachments = append(e.Attachments, Attachment{Name: p.unquote(name), SHA256: sum})
	}
	if p.err == nil && p.peek("court_order") {
		v := p.value("court_order")
		date, number, _ := strings.Cut(v, " ")
		e.CourtOrder = &CourtOrder{Number: p.unquote(number), Date: date}
		if p.err == nil && p.peek("court_order_id") {
			e.CourtOrderID = p.uint("court_order_id")
		}
	}
	e.LedgerTxn = p.uint("ledger_txn")
	if h := p.word("prev_hash"); h != "none" {
		e.PrevHash = h
	}
	e.LeafIndex = p.uint("leaf_index")
	if p.err == nil && p.rest != "" {
		p.fail("unexpected line after leaf_index")
	}
	if p.err != nil {
		return Entry{}, p.err
	}
	return e, nil
}

// lineParser reads "key value" lines in a fixed order; the first failure
// sticks and later calls do nothing.
type lineParser struct {
	rest string
	n    int // line number of the last line read
	err  error
}

func (p *lineParser) fail(format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf("line %d: %s", p.n+1, fmt.Sprintf(format, args...))
	}
}

func (p *lineParser) peek(key string) bool {
	return strings.HasPrefix(p.rest, key+" ")
}

func (p *lineParser) value(key string) string {
	if p.err != nil {
		return ""
	}
	r := p.rest
	if len(r) <= len(key) || r[:len(key)] != key || r[len(key)] != ' ' {
		k, _, _ := strings.Cut(r, " ")
		p.fail("want %s, found %q", key, k)
		return ""
	}
	r = r[len(key)+1:]
	nl := strings.IndexByte(r, '\n')
	if nl < 0 {
		p.fail("missing %s", key)
		return ""
	}
	p.rest = r[nl+1:]
	p.n++
	return r[:nl]
}

func (p *lineParser) uint(key string) uint64 {
	v := p.value(key)
	if p.err != nil {
		return 0
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		p.fail("%s: %v", key, err)
	}
	return n
}

func (p *lineParser) word(key string) string { return p.value(key) }

func (p *lineParser) time(key string) time.Time {
	v := p.value(key)
	if p.err != nil {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		p.fail("%s: %v", key, err)
	}
	return t.UTC()
}

func (p *lineParser) unquote(v string) string {
	if p.err != nil {
		return ""
	}
	// Fast path: a quoted string without escapes is its own content.
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' && strings.IndexByte(v[1:len(v)-1], '\\') < 0 && strings.IndexByte(v[1:len(v)-1], '"') < 0 {
		return v[1 : len(v)-1]
	}
	s, err := strconv.Unquote(v)
	if err != nil {
		p.fail("bad quoted text %s", v)
	}
	return s
}

func (p *lineParser) quoted(key string) string { return p.unquote(p.value(key)) }

func (p *lineParser) seal(key string) Seal {
	v := p.value(key)
	if p.err != nil {
		return Seal{}
	}
	i := strings.LastIndexByte(v, ' ')
	if i < 0 {
		p.fail("%s needs a number and a state", key)
		return Seal{}
	}
	return Seal{Number: p.unquote(v[:i]), State: v[i+1:]}
}

// checkFields validates what an entry says on its own, before the item's
// state is consulted, naming each bad field as the JSON API spells it.
func checkFields(e *Entry, now time.Time) error {
	var p problems
	if e.Item == 0 {
		p.add("item", "is required")
	}
	switch {
	case e.Event == "":
		p.add("event", "is required")
	case !knownEvent(e.Event):
		p.add("event", fmt.Sprintf("%q is not a custody event (one of %s)", e.Event, strings.Join(Events, ", ")))
	}
	if e.At.IsZero() {
		p.add("at", "is required")
	} else if e.At.Before(time.Unix(0, 0)) {
		p.add("at", "is before 1970")
	} else if e.At.After(now.Add(time.Minute)) {
		p.add("at", fmt.Sprintf("%s is in the future", e.At.UTC().Format(time.RFC3339)))
	}
	if e.RecordedBy == "" {
		p.add("recorded_by", "is required")
	}
	p.text("recorded_by", e.RecordedBy, maxName, text.Line)
	p.text("approved_by", e.ApprovedBy, maxName, text.Line)
	if e.ApprovedBy != "" && SamePerson(e.ApprovedBy, e.RecordedBy) {
		p.add("approved_by", "breaks custody rule "+RuleTwoPersons+": the approver is the proposer")
	}
	p.text("from", e.From, maxName, text.Line)
	p.text("to", e.To, maxName, text.Line)
	p.text("location.circle", e.Location.Circle, maxName, text.Line)
	p.text("location.building", e.Location.Building, maxName, text.Line)
	p.text("location.room", e.Location.Room, maxName, text.Line)
	p.text("location.wallet", e.Location.Wallet, maxName, text.Line)
	p.text("location.network", e.Location.Network, maxName, text.Line)
	p.text("location.txid", e.Location.TxID, maxName, text.Line)
	p.text("purpose", e.Purpose, maxText, text.Block)
	p.text("condition", e.Condition, maxText, text.Block)
	p.text("remarks", e.Remarks, maxText, text.Block)
	p.seal("seal_before", e.SealBefore)
	p.seal("seal_after", e.SealAfter)
	if len(e.Attachments) > maxAtt {
		p.add("attachments", fmt.Sprintf("at most %d attachments", maxAtt))
	}
	for i, a := range e.Attachments {
		f := fmt.Sprintf("attachments[%d]", i)
		if a.Name == "" {
			p.add(f+".name", "is required")
		}
		p.text(f+".name", a.Name, maxName, text.Line)
		if !isSHA256Hex(a.SHA256) {
			p.add(f+".sha256", "must be 64 lower-case hex digits (the SHA-256 of the file)")
		}
	}
	if e.CourtOrderID != 0 && e.CourtOrder == nil {
		p.add("court_order_id", "an entry naming a registered order carries its number and date")
	}
	if o := e.CourtOrder; o != nil {
		if o.Number == "" {
			p.add("court_order.number", "is required")
		}
		p.text("court_order.number", o.Number, maxName, text.Line)
		if d, err := time.Parse("2006-01-02", o.Date); err != nil || d.Format("2006-01-02") != o.Date {
			p.add("court_order.date", "must be a date YYYY-MM-DD")
		} else if !e.At.IsZero() && d.After(e.At.UTC()) {
			p.add("court_order.date", fmt.Sprintf("%s is after the event (%s)", o.Date, e.At.UTC().Format("2006-01-02")))
		}
	}
	return p.err()
}

// SamePerson says whether two actors ("role:token-name") are one person:
// the same token name under any role, so that someone who holds both a
// custodian's and a supervisor's token cannot approve their own proposal.
func SamePerson(a, b string) bool {
	name := func(s string) string {
		if _, n, ok := strings.Cut(s, ":"); ok {
			return n
		}
		return s
	}
	return a == b || name(a) == name(b)
}

func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func isHexHash(s string) bool { return isSHA256Hex(s) }

// problems is the ledger's one field-problem collector, with the checks an
// entry's fields share.
type problems struct{ ledger.Problems }

func (p *problems) add(field, reason string) { p.Add(field, reason) }

// text routes every free-text field of an entry through the one shared
// check (ledger/text): an entry is copied into the signed log and into court
// bundles, which can never forget a wallet secret or hide a control
// character, so whatever path appends it (API, conversion, seizure, demo)
// must be refused here, before the write.
func (p *problems) text(field, v string, max int, form text.Form) {
	if reason := text.Check(v, max, form); reason != "" {
		p.add(field, reason)
	}
}

func (p *problems) seal(field string, s Seal) {
	if s == (Seal{}) {
		return // not given: Append fills it in
	}
	switch s.State {
	case SealNone:
		if s.Number != "" {
			p.add(field+".number", `must be empty when the state is "none"`)
		}
	case SealIntact, SealBroken:
		if s.Number == "" {
			p.add(field+".number", "is required when the item bears a seal")
			return
		}
		// The register's rule for a seal number, on every path: a number
		// with a blank, a tab or a NUL in it would pass for a new seal
		// and defeat the store-wide uniqueness of seals.
		if reason := text.CheckSeal(s.Number); reason != "" {
			p.add(field+".number", reason)
		}
	case "":
		p.add(field+".state", "is required (intact, broken or none)")
	default:
		p.add(field+".state", fmt.Sprintf("%q is not a seal state (intact, broken or none)", s.State))
		p.text(field+".number", s.Number, maxName, text.Line)
	}
}
