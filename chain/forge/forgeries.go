package forge

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// A Forgery is one edit an insider could make to a court bundle before
// re-signing it, and the rule of docs/custody-format.md it breaks.
type Forgery struct {
	Name string
	// Rule is the part of custody check's refusal that names the rule.
	Rule string
	// Replay is true when only a replay of the state machine (step 6 of
	// the format's checklist) sees it, not the byte rules of steps 1 to 5.
	Replay bool
	// Edit changes b. other is the bundle of a second item of the same
	// store, for forgeries that borrow its records.
	Edit func(b, other *Bundle)
	// AfterSign edits the signed JSON bundle instead (for what the
	// signature does not cover, such as the proofs); nil for most.
	AfterSign func(b *Bundle)
	// Body, when set, rewrites the checkpoint's signed text before it is
	// signed anew.
	Body func(text string) string
	// Rekey, when set, is the name of a new key the forger makes and signs
	// with, in place of the store's key: the bundle's origin and public
	// key become the new key's.
	Rekey string
	// KeepHead leaves the item's head and the heads line as the store
	// signed them (Bundle.KeepHead): the forgeries that only the head
	// commitment catches.
	KeepHead bool
}

// The forgeries expect the bundle of an item that was seized (its entry
// naming its seizure's ledger transaction), transferred, received, and
// converted (the converted entry naming a conversion transaction linked to
// the item and the conversion), with an attachment on some entry and the
// item's own record; and the bundle of another item of another seizure.

func entryByEvent(b *Bundle, event string) *Record {
	for i := range b.Entries {
		if v, _ := Line(b.Entries[i].Canonical, "event"); v == event {
			return &b.Entries[i]
		}
	}
	panic(fmt.Sprintf("forge: no %s entry in the bundle of item %d", event, b.Item))
}

func entryWithLine(b *Bundle, key string) *Record {
	for i := range b.Entries {
		if _, ok := Line(b.Entries[i].Canonical, key); ok {
			return &b.Entries[i]
		}
	}
	panic(fmt.Sprintf("forge: no entry with a %s line in the bundle of item %d", key, b.Item))
}

func txnByID(b *Bundle, id string) int {
	for i, t := range b.Transactions {
		if fmt.Sprint(t.ID) == id {
			return i
		}
	}
	panic(fmt.Sprintf("forge: no ledger transaction %s in the bundle of item %d", id, b.Item))
}

func dropTxn(b *Bundle, id string) {
	i := txnByID(b, id)
	b.Transactions = append(b.Transactions[:i], b.Transactions[i+1:]...)
}

// Forgeries lists one forgery per rule of the format that a re-signed bundle
// can break, grouped by the part of the bundle whose rule they break. Edits
// follow Scenario.
func Forgeries() []Forgery {
	return slices.Concat(entryForgeries(), transactionForgeries(), signatureForgeries(), recordForgeries(), orderForgeries(), headForgeries())
}

