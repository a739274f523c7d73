package chain

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

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
	b := Bundle{Format: BundleFormat, Item: item, Origin: c.origin, PublicKey: c.vkey,
		Checkpoint: string(cp.Note), TreeSize: cp.Size, RootHash: hexHash(cp.Root),
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
	for _, k := range itemRecordKinds() {
		if leaf, ok := c.recordLeafIndex(tx.Bolt, k.Name, item); !ok || leaf >= cp.Size {
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
	r := BundleRecord{ID: p.ID, LeafIndex: p.LeafIndex, LeafHash: hexHash(p.LeafHash), Canonical: string(p.Canonical), Proof: []string{}}
	for _, h := range p.Hashes {
		r.Proof = append(r.Proof, hexHash(h))
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
	State        ItemState // what the entries add up to
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

// CheckBundle verifies a court bundle offline: the checkpoint's signature
// by the bundle's key (and, when trustedKey is not empty, that this is the
// trusted key), every record's leaf hash and inclusion proof, the item's
// hash chain and its state machine. The error names the first failure.
func CheckBundle(data []byte, trustedKey string) (BundleReport, error) {
	var rep BundleReport
	var b Bundle
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return rep, fmt.Errorf("bundle is not readable JSON: %w", err)
	}
	if b.Format != BundleFormat {
		return rep, fmt.Errorf("bundle format %q, this program reads %q", b.Format, BundleFormat)
	}
	if trustedKey != "" && strings.TrimSpace(trustedKey) != b.PublicKey {
		return rep, fmt.Errorf("the bundle is signed by %s, not by the trusted key %s", b.PublicKey, strings.TrimSpace(trustedKey))
	}
	v, err := note.NewVerifier(b.PublicKey)
	if err != nil {
		return rep, fmt.Errorf("public key: %w", err)
	}
	n, err := note.Open([]byte(b.Checkpoint), note.VerifierList(v))
	if err != nil {
		return rep, fmt.Errorf("checkpoint signature: %w", err)
	}
	origin, size, root, err := parseCheckpointBody(n.Text)
	if err != nil {
		return rep, err
	}
	if origin != b.Origin || origin != v.Name() {
		return rep, fmt.Errorf("checkpoint is for log %q, the bundle says %q and the key %q", origin, b.Origin, v.Name())
	}
	if size != b.TreeSize || hexHash(root) != b.RootHash {
		return rep, fmt.Errorf("checkpoint (size %d, root %s) differs from the bundle's tree_size and root_hash", size, hexHash(root))
	}
	rep = BundleReport{Item: b.Item, TreeSize: size, Origin: origin, PublicKey: b.PublicKey}

	check := func(what string, r BundleRecord) error {
		h := tlog.RecordHash([]byte(r.Canonical))
		if hexHash(h) != r.LeafHash {
			return fmt.Errorf("%s: leaf hash does not match its canonical bytes", what)
		}
		proof := make(tlog.RecordProof, len(r.Proof))
		for i, s := range r.Proof {
			x, err := hex.DecodeString(s)
			if err != nil || len(x) != tlog.HashSize {
				return fmt.Errorf("%s: proof hash %d is not 64 hex digits", what, i)
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
	named := map[uint64]bool{}
	for i, r := range b.Entries {
		what := fmt.Sprintf("custody entry %d", r.ID)
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
		}
		wantPrev := ""
		if st != nil {
			wantPrev = st.LastHash
		}
		if e.PrevHash != wantPrev {
			return rep, fmt.Errorf("%s: previous-entry hash does not match the entry before it", what)
		}
		next, err := apply(st, &e)
		if err != nil {
			return rep, fmt.Errorf("%s: the state machine refuses it: %w", what, err)
		}
		next.Entries, next.LastSeq, next.LastAt, next.LastHash = e.ItemSeq, e.Seq, e.At, r.LeafHash
		st = &next
		if e.LedgerTxn != 0 {
			named[e.LedgerTxn] = true
		}
	}
	if st == nil {
		return rep, fmt.Errorf("the bundle holds no custody entries")
	}
	for _, r := range b.Transactions {
		what := fmt.Sprintf("ledger transaction %d", r.ID)
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
		delete(named, r.ID)
	}
	for id := range named {
		return rep, fmt.Errorf("ledger transaction %d, named by an entry, is not in the bundle", id)
	}
	for _, r := range b.Records {
		what := fmt.Sprintf("record %s %d", r.Kind, r.ID)
		if err := check(what, r); err != nil {
			return rep, err
		}
		kind, id, err := parseRecordLeaf([]byte(r.Canonical))
		if err != nil {
			return rep, fmt.Errorf("%s: %w", what, err)
		}
		if kind != r.Kind || id != r.ID {
			return rep, fmt.Errorf("%s: the record says %s %d", what, kind, id)
		}
		if id != b.Item {
			return rep, fmt.Errorf("%s: is not item %d's own record", what, b.Item)
		}
	}
	rep.Entries, rep.Transactions, rep.Records, rep.State = len(b.Entries), len(b.Transactions), len(b.Records), *st
	return rep, nil
}
