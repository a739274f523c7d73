package chain

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/amanat-ledger/amanat/chain/log"
	"github.com/amanat-ledger/amanat/ledger"
)

// CheckBundle verifies a court bundle offline against every rule of
// docs/custody-format.md: the checkpoint's signature by the bundle's key
// and, when trusted keys are given, that this key is one of them (the
// report's Trusted says whether one was); every record's leaf hash and
// inclusion proof; each entry on its own as Append would check it, the
// item's hash chain and its state machine; each transaction as Post would
// check it, and that the transactions are exactly those the entries name;
// the item's own records, of the kinds keyed by item among kinds; the
// court orders the entries name, of the kind among kinds that says so. The
// error names the first failure and its rule.
func CheckBundle(data []byte, kinds []ledger.RecordKind, trusted ...string) (BundleReport, error) {
	var rep BundleReport
	b, err := decodeBundle(data)
	if err != nil {
		return rep, checkFailed(CheckReadable, err)
	}
	tree, err := checkBundleCheckpoint(b, trusted)
	if err != nil {
		return rep, checkFailed(CheckCheckpoint, err)
	}
	rep = BundleReport{Item: b.Item, TreeSize: tree.size, Origin: tree.origin, PublicKey: b.PublicKey, Trusted: tree.trusted}
	ents, err := checkBundleEntries(b, tree)
	if err != nil {
		return rep, checkFailed(CheckEntries, err)
	}
	if err := checkBundleTransactions(b, tree, ents); err != nil {
		return rep, checkFailed(CheckTransactions, err)
	}
	rep.Orders = len(ents.orders)
	if err := checkBundleRecords(b, tree, kinds, ents.orders); err != nil {
		return rep, checkFailed(CheckRecords, err)
	}
	rep.Entries, rep.Transactions, rep.Records, rep.State = len(b.Entries), len(b.Transactions), len(b.Records)-rep.Orders, *ents.state
	rep.Time = tree.ext.Time
	if b.Format == BundleFormatV1 {
		return rep, nil
	}
	if err := checkBundleComplete(b, tree, &rep); err != nil {
		return rep, err
	}
	return rep, nil
}

// decodeBundle reads exactly one bundle object of this format.
func decodeBundle(data []byte) (Bundle, error) {
	var b Bundle
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return b, fmt.Errorf("bundle is not readable JSON: %w", err)
	}
	if err := dec.Decode(&json.RawMessage{}); err != io.EOF {
		return b, fmt.Errorf("bundle is not readable JSON: something follows the bundle's object")
	}
	if b.Format != BundleFormat && b.Format != BundleFormatV1 {
		return b, fmt.Errorf("bundle format %q, this program reads %q and %q", b.Format, BundleFormat, BundleFormatV1)
	}
	if b.Format == BundleFormatV1 && (b.Head != nil || b.HeadsSize != 0 || b.HeadsRoot != "") {
		return b, fmt.Errorf("a bundle of format %q has no head", BundleFormatV1)
	}
	if b.Item == 0 {
		return b, fmt.Errorf("bundle item is 0: items are numbered from 1")
	}
	return b, nil
}

// bundleTree is the tree a bundle's checkpoint signs, which every record of
// the bundle must be proved in.
type bundleTree struct {
	origin  string
	size    uint64
	root    tlog.Hash
	trusted bool // the key is one the caller trusts
	ext     log.Extensions
}