// entryForgeries break the rules of one custody entry: its fields as Append
// checks them, its order in the item's chain, and the state machine.
func entryForgeries() []Forgery {
	return []Forgery{
		{Name: "an event that is not a custody event", Rule: `event: "teleported" is not a custody event`,
			Edit: func(b, _ *Bundle) {
				e := entryByEvent(b, "transferred")
				e.Canonical = SetLine(e.Canonical, "event", "teleported")
			}},
		{Name: "a court order dated after its event", Rule: "court_order.date: 2099-01-01 is after the event",
			Edit: func(b, _ *Bundle) {
				e := entryByEvent(b, "transferred")
				e.Canonical = InsertBefore(e.Canonical, "ledger_txn", `court_order 2099-01-01 "CO-7/2025"`)
			}},
		{Name: "a court order with an impossible date", Rule: "court_order.date: must be a date YYYY-MM-DD",
			Edit: func(b, _ *Bundle) {
				e := entryByEvent(b, "transferred")
				e.Canonical = InsertBefore(e.Canonical, "ledger_txn", `court_order 2025-02-30 "CO-7/2025"`)
			}},
		{Name: "an entry dated after it was recorded", Rule: "at: 2099-01-01T00:00:00Z is in the future",
			Edit: func(b, _ *Bundle) {
				e := entryByEvent(b, "converted")
				e.Canonical = SetLine(e.Canonical, "at", "2099-01-01T00:00:00Z")
			}},
		{Name: "an upper-case attachment hash", Rule: "attachments[0].sha256: must be 64 lower-case hex digits",
			Edit: func(b, _ *Bundle) {
				e := entryWithLine(b, "attachment")
				v, _ := Line(e.Canonical, "attachment")
				sum, name, _ := strings.Cut(v, " ")
				e.Canonical = SetLine(e.Canonical, "attachment", strings.ToUpper(sum)+" "+name)
			}},
		{Name: "a recorder without a role", Rule: `recorded_by "asma" is not role:token-name`,
			Edit: func(b, _ *Bundle) {
				e := entryByEvent(b, "transferred")
				e.Canonical = SetLine(e.Canonical, "recorded_by", `"asma"`)
			}},
		{Name: "a seal left blank", Rule: `seal_before.state: "" is not a seal state`,
			Edit: func(b, _ *Bundle) {
				e := entryByEvent(b, "received")
				e.Canonical = SetLine(e.Canonical, "seal_before", `"" `)
			}},
		{Name: "a seal state that is not one", Rule: `seal_after.state: "tampered" is not a seal state`,
			Edit: func(b, _ *Bundle) {
				e := entryByEvent(b, "converted")
				v, _ := Line(e.Canonical, "seal_after")
				e.Canonical = SetLine(e.Canonical, "seal_after", v[:strings.LastIndexByte(v, ' ')+1]+"tampered")
			}},
		{Name: "entries out of order", Rule: "entries are not oldest first",
			Edit: func(b, _ *Bundle) {
				e := &b.Entries[1]
				e.Canonical = SetLine(e.Canonical, "seq", "1")
				e.ID = 1
			}},
		{Name: "a kind on an entry", Rule: "which only records carry",
			Edit: func(b, _ *Bundle) { b.Entries[0].Kind = "evidence.item" }},
		{Name: "a receiver left out", Rule: "the state machine reads it differently", Replay: true,
			Edit: func(b, _ *Bundle) {
				e := entryByEvent(b, "received")
				e.Canonical = SetLine(e.Canonical, "to", `""`)
			}},
	}
}

// transactionForgeries break the rules of the ledger transactions the
// entries name: as Post checks them, and that they are exactly the item's.
func transactionForgeries() []Forgery {
	return []Forgery{
		{Name: "a converted entry with ledger_txn 0", Rule: "a converted entry names its conversion's ledger transaction, not ledger_txn 0",
			Edit: func(b, _ *Bundle) {
				e := entryByEvent(b, "converted")
				id, _ := Line(e.Canonical, "ledger_txn")
				e.Canonical = SetLine(e.Canonical, "ledger_txn", "0")
				dropTxn(b, id)
			}},
		{Name: "a converted entry naming no conversion", Rule: "is converted, but this transaction is not a conversion of item",
			Edit: func(b, _ *Bundle) {
				// The entry keeps naming its own transaction (naming an
				// earlier entry's is a rule of its own); the transaction
				// loses the lines that make it this item's conversion.
				conv := entryByEvent(b, "converted")
				id, _ := Line(conv.Canonical, "ledger_txn")
				t := &b.Transactions[txnByID(b, id)]
				var kept []string
				for _, l := range strings.Split(t.Canonical, "\n") {
					if l != "link conversion" && !strings.HasPrefix(l, "link conversion ") {
						kept = append(kept, l)
					}
				}
				t.Canonical = strings.Join(kept, "\n")
			}},
		{Name: "a transaction whose postings do not sum to zero", Rule: "postings sum to",
			Edit: func(b, _ *Bundle) {
				// One more unit of the last place, so the amount keeps its
				// currency's scale and only the sum is wrong.
				t := &b.Transactions[0]
				lines := strings.Split(t.Canonical, "\n")
				for i, l := range lines {
					if strings.HasPrefix(l, "posting custody:item:") {
						last := byte('1')
						if l[len(l)-1] == '1' {
							last = '2'
						}
						lines[i] = l[:len(l)-1] + string(last)
						break
					}
				}
				t.Canonical = strings.Join(lines, "\n")
			}},
		{Name: "a transaction of another item that no entry names", Rule: "does not post to custody:item:",
			Edit: func(b, other *Bundle) {
				b.Transactions = append(b.Transactions, other.Transactions[0])
				sortTxns(b)
			}},
		{Name: "a transaction of another item", Rule: "does not post to custody:item:",
			Edit: func(b, other *Bundle) {
				e := entryByEvent(b, "seized")
				id, _ := Line(e.Canonical, "ledger_txn")
				e.Canonical = SetLine(e.Canonical, "ledger_txn", fmt.Sprint(other.Transactions[0].ID))
				dropTxn(b, id)
				b.Transactions = append(b.Transactions, other.Transactions[0])
				sortTxns(b)
			}},
		{Name: "a transaction twice", Rule: "transactions are not each once in increasing id order",
			Edit: func(b, _ *Bundle) {
				b.Transactions = append(b.Transactions[:1], b.Transactions...)
			}},
		{Name: "a transaction effective after it was recorded", Rule: "is after it was recorded",
			Edit: func(b, _ *Bundle) {
				t := &b.Transactions[0]
				t.Canonical = SetLine(t.Canonical, "effective", "2099-01-01T00:00:00Z")
			}},
	}
}

