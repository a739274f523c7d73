package chain

import (
	"bytes"
	"context"
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

// BundleFormat is the "format" of a court bundle (docs/custody-format.md).
const BundleFormat = "amanat-custody-bundle/1"

// Bundle is a court bundle: everything needed to check one item's chain of
// custody offline, with nothing but SHA-256 and Ed25519.
type Bundle struct {
	Format       string         `json:"format"`
	Item         uint64         `json:"item"`
	Origin       string         `json:"origin"`
	PublicKey    string         `json:"public_key"`
	Checkpoint   string         `json:"checkpoint"` // the signed note, verbatim
	TreeSize     uint64         `json:"tree_size"`
	RootHash     string         `json:"root_hash"` // hex; the checkpoint carries it in base64
	Entries      []BundleRecord `json:"entries"`
	Transactions []BundleRecord `json:"transactions"` // ledger transactions the entries name
	// Records are the item's own records (what was seized: kind, seal,
	// description, from whom), as record leaves; absent in bundles of
	// stores whose records were not logged.
	Records []BundleRecord `json:"records,omitempty"`
}

// BundleRecord is one leaf of the log with its inclusion proof.
type BundleRecord struct {
	Kind      string   `json:"kind,omitempty"` // a record's kind ("evidence.item"); empty for entries and transactions
	ID        uint64   `json:"id"`             // custody entry seq, ledger transaction id or record id
	LeafIndex uint64   `json:"leaf_index"`
	LeafHash  string   `json:"leaf_hash"` // hex SHA-256(0x00 || canonical)
	Canonical string   `json:"canonical"` // the record's stored bytes
	Proof     []string `json:"proof"`     // hex hashes, tlog.ProveRecord order
}

// Export builds the court bundle of item against checkpoint cp (from
// Checkpoint or StoredCheckpoint). Every entry of the item must be under cp.
func (c *Custody) Export(tx *ledger.Tx, item uint64, cp Checkpoint) (Bundle, error) {
	es, err := c.Entries(tx, item)
	if err != nil {
		return Bundle{}, err
	}
	if len(es) == 0 {
		return Bundle{}, ledger.Errorf(ledger.ENotFound, "item %d has no custody entries", item)
	}
	b := Bundle{Format: BundleFormat, Item: item, Origin: c.Origin(), PublicKey: c.PublicKey(),
		Checkpoint: string(cp.Note), TreeSize: cp.Size, RootHash: log.HashHex(cp.Root),
		Entries: []BundleRecord{}, Transactions: []BundleRecord{}}
	var txns []uint64
	for _, e := range es {
		if e.LeafIndex >= cp.Size {
			return Bundle{}, ledger.Errorf(ledger.EConflict, "custody entry %d is not yet under a signed checkpoint (size %d); sign one first", e.Seq, cp.Size)
		}
		p, err := c.ProveEntry(tx, e.Seq, cp.Size)
		if err != nil {
			return Bundle{}, err
		}
		b.Entries = append(b.Entries, bundleRecord(p))
		if e.LedgerTxn != 0 && !slices.Contains(txns, e.LedgerTxn) {
			txns = append(txns, e.LedgerTxn)
		}
	}
	slices.Sort(txns)
	for _, id := range txns {
		p, err := c.ProveTransaction(tx, id, cp.Size)
		if err != nil {
			return Bundle{}, err
		}
		b.Transactions = append(b.Transactions, bundleRecord(p))
	}
	for _, k := range c.log.ItemKinds() {
		if leaf, ok := c.log.RecordLeafIndex(tx, k.Name, item); !ok || leaf >= cp.Size {
			continue // not logged (a store not yet backfilled) or not yet signed
		}
		p, err := c.ProveRecord(tx, k.Name, item, cp.Size)
		if err != nil {
			return Bundle{}, err
		}
		r := bundleRecord(p)
		r.Kind = k.Name
		b.Records = append(b.Records, r)
	}
	return b, nil
}

// ExportItem signs a checkpoint when the stored one is behind and returns
// item's bundle as indented JSON.
func (c *Custody) ExportItem(ctx context.Context, item uint64) ([]byte, error) {
	cp, err := c.Checkpoint(ctx)
	if err != nil {
		return nil, err
	}
	var b Bundle
	if err := c.store.View(func(tx *ledger.Tx) error {
		var err error
		b, err = c.Export(tx, item, cp)
		return err
	}); err != nil {
		return nil, err
	}
	out, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

func bundleRecord(p InclusionProof) BundleRecord {
	r := BundleRecord{ID: p.ID, LeafIndex: p.LeafIndex, LeafHash: log.HashHex(p.LeafHash), Canonical: string(p.Canonical), Proof: []string{}}
	for _, h := range p.Hashes {
		r.Proof = append(r.Proof, log.HashHex(h))
	}
	return r
}

// BundleReport is what CheckBundle proved.
type BundleReport struct {
	Item         uint64
	Entries      int
	Transactions int
	Records      int // the item's own records (its seizure record)
	TreeSize     uint64
	Origin       string
	PublicKey    string
	// Trusted reports that PublicKey is one of the keys the caller trusts.
	// False when no trusted key was given: then the bundle is proved only
	// to be signed by its own key, which anyone can make.
	Trusted bool
	State   ItemState // what the entries add up to
}

func (r BundleReport) String() string {
	recs := ""
	switch {
	case r.Records == 1:
		recs = " and the item's own record"
	case r.Records > 1:
		recs = fmt.Sprintf(" and %d records of the item itself", r.Records)
	}
	return fmt.Sprintf("item %d: %d custody entries and %d ledger transactions%s proved in the log %s at %d leaves; now %s, held by %q, seal %s",
		r.Item, r.Entries, r.Transactions, recs, r.Origin, r.TreeSize, r.State.Status, r.State.Holder, sealText(r.State.Seal))
}

// TrustedKeys checks each key the caller trusts (the signed-note public key
// form of docs/custody-format.md, section 5) and returns them without
// surrounding space; empty strings are left out.
func TrustedKeys(keys ...string) ([]string, error) {
	var out []string
	for _, k := range keys {
		k = strings.TrimSpace(k)
		if k == "" {
			continue
		}
		if _, err := note.NewVerifier(k); err != nil {
			return nil, fmt.Errorf("trusted key %q is not a custody log public key (name+hash+base64): %w", k, err)
		}
		out = append(out, k)
	}
	return out, nil
}

// CheckBundle verifies a court bundle offline against every rule of
// docs/custody-format.md: the checkpoint's signature by the bundle's key
// and, when trusted keys are given, that this key is one of them (the
// report's Trusted says whether one was); every record's leaf hash and
// inclusion proof; each entry on its own as Append would check it, the
// item's hash chain and its state machine; each transaction as Post would
// check it, and that the transactions are exactly those the entries name;
// the item's own records, of the kinds keyed by item among kinds. The
// error names the first failure and its rule.
func CheckBundle(data []byte, kinds []ledger.RecordKind, trusted ...string) (BundleReport, error) {
	var rep BundleReport
	var b Bundle
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return rep, fmt.Errorf("bundle is not readable JSON: %w", err)
	}
	if err := dec.Decode(&json.RawMessage{}); err != io.EOF {
		return rep, fmt.Errorf("bundle is not readable JSON: something follows the bundle's object")
	}
	if b.Format != BundleFormat {
		return rep, fmt.Errorf("bundle format %q, this program reads %q", b.Format, BundleFormat)
	}
	if b.Item == 0 {
		return rep, fmt.Errorf("bundle item is 0: items are numbered from 1")
	}
	keys, err := TrustedKeys(trusted...)
	if err != nil {
		return rep, err
	}
	switch {
	case len(keys) == 1 && keys[0] != b.PublicKey:
		return rep, fmt.Errorf("the bundle is signed by %s, not by the trusted key %s", b.PublicKey, keys[0])
	case len(keys) > 1 && !slices.Contains(keys, b.PublicKey):
		return rep, fmt.Errorf("the bundle is signed by %s, not by any of the %d trusted keys", b.PublicKey, len(keys))
	}
	v, err := note.NewVerifier(b.PublicKey)
	if err != nil {
		return rep, fmt.Errorf("public key: %w", err)
	}
	n, err := note.Open([]byte(b.Checkpoint), note.VerifierList(v))
	if err != nil {
		return rep, fmt.Errorf("checkpoint signature: %w", err)
	}
	origin, size, root, err := log.ParseCheckpointBody(n.Text)
	if err != nil {
		return rep, err
	}
	// Base64 decoding forgives non-zero padding bits: one root hash would
	// have several spellings, all signed.
	if line := strings.SplitN(n.Text, "\n", 4)[2]; line != base64.StdEncoding.EncodeToString(root[:]) {
		return rep, fmt.Errorf("checkpoint root %q is not the standard base64 of its hash", line)
	}
	if origin != b.Origin || origin != v.Name() {
		return rep, fmt.Errorf("checkpoint is for log %q, the bundle says %q and the key %q", origin, b.Origin, v.Name())
	}
	if !log.ValidOrigin(origin) {
		return rep, fmt.Errorf("log origin %q is not %s followed by 16 lower-case hex digits", origin, log.OriginPrefix)
	}
	if size != b.TreeSize || log.HashHex(root) != b.RootHash {
		return rep, fmt.Errorf("checkpoint (size %d, root %s) differs from the bundle's tree_size and root_hash", size, log.HashHex(root))
	}
	rep = BundleReport{Item: b.Item, TreeSize: size, Origin: origin, PublicKey: b.PublicKey, Trusted: len(keys) > 0}

	check := func(what string, r BundleRecord) error {
		h := tlog.RecordHash([]byte(r.Canonical))
		if log.HashHex(h) != r.LeafHash {
			return fmt.Errorf("%s: leaf hash does not match its canonical bytes", what)
		}
		proof := make(tlog.RecordProof, len(r.Proof))
		for i, s := range r.Proof {
			x, err := hex.DecodeString(s)
			if err != nil || len(x) != tlog.HashSize || !isSHA256Hex(s) {
				return fmt.Errorf("%s: proof hash %d is not 64 lower-case hex digits", what, i)
			}
			copy(proof[i][:], x)
		}
		if r.LeafIndex >= size {
			return fmt.Errorf("%s: leaf %d is beyond the checkpoint's %d leaves", what, r.LeafIndex, size)
		}
		if err := tlog.CheckRecord(proof, int64(size), root, int64(r.LeafIndex), h); err != nil {
			return fmt.Errorf("%s: inclusion proof fails: %w", what, err)
		}
		return nil
	}

	var st *ItemState
	named := map[uint64]uint64{}      // ledger transaction -> the first entry that names it
	conversion := map[uint64]uint64{} // ledger transaction -> the converted entry that names it
	var lastSeq, lastLeaf uint64
	for i, r := range b.Entries {
		what := fmt.Sprintf("custody entry %d", r.ID)
		if r.Kind != "" {
			return rep, fmt.Errorf("%s: has kind %q, which only records carry", what, r.Kind)
		}
		if err := check(what, r); err != nil {
			return rep, err
		}
		e, err := DecodeEntry([]byte(r.Canonical))
		if err != nil {
			return rep, fmt.Errorf("%s: %w", what, err)
		}
		switch {
		case e.Seq != r.ID || e.LeafIndex != r.LeafIndex:
			return rep, fmt.Errorf("%s: the record says entry %d at leaf %d", what, e.Seq, e.LeafIndex)
		case e.Item != b.Item:
			return rep, fmt.Errorf("%s: belongs to item %d, not %d", what, e.Item, b.Item)
		case e.ItemSeq != uint64(i+1):
			return rep, fmt.Errorf("%s: is the item's entry %d, expected %d (an entry is missing)", what, e.ItemSeq, i+1)
		case e.Seq == 0:
			return rep, fmt.Errorf("%s: custody entries are numbered from 1", what)
		case i > 0 && (e.Seq <= lastSeq || e.LeafIndex <= lastLeaf):
			return rep, fmt.Errorf("%s: entries are not oldest first (entry %d at leaf %d comes after entry %d at leaf %d)", what, e.Seq, e.LeafIndex, lastSeq, lastLeaf)
		}
		lastSeq, lastLeaf = e.Seq, e.LeafIndex
		// What Append refuses on input, judged against the store's clock
		// when it recorded the entry.
		fields := e
		if err := checkFields(&fields, e.Recorded); err != nil {
			return rep, fmt.Errorf("%s: %w", what, err)
		}
		if role, name, ok := strings.Cut(e.RecordedBy, ":"); !ok || role == "" || name == "" {
			return rep, fmt.Errorf("%s: recorded_by %q is not role:token-name", what, e.RecordedBy)
		}
		for _, s := range []struct {
			field string
			seal  Seal
		}{{"seal_before", e.SealBefore}, {"seal_after", e.SealAfter}} {
			if s.seal.State != SealIntact && s.seal.State != SealBroken && s.seal.State != SealNone {
				return rep, fmt.Errorf("%s: %s.state: %q is not a seal state (intact, broken or none)", what, s.field, s.seal.State)
			}
		}
		wantPrev := ""
		if st != nil {
			wantPrev = st.LastHash
		}
		if e.PrevHash != wantPrev {
			return rep, fmt.Errorf("%s: previous-entry hash does not match the entry before it", what)
		}
		orig := e
		next, err := apply(st, &e)
		if err != nil {
			return rep, fmt.Errorf("%s: the state machine refuses it: %w", what, err)
		}
		// The log stores what Append filled in: a party or seal left out
		// here was not in the signed record.
		if e.From != orig.From || e.To != orig.To || e.SealBefore != orig.SealBefore || e.SealAfter != orig.SealAfter {
			return rep, fmt.Errorf("%s: the state machine reads it differently (who or seal left out)", what)
		}
		next.Entries, next.LastSeq, next.LastAt, next.LastHash = e.ItemSeq, e.Seq, e.At, r.LeafHash
		st = &next
		if e.Event == EventConverted {
			if e.LedgerTxn == 0 {
				return rep, fmt.Errorf("%s: a converted entry names its conversion's ledger transaction, not ledger_txn 0", what)
			}
			conversion[e.LedgerTxn] = e.Seq
		}
		if _, ok := named[e.LedgerTxn]; e.LedgerTxn != 0 && !ok {
			named[e.LedgerTxn] = e.Seq
		}
	}
	if st == nil {
		return rep, fmt.Errorf("the bundle holds no custody entries")
	}
	var lastTxn uint64
	for _, r := range b.Transactions {
		what := fmt.Sprintf("ledger transaction %d", r.ID)
		if r.Kind != "" {
			return rep, fmt.Errorf("%s: has kind %q, which only records carry", what, r.Kind)
		}
		if err := check(what, r); err != nil {
			return rep, err
		}
		t, err := ledger.DecodeTransaction([]byte(r.Canonical))
		if err != nil {
			return rep, fmt.Errorf("%s: %w", what, err)
		}
		if t.ID != r.ID {
			return rep, fmt.Errorf("%s: the record says transaction %d", what, t.ID)
		}
		if r.ID <= lastTxn {
			return rep, fmt.Errorf("%s: transactions are not each once in increasing id order (it follows transaction %d)", what, lastTxn)
		}
		lastTxn = r.ID
		if _, ok := named[r.ID]; !ok {
			return rep, fmt.Errorf("%s: no custody entry of the bundle names it", what)
		}
		// What Post refuses, judged against the store's clock when it
		// recorded the transaction.
		if err := t.Check(); err != nil {
			return rep, fmt.Errorf("%s: %w", what, err)
		}
		if t.Effective.After(t.Recorded.Add(time.Minute)) {
			return rep, fmt.Errorf("%s: effective %s is after it was recorded (%s)", what, t.Effective.Format(time.RFC3339Nano), t.Recorded.Format(time.RFC3339Nano))
		}
		if !slices.ContainsFunc(t.Postings, func(p ledger.Posting) bool { return p.Account == itemAccount(b.Item) }) {
			return rep, fmt.Errorf("%s: does not post to %s, so it is not item %d's to name (entry %d names it)", what, itemAccount(b.Item), b.Item, named[r.ID])
		}
		if seq, ok := conversion[r.ID]; ok && !linksConversion(t, b.Item) {
			return rep, fmt.Errorf("%s: custody entry %d is converted, but this transaction is not a conversion of item %d (no link conversion and link item %q)", what, seq, b.Item, strconv.FormatUint(b.Item, 10))
		}
		delete(named, r.ID)
	}
	if len(named) > 0 {
		ids := slices.Sorted(maps.Keys(named))
		return rep, fmt.Errorf("ledger transaction %d, named by custody entry %d, is not in the bundle", ids[0], named[ids[0]])
	}
	itemKinds := map[string]bool{}
	for _, name := range log.ItemRecordKinds(kinds) {
		itemKinds[name] = true
	}
	seen := map[string]bool{}
	for _, r := range b.Records {
		what := fmt.Sprintf("record %s %d", r.Kind, r.ID)
		if err := check(what, r); err != nil {
			return rep, err
		}
		kind, id, err := log.ParseRecordLeaf([]byte(r.Canonical))
		if err != nil {
			return rep, fmt.Errorf("%s: %w", what, err)
		}
		if kind != r.Kind || id != r.ID {
			return rep, fmt.Errorf("%s: the record says %s %d", what, kind, id)
		}
		if id != b.Item {
			return rep, fmt.Errorf("%s: is not item %d's own record", what, b.Item)
		}
		if !itemKinds[kind] {
			return rep, fmt.Errorf("%s: %q is not a kind of an item's own record", what, kind)
		}
		if seen[kind] {
			return rep, fmt.Errorf("%s: the bundle holds the item's %s record twice", what, kind)
		}
		seen[kind] = true
	}
	rep.Entries, rep.Transactions, rep.Records, rep.State = len(b.Entries), len(b.Transactions), len(b.Records), *st
	return rep, nil
}

// ItemRecordKinds names those of kinds keyed by item id, sorted: the kinds
// of record a court bundle carries. The API description lists them.
func ItemRecordKinds(kinds []ledger.RecordKind) []string { return log.ItemRecordKinds(kinds) }

// linksConversion reports whether t is the ledger side of a conversion of
// item: the conversions service links it to its conversion and its item.
func linksConversion(t ledger.Transaction, item uint64) bool {
	var conv, it bool
	for _, l := range t.Links {
		switch l.Kind {
		case "conversion":
			conv = l.Ref != ""
		case "item":
			it = it || l.Ref == strconv.FormatUint(item, 10)
		}
	}
	return conv && it
}