// checkBundleCheckpoint checks the bundle's key against the trusted keys and
// its checkpoint's signature and body against what the bundle says.
func checkBundleCheckpoint(b Bundle, trusted []string) (bundleTree, error) {
	var t bundleTree
	keys, err := TrustedKeys(trusted...)
	if err != nil {
		return t, err
	}
	switch {
	case len(keys) == 1 && keys[0] != b.PublicKey:
		return t, fmt.Errorf("the bundle is signed by %s, not by the trusted key %s", b.PublicKey, keys[0])
	case len(keys) > 1 && !slices.Contains(keys, b.PublicKey):
		return t, fmt.Errorf("the bundle is signed by %s, not by any of the %d trusted keys", b.PublicKey, len(keys))
	}
	v, err := note.NewVerifier(b.PublicKey)
	if err != nil {
		return t, fmt.Errorf("public key: %w", err)
	}
	n, err := note.Open([]byte(b.Checkpoint), note.VerifierList(v))
	if err != nil {
		return t, fmt.Errorf("checkpoint signature: %w", err)
	}
	origin, size, root, err := log.ParseCheckpointBody(n.Text)
	if err != nil {
		return t, err
	}
	// Base64 decoding forgives non-zero padding bits: one root hash would
	// have several spellings, all signed.
	if line := strings.SplitN(n.Text, "\n", 4)[2]; line != base64.StdEncoding.EncodeToString(root[:]) {
		return t, fmt.Errorf("checkpoint root %q is not the standard base64 of its hash", line)
	}
	if origin != b.Origin || origin != v.Name() {
		return t, fmt.Errorf("checkpoint is for log %q, the bundle says %q and the key %q", origin, b.Origin, v.Name())
	}
	if !log.ValidOrigin(origin) {
		return t, fmt.Errorf("log origin %q is not %s followed by 16 lower-case hex digits", origin, log.OriginPrefix)
	}
	if size != b.TreeSize || log.HashHex(root) != b.RootHash {
		return t, fmt.Errorf("checkpoint (size %d, root %s) differs from the bundle's tree_size and root_hash", size, log.HashHex(root))
	}
	ext, err := log.ParseExtensions(n.Text)
	if err != nil {
		return t, err
	}
	return bundleTree{origin: origin, size: size, root: root, trusted: len(keys) > 0, ext: ext}, nil
}

// prove checks one record's leaf hash and its inclusion proof in the tree.
// Its errors leave naming the record to the caller.
func (t bundleTree) prove(r BundleRecord) error {
	h := tlog.RecordHash([]byte(r.Canonical))
	if log.HashHex(h) != r.LeafHash {
		return fmt.Errorf("leaf hash does not match its canonical bytes")
	}
	proof := make(tlog.RecordProof, len(r.Proof))
	for i, s := range r.Proof {
		x, err := hex.DecodeString(s)
		if err != nil || len(x) != tlog.HashSize || !isSHA256Hex(s) {
			return fmt.Errorf("proof hash %d is not 64 lower-case hex digits", i)
		}
		copy(proof[i][:], x)
	}
	if r.LeafIndex >= t.size {
		return fmt.Errorf("leaf %d is beyond the checkpoint's %d leaves", r.LeafIndex, t.size)
	}
	if err := tlog.CheckRecord(proof, int64(t.size), t.root, int64(r.LeafIndex), h); err != nil {
		return fmt.Errorf("inclusion proof fails: %w", err)
	}
	return nil
}

// bundleEntries is what the entries of a bundle add up to.
type bundleEntries struct {
	state      *ItemState
	named      map[uint64]uint64  // ledger transaction -> the first entry that names it
	conversion map[uint64]uint64  // ledger transaction -> the converted entry that names it
	orders     map[uint64][]Entry // court order id -> the entries that name it
}

// checkBundleEntries checks each entry's proof, bytes and place in the
// item's chain, and replays the item's state machine.
func checkBundleEntries(b Bundle, tree bundleTree) (bundleEntries, error) {
	out := bundleEntries{named: map[uint64]uint64{}, conversion: map[uint64]uint64{}, orders: map[uint64][]Entry{}}
	var lastSeq, lastLeaf uint64
	for i, r := range b.Entries {
		what := fmt.Sprintf("custody entry %d", r.ID)
		e, err := checkBundleEntry(b, tree, i, r, lastSeq, lastLeaf)
		if err != nil {
			return out, fmt.Errorf("%s: %w", what, err)
		}
		lastSeq, lastLeaf = e.Seq, e.LeafIndex
		if err := out.replay(e, r.LeafHash); err != nil {
			return out, fmt.Errorf("%s: %w", what, err)
		}
	}
	if out.state == nil {
		return out, fmt.Errorf("the bundle holds no custody entries")
	}
	return out, nil
}