// signatureForgeries break the rules of the bundle's frame: its item, the
// log's origin, the proofs' spelling and the checkpoint's root.
func signatureForgeries() []Forgery {
	return []Forgery{
		{Name: "item 0", Rule: "bundle item is 0",
			Edit: func(b, _ *Bundle) { b.Item = 0 }},
		{Name: "a log origin of another form", Rule: `log origin "amanat.custody/not-a-store" is not amanat.custody/ followed by 16 lower-case hex digits`,
			Edit: func(b, _ *Bundle) {}, Rekey: "amanat.custody/not-a-store"},
		{Name: "an upper-case proof hash", Rule: "is not 64 lower-case hex digits",
			Edit: func(b, _ *Bundle) {},
			AfterSign: func(b *Bundle) {
				for i := range b.Entries {
					if len(b.Entries[i].Proof) > 0 {
						b.Entries[i].Proof[0] = strings.ToUpper(b.Entries[i].Proof[0])
						return
					}
				}
				panic("forge: no proof hash to change")
			}},
		{Name: "a root hash spelt with non-zero padding bits", Rule: "is not the standard base64 of its hash",
			Edit: func(_, _ *Bundle) {},
			Body: func(text string) string {
				// The last character before "=" carries 4 bits of the hash
				// and 2 padding bits: set the padding bits.
				lines := strings.SplitN(text, "\n", 4)
				r := []byte(lines[2])
				const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
				i := strings.IndexByte(alphabet, r[len(r)-2])
				r[len(r)-2] = alphabet[i|3]
				lines[2] = string(r)
				return strings.Join(lines, "\n")
			}},
	}
}

// recordForgeries break the rules of the item's own records.
func recordForgeries() []Forgery {
	return []Forgery{
		{Name: "the item's own record twice", Rule: "record twice",
			Edit: func(b, _ *Bundle) { b.Records = slices.Insert(b.Records, 1, b.Records[0]) }},
		{Name: "a record of a kind that is not an item's", Rule: `"evidence.case" is not a kind of an item's own record`,
			Edit: func(b, _ *Bundle) {
				r := &b.Records[0]
				r.Kind, r.Canonical = "evidence.case", SetLine(r.Canonical, "kind", "evidence.case")
			}},
	}
}

