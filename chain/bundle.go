package chain

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/amanat-ledger/amanat/chain/log"
	"github.com/amanat-ledger/amanat/ledger"
)

// BundleFormat is the "format" of a court bundle (docs/custody-format.md):
// version 2 carries the item's head, so that it proves it is complete.
const BundleFormat = "amanat-custody-bundle/2"

// BundleFormatV1 is the format of bundles written before the head
// commitment; they stay checkable, without proof of completeness.
const BundleFormatV1 = "amanat-custody-bundle/1"

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
	// description, from whom), as record leaves, then the court orders
	// the entries name by court_order_id, by id; absent in bundles of
	// stores whose records were not logged.
	Records []BundleRecord `json:"records,omitempty"`
	// HeadsSize and HeadsRoot (hex) repeat the checkpoint's heads line;
	// Head is the item's leaf of the head commitment with its proof
	// (bundlehead.go). Absent in format 1.
	HeadsSize uint64        `json:"heads_size,omitempty"`
	HeadsRoot string        `json:"heads_root,omitempty"`
	Head      *BundleRecord `json:"head,omitempty"`
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
	txns, err := c.exportHead(tx, &b, es, cp)
	if err != nil {
		return Bundle{}, err
	}
	for _, e := range es {
		p, err := c.ProveEntry(tx, e.Seq, cp.Size)
		if err != nil {
			return Bundle{}, err
		}
		b.Entries = append(b.Entries, bundleRecord(p))
	}
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
	orders, err := c.exportOrders(tx, es, cp)
	if err != nil {
		return Bundle{}, err
	}
	b.Records = append(b.Records, orders...)
	return b, nil
}

// exportOrders proves the court order records that entries es name by
// court_order_id, each once, in id order, after the item's own records.
func (c *Custody) exportOrders(tx *ledger.Tx, es []Entry, cp Checkpoint) ([]BundleRecord, error) {
	var ids []uint64
	for _, e := range es {
		if e.CourtOrderID != 0 && !slices.Contains(ids, e.CourtOrderID) {
			ids = append(ids, e.CourtOrderID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	k, ok := c.log.OrderKind()
	if !ok {
		return nil, ledger.Errorf(ledger.EInternal, "custody entries name court orders, but the log knows no record kind of court orders")
	}
	slices.Sort(ids)
	var out []BundleRecord
	for _, id := range ids {
		if leaf, ok := c.log.RecordLeafIndex(tx, k.Name, id); ok && leaf >= cp.Size {
			return nil, ledger.Errorf(ledger.EConflict, "%s %d is not yet under a signed checkpoint (size %d); sign one first", k.Label, id, cp.Size)
		}
		p, err := c.ProveRecord(tx, k.Name, id, cp.Size)
		if err != nil {
			return nil, err
		}
		r := bundleRecord(p)
		r.Kind = k.Name
		out = append(out, r)
	}
	return out, nil
}

// ExportItem signs a checkpoint when the stored one is behind and returns
// item's bundle as indented JSON.
func (c *Custody) ExportItem(ctx context.Context, item uint64) ([]byte, error) {
	var b Bundle
	// A write between signing and reading changes the head commitment:
	// sign again and retry, a few times, rather than fail the export.
	for try := 0; ; try++ {
		cp, err := c.Checkpoint(ctx)
		if err != nil {
			return nil, err
		}
		err = c.store.View(func(tx *ledger.Tx) error {
			var err error
			b, err = c.Export(tx, item, cp)
			return err
		})
		if err == nil {
			break
		}
		if ledger.ErrorCode(err) != ledger.EConflict || try == 3 {
			return nil, err
		}
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
	Orders       int // the court orders its entries name
	TreeSize     uint64
	Origin       string
	PublicKey    string
	// Trusted reports that PublicKey is one of the keys the caller trusts.
	// False when no trusted key was given: then the bundle is proved only
	// to be signed by its own key, which anyone can make.
	Trusted bool
	State   ItemState // what the entries add up to
	// Time is when the checkpoint was signed; zero for an undated one.
	Time time.Time
	// Complete reports that the bundle proved it holds every entry and
	// ledger transaction of the item up to its checkpoint (format 2); a
	// format 1 bundle proves only that what it holds is in the log.
	Complete bool
	// Held is what custody:item:<item> holds by the bundle's transactions
	// ("BTC 0.50000000"), by currency; format 2 only.
	Held []string
}

func (r BundleReport) String() string {
	recs := ""
	switch {
	case r.Records == 1:
		recs = " and the item's own record"
	case r.Records > 1:
		recs = fmt.Sprintf(" and %d records of the item itself", r.Records)
	}
	switch {
	case r.Orders == 1:
		recs += " and the court order its entries name"
	case r.Orders > 1:
		recs += fmt.Sprintf(" and the %d court orders its entries name", r.Orders)
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

// ItemRecordKinds names those of kinds keyed by item id, sorted: the kinds
// of record a court bundle carries. The API description lists them.
func ItemRecordKinds(kinds []ledger.RecordKind) []string { return log.ItemRecordKinds(kinds) }

// BundleRecordKinds names the kinds of record a court bundle may carry,
// sorted: the item's own (ItemRecordKinds) and the court orders its entries
// name. The API description lists them.
func BundleRecordKinds(kinds []ledger.RecordKind) []string {
	out := log.ItemRecordKinds(kinds)
	if k := log.OrderRecordKind(kinds); k != "" {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

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