// checkBundleEntry checks entry i of the bundle on its own: its proof, its
// numbering, and what Append refuses on input. Errors leave out the
// "custody entry N: " that the caller puts first.
func checkBundleEntry(b Bundle, tree bundleTree, i int, r BundleRecord, lastSeq, lastLeaf uint64) (Entry, error) {
	if r.Kind != "" {
		return Entry{}, fmt.Errorf("has kind %q, which only records carry", r.Kind)
	}
	if err := tree.prove(r); err != nil {
		return Entry{}, err
	}
	e, err := DecodeEntry([]byte(r.Canonical))
	if err != nil {
		return Entry{}, err
	}
	switch {
	case e.Seq != r.ID || e.LeafIndex != r.LeafIndex:
		return e, fmt.Errorf("the record says entry %d at leaf %d", e.Seq, e.LeafIndex)
	case e.Item != b.Item:
		return e, fmt.Errorf("belongs to item %d, not %d", e.Item, b.Item)
	case e.ItemSeq != uint64(i+1):
		return e, fmt.Errorf("is the item's entry %d, expected %d (an entry is missing)", e.ItemSeq, i+1)
	case e.Seq == 0:
		return e, fmt.Errorf("custody entries are numbered from 1")
	case i > 0 && (e.Seq <= lastSeq || e.LeafIndex <= lastLeaf):
		return e, fmt.Errorf("entries are not oldest first (entry %d at leaf %d comes after entry %d at leaf %d)", e.Seq, e.LeafIndex, lastSeq, lastLeaf)
	}
	// What Append refuses on input, judged against the store's clock
	// when it recorded the entry.
	fields := e
	if err := checkFields(&fields, e.Recorded); err != nil {
		return e, err
	}
	if role, name, ok := strings.Cut(e.RecordedBy, ":"); !ok || role == "" || name == "" {
		return e, fmt.Errorf("recorded_by %q is not role:token-name", e.RecordedBy)
	}
	for _, s := range []struct {
		field string
		seal  Seal
	}{{"seal_before", e.SealBefore}, {"seal_after", e.SealAfter}} {
		if s.seal.State != SealIntact && s.seal.State != SealBroken && s.seal.State != SealNone {
			return e, fmt.Errorf("%s.state: %q is not a seal state (intact, broken or none)", s.field, s.seal.State)
		}
	}
	return e, nil
}

// replay checks e against the item's hash chain and state machine and
// advances the item's state; leafHash is e's leaf hash.
func (out *bundleEntries) replay(e Entry, leafHash string) error {
	st := out.state
	wantPrev := ""
	if st != nil {
		wantPrev = st.LastHash
	}
	if e.PrevHash != wantPrev {
		return fmt.Errorf("previous-entry hash does not match the entry before it")
	}
	orig := e
	next, err := apply(st, &e)
	if err != nil {
		return fmt.Errorf("the state machine refuses it: %w", err)
	}
	// The log stores what Append filled in: a party or seal left out
	// here was not in the signed record.
	if e.From != orig.From || e.To != orig.To || e.SealBefore != orig.SealBefore || e.SealAfter != orig.SealAfter {
		return fmt.Errorf("the state machine reads it differently (who or seal left out)")
	}
	next.Entries, next.LastSeq, next.LastAt, next.LastHash = e.ItemSeq, e.Seq, e.At, leafHash
	out.state = &next
	if e.Event == EventConverted {
		if e.LedgerTxn == 0 {
			return fmt.Errorf("a converted entry names its conversion's ledger transaction, not ledger_txn 0")
		}
		out.conversion[e.LedgerTxn] = e.Seq
	}
	if e.CourtOrderID != 0 {
		out.orders[e.CourtOrderID] = append(out.orders[e.CourtOrderID], e)
	}
	if _, ok := out.named[e.LedgerTxn]; e.LedgerTxn != 0 && !ok {
		out.named[e.LedgerTxn] = e.Seq
	}
	return nil
}