// Apply makes forgery f of bundle data (other: a second item's bundle of
// the same store) and re-signs it with skey, the store's own key, or with a
// new key when f says Rekey.
func Apply(f Forgery, data, other []byte, skey string) ([]byte, error) {
	b, err := Read(data)
	if err != nil {
		return nil, err
	}
	o, err := Read(other)
	if err != nil {
		return nil, err
	}
	f.Edit(b, o)
	b.KeepHead = f.KeepHead
	if f.Rekey != "" {
		sk, vk, err := note.GenerateKey(rand.Reader, f.Rekey)
		if err != nil {
			return nil, fmt.Errorf("forge: new key: %w", err)
		}
		_, rest, _ := strings.Cut(b.Checkpoint, "\n")
		b.PublicKey, b.Origin, b.Checkpoint, skey = vk, f.Rekey, f.Rekey+"\n"+rest, sk
	}
	out, err := b.Resign(skey)
	if err != nil || f.AfterSign == nil && f.Body == nil {
		return out, err
	}
	if b, err = Read(out); err != nil {
		return nil, err
	}
	if f.Body != nil {
		text, _, _ := strings.Cut(b.Checkpoint, "\n\n")
		if b.Checkpoint, err = sign(f.Body(text+"\n"), skey); err != nil {
			return nil, err
		}
	}
	if f.AfterSign != nil {
		f.AfterSign(b)
	}
	return b.marshal()
}

func sortTxns(b *Bundle) {
	for i := 1; i < len(b.Transactions); i++ {
		for j := i; j > 0 && b.Transactions[j].ID < b.Transactions[j-1].ID; j-- {
			b.Transactions[j], b.Transactions[j-1] = b.Transactions[j-1], b.Transactions[j]
		}
	}
}

// orderRecord is the court order record the converted entry names.
func orderRecord(b *Bundle) *Record {
	for i := range b.Records {
		if b.Records[i].Kind == "evidence.court_order" {
			return &b.Records[i]
		}
	}
	panic(fmt.Sprintf("forge: no court order record in the bundle of item %d", b.Item))
}

// setOrder sets field of the JSON of the court order record the bundle's
// entries name to value (JSON), keeping the version byte before it.
func setOrder(b *Bundle, field string, value any) {
	r := orderRecord(b)
	n := 0
	for k := 0; k < 3; k++ {
		n += strings.Index(r.Canonical[n:], "\n") + 1
	}
	head, body := r.Canonical[:n+1], r.Canonical[n+1:]
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		panic(fmt.Sprintf("forge: court order record: %v", err))
	}
	v, err := json.Marshal(value)
	if err != nil {
		panic(err)
	}
	m[field] = v
	out, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	r.Canonical = head + string(out)
}

// namingEntryDay is the date (YYYY-MM-DD) of the event of the entry that
// names a court order.
func namingEntryDay(b *Bundle) time.Time {
	at, _ := Line(entryWithLine(b, "court_order_id").Canonical, "at")
	d, err := time.Parse(time.DateOnly, at[:min(len(at), 10)])
	if err != nil {
		panic(fmt.Sprintf("forge: at line %q", at))
	}
	return d
}

// orderForgeries break the rules of the court orders the entries name: an
// entry of the scenario names a registered order (the converted entry its
// sale order), which the bundle carries.
func orderForgeries() []Forgery {
	return []Forgery{
		{Name: "the named court order left out", Rule: "named by custody entry",
			Edit: func(b, _ *Bundle) {
				r := orderRecord(b)
				b.Records = slices.DeleteFunc(b.Records, func(x Record) bool { return x.LeafIndex == r.LeafIndex })
			}},
		{Name: "a court order that does not cover the item", Rule: "does not cover item",
			Edit: func(b, _ *Bundle) { setOrder(b, "items", []uint64{b.Item + 1}) }},
		{Name: "a court order of a kind the event does not carry out", Rule: `carries out no "return" order`,
			Edit: func(b, _ *Bundle) { setOrder(b, "kind", "return") }},
		{Name: "a court order dated after the event", Rule: "after custody entry",
			Edit: func(b, _ *Bundle) { setOrder(b, "date", namingEntryDay(b).AddDate(0, 0, 1).Format(time.DateOnly)) }},
		{Name: "a court order whose number differs from the entry's", Rule: "differs from custody entry",
			Edit: func(b, _ *Bundle) { setOrder(b, "number", "Crl. Misc. 9999/2025") }},
		{Name: "a court order no entry names", Rule: "names it by court_order_id",
			Edit: func(b, _ *Bundle) {
				e := entryWithLine(b, "court_order_id")
				e.Canonical = strings.Replace(e.Canonical, "court_order_id 1\n", "", 1)
			}},
	}
}

// dropEntries removes the entries at indexes from b (counting from the end
// when negative) and chains the rest again (Resign rewrites prev_hash).
func dropEntries(b *Bundle, indexes ...int) {
	drop := map[int]bool{}
	for _, i := range indexes {
		if i < 0 {
			i += len(b.Entries)
		}
		drop[i] = true
	}
	var kept []Record
	for i, r := range b.Entries {
		if !drop[i] {
			kept = append(kept, r)
		}
	}
	b.Entries = kept
}

// headForgeries leave out part of the item's record, or show an older or
// another item's head, keeping the head and the heads line as the store
// signed them: only the head commitment (format 2) catches them, or the
// numbering of the entries where it sees a gap. The bundle is expected to
// hold a transaction that no entry names (a reconciliation's write-off).
func headForgeries() []Forgery {
	return []Forgery{
		{Name: "the first entry dropped", Rule: "an entry is missing", KeepHead: true,
			Edit: func(b, _ *Bundle) { dropEntries(b, 0) }},
		{Name: "a middle entry dropped", Rule: "an entry is missing", KeepHead: true,
			Edit: func(b, _ *Bundle) { dropEntries(b, 1) }},
		{Name: "the last entry dropped", Rule: "custody entries at the checkpoint, the bundle holds", KeepHead: true,
			Edit: func(b, _ *Bundle) {
				dropLast(b, 1)
			}},
		{Name: "the last two entries dropped", Rule: "custody entries at the checkpoint, the bundle holds", KeepHead: true,
			Edit: func(b, _ *Bundle) {
				dropLast(b, 2)
			}},
		{Name: "the records dropped", Rule: "carries no record of item", KeepHead: true,
			Edit: func(b, _ *Bundle) {
				o := *orderRecord(b)
				b.Records = []Record{o}
			}},
		{Name: "a write-off transaction dropped", Rule: "ledger transactions at the checkpoint, the bundle holds", KeepHead: true,
			Edit: func(b, _ *Bundle) {
				for _, t := range b.Transactions {
					if strings.Contains(t.Canonical, "\nlink reconciliation ") {
						dropTxn(b, fmt.Sprint(t.ID))
						return
					}
				}
				panic("forge: no reconciliation's transaction in the bundle")
			}},
		{Name: "another item's head swapped in", Rule: "head: is the head of item", KeepHead: true,
			Edit: func(b, other *Bundle) {
				h := *other.Head
				b.Head = &h
			}},
		{Name: "the head left out", Rule: "has no head of item", KeepHead: true,
			Edit: func(b, _ *Bundle) { b.Head = nil }},
		{Name: "a head that does not match its heads root", Rule: "against the checkpoint's heads root", KeepHead: true,
			Edit: func(b, _ *Bundle) { b.Head.Canonical = SetLine(b.Head.Canonical, "txns", "0") }},
	}
}

// dropLast removes the last n entries, which include the converted one,
// with the conversion's transaction and the court order it names, so that
// what is left agrees with itself.
func dropLast(b *Bundle, n int) {
	dropTxn(b, mustLine(entryByEvent(b, "converted").Canonical, "ledger_txn"))
	o := orderRecord(b)
	b.Records = slices.DeleteFunc(b.Records, func(r Record) bool { return r.Kind == o.Kind })
	for range n {
		dropEntries(b, -1)
	}
}

func mustLine(canonical, key string) string {
	v, ok := Line(canonical, key)
	if !ok {
		panic(fmt.Sprintf("forge: no %q line in %q", key, canonical))
	}
	return v
}