// checkBundleTransactions checks each transaction's proof and bytes as Post
// would, and that the transactions are exactly those the entries name.
func checkBundleTransactions(b Bundle, tree bundleTree, ents bundleEntries) error {
	named := maps.Clone(ents.named)
	var lastTxn uint64
	for _, r := range b.Transactions {
		what := fmt.Sprintf("ledger transaction %d", r.ID)
		if r.Kind != "" {
			return fmt.Errorf("%s: has kind %q, which only records carry", what, r.Kind)
		}
		if err := tree.prove(r); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		t, err := ledger.DecodeTransaction([]byte(r.Canonical))
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if t.ID != r.ID {
			return fmt.Errorf("%s: the record says transaction %d", what, t.ID)
		}
		if r.ID <= lastTxn {
			return fmt.Errorf("%s: transactions are not each once in increasing id order (it follows transaction %d)", what, lastTxn)
		}
		lastTxn = r.ID
		if _, ok := named[r.ID]; !ok && b.Format == BundleFormatV1 {
			return fmt.Errorf("%s: no custody entry of the bundle names it", what)
		}
		if err := checkBundleTransaction(b.Item, t, named[r.ID], ents.conversion); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		delete(named, r.ID)
	}
	if len(named) > 0 {
		ids := slices.Sorted(maps.Keys(named))
		return fmt.Errorf("ledger transaction %d, named by custody entry %d, is not in the bundle", ids[0], named[ids[0]])
	}
	return nil
}

// checkBundleTransaction checks what Post refuses, judged against the
// store's clock when it recorded the transaction, and that t is item's to
// name (entry names it).
func checkBundleTransaction(item uint64, t ledger.Transaction, entry uint64, conversion map[uint64]uint64) error {
	if err := t.Check(); err != nil {
		return err
	}
	if t.Effective.After(t.Recorded.Add(time.Minute)) {
		return fmt.Errorf("effective %s is after it was recorded (%s)", t.Effective.Format(time.RFC3339Nano), t.Recorded.Format(time.RFC3339Nano))
	}
	if !slices.ContainsFunc(t.Postings, func(p ledger.Posting) bool { return p.Account == itemAccount(item) }) {
		if entry == 0 {
			return fmt.Errorf("does not post to %s, so it is not item %d's", itemAccount(item), item)
		}
		return fmt.Errorf("does not post to %s, so it is not item %d's to name (entry %d names it)", itemAccount(item), item, entry)
	}
	if seq, ok := conversion[t.ID]; ok && !linksConversion(t, item) {
		return fmt.Errorf("custody entry %d is converted, but this transaction is not a conversion of item %d (no link conversion and link item %q)", seq, item, strconv.FormatUint(item, 10))
	}
	return nil
}

// checkBundleRecords checks the item's own records: each proved, each of a
// kind keyed by item among kinds, each the item's, each kind once; then the
// court orders the entries name (checkBundleOrder), each once, by id.
func checkBundleRecords(b Bundle, tree bundleTree, kinds []ledger.RecordKind, orders map[uint64][]Entry) error {
	itemKinds := map[string]bool{}
	for _, name := range log.ItemRecordKinds(kinds) {
		itemKinds[name] = true
	}
	orderKind := log.OrderRecordKind(kinds)
	seen := map[string]bool{}
	var lastOrder uint64
	for _, r := range b.Records {
		what := fmt.Sprintf("record %s %d", r.Kind, r.ID)
		if err := tree.prove(r); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		kind, id, err := log.ParseRecordLeaf([]byte(r.Canonical))
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if kind != r.Kind || id != r.ID {
			return fmt.Errorf("%s: the record says %s %d", what, kind, id)
		}
		if kind != "" && kind == orderKind {
			if id <= lastOrder {
				return fmt.Errorf("%s: court orders are not each once in increasing id order (it follows court order %d)", what, lastOrder)
			}
			lastOrder = id
			if err := checkBundleOrder(b.Item, r, orders[id]); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			delete(orders, id)
			continue
		}
		if lastOrder != 0 {
			return fmt.Errorf("%s: the item's own records come before the court orders", what)
		}
		if id != b.Item {
			return fmt.Errorf("%s: is not item %d's own record", what, b.Item)
		}
		if !itemKinds[kind] {
			return fmt.Errorf("%s: %q is not a kind of an item's own record", what, kind)
		}
		if seen[kind] {
			return fmt.Errorf("%s: the bundle holds the item's %s record twice", what, kind)
		}
		seen[kind] = true
	}
	if len(orders) > 0 {
		ids := slices.Sorted(maps.Keys(orders))
		return fmt.Errorf("court order %d, named by custody entry %d, is not in the bundle", ids[0], orders[ids[0]][0].Seq)
	}
	return nil
}

// bundleOrder is what a court bundle's check reads of a court order record.
type bundleOrder struct {
	ID     uint64   `json:"id"`
	Kind   string   `json:"kind"`
	Number string   `json:"number"`
	Date   string   `json:"date"`
	Items  []uint64 `json:"items"`
}

// EventOrderKinds are the kinds of court order event may carry out, as a
// court bundle's check reads them (docs/custody-format.md, section 7); none
// for an event that carries out no order. The register holds its writes to
// the same table.
func EventOrderKinds(event string) []string { return slices.Clone(orderKindsOf[event]) }

// orderKindsOf are the kinds of court order each event may carry out.
var orderKindsOf = map[string][]string{
	EventForfeited:   {"forfeiture"},
	EventReturned:    {"return"},
	EventDestroyed:   {"disposal"},
	EventConverted:   {"sale"},
	EventSuperdari:   {"superdari"},
	EventProduced:    {"production", "superdari"},
	EventTransferred: {"transfer"},
	EventReceived:    {"forfeiture", "return", "superdari", "disposal", "sale", "production", "transfer"},
}

// checkBundleOrder checks court order record r against the entries of item
// that name it: none (the bundle carries an order no entry names), or each
// carrying out an order of a fitting kind that covers the item, dated on or
// before the event, with the number and date the entry's court_order says.
func checkBundleOrder(item uint64, r BundleRecord, named []Entry) error {
	if len(named) == 0 {
		return fmt.Errorf("no custody entry of the bundle names it by court_order_id")
	}
	_, stored, _ := strings.Cut(strings.SplitN(r.Canonical, "\n", 3)[2], "\n")
	data, ok := strings.CutPrefix(stored, "\x01")
	var o bundleOrder
	if err := json.Unmarshal([]byte(data), &o); !ok || err != nil {
		return fmt.Errorf("is not a court order record (version byte 1 and a JSON object)")
	}
	if o.ID != r.ID {
		return fmt.Errorf("the order's JSON says id %d", o.ID)
	}
	for _, e := range named {
		day := e.At.UTC().Format(time.DateOnly)
		kinds := orderKindsOf[e.Event]
		switch {
		case !slices.Contains(kinds, o.Kind):
			return fmt.Errorf("custody entry %d is %s, which carries out no %q order (it needs %s)", e.Seq, e.Event, o.Kind, orderNeeds(kinds))
		case !slices.Contains(o.Items, item):
			return fmt.Errorf("court order %d does not cover item %d (custody entry %d names it)", o.ID, item, e.Seq)
		case o.Date > day:
			return fmt.Errorf("court order %d is dated %s, after custody entry %d's event (%s)", o.ID, o.Date, e.Seq, day)
		case e.CourtOrder == nil || e.CourtOrder.Number != o.Number || e.CourtOrder.Date != o.Date:
			return fmt.Errorf("court order %d is number %q of %s, which differs from custody entry %d's court_order line", o.ID, o.Number, o.Date, e.Seq)
		}
	}
	return nil
}

func orderNeeds(kinds []string) string {
	if len(kinds) == 0 {
		return "no order at all"
	}
	return "a " + strings.Join(kinds, " or ") + " order"
}
