package evidence

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/finance"
	"github.com/amanat-ledger/amanat/ledger/money"
)

// The register's records live in the store's evidence buckets
// (ledger.EvidenceCases, ...); an FIR is unique in its circle, so
// ledger.EvidenceFIRs indexes circle 0 fir.

var errBadRecord = errors.New("record is not in evidence format version 1")

// CustodyLog is what registration and reads need of the chain of custody
// (package chain implements it).
type CustodyLog interface {
	Append(tx *ledger.Tx, e chain.Entry) (chain.Entry, error)
	// Check says whether Append would accept e now, writing nothing.
	Check(tx *ledger.Tx, e chain.Entry) error
	State(tx *ledger.Tx, item uint64) (chain.ItemState, error)
	EntriesAfter(tx *ledger.Tx, item, after uint64, limit int) ([]chain.Entry, error)
	// LogRecord makes a stored case or item record a leaf of the log.
	LogRecord(tx *ledger.Tx, kind string, id uint64, stored []byte) error
}

// Record kinds in the custody log: each case and item record, as stored, is
// a leaf, so that editing one in the file fails verification.
const (
	CaseRecordKind = "evidence.case"
	ItemRecordKind = "evidence.item"
)

// RecordKinds describes the register's records to the custody log: the
// wiring passes them to chain.New or chain.Open.
func RecordKinds() []ledger.RecordKind {
	return []ledger.RecordKind{
		{Name: CaseRecordKind, Label: "case", Each: eachRecord(ledger.EvidenceCases), Read: readRecord(ledger.EvidenceCases)},
		{Name: ItemRecordKind, Label: "item", Each: eachRecord(ledger.EvidenceItems), Read: readRecord(ledger.EvidenceItems), Item: true, Cash: cashRecord},
		{Name: OrderRecordKind, Label: "court order", Each: eachRecord(ledger.EvidenceOrders), Read: readRecord(ledger.EvidenceOrders), Orders: true},
	}
}

// cashRecord tells the custody log that a stored item is cash, for which it
// refuses on-chain events.
func cashRecord(stored []byte) (bool, error) {
	var it struct {
		Kind string `json:"kind"`
	}
	if err := decodeRecord(stored, &it); err != nil {
		return false, err
	}
	return it.Kind == KindCash, nil
}

func eachRecord(b ledger.Bucket) func(tx *ledger.Tx, fn func(id uint64, stored []byte) error) error {
	return func(tx *ledger.Tx, fn func(id uint64, stored []byte) error) error {
		return tx.ForEach(b, func(k, v []byte) error {
			if len(k) != 8 {
				return fmt.Errorf("bucket %s holds a malformed key %x", b.Name(), k)
			}
			return fn(binary.BigEndian.Uint64(k), v)
		})
	}
}

func readRecord(b ledger.Bucket) func(tx *ledger.Tx, id uint64) ([]byte, bool) {
	return func(tx *ledger.Tx, id uint64) ([]byte, bool) {
		v := tx.Get(b, be64(id))
		return v, v != nil
	}
}

// Valuation is an item's or a case's worth in PKR as the valuation package
// computes it. PKR is nil when a holding has no rate (MissingRate), never a
// misleading zero.
type Valuation struct {
	PKR         *money.Amount
	MissingRate bool
	Missing     []string // currencies without a rate on or before the date
}

// ValueFunc prices holdings in PKR as of an instant: FinanceValue, with
// finance's rates and rounding, which service.Open wires into
// Registry.Value. Nil means reads carry no value.
type ValueFunc func(tx *ledger.Tx, holdings []money.Amount, asOf time.Time) (Valuation, error)

// Registry registers seizures and reads cases and items.
type Registry struct {
	custody CustodyLog
	// scope limits what the register reads and writes (In); nil is every
	// circle.
	scope Scope
	// Value, when set, prices holdings in PKR for case and item reads.
	Value ValueFunc
	// ApprovalTTL is how long a proposal of the two-person rule waits for
	// a decision; zero means DefaultApprovalTTL.
	ApprovalTTL time.Duration
	// Finance records an approved conversion; service.Open wires it.
	Finance *finance.Service
	// HeldCircles, when set, lists the circles users and tokens hold, which
	// are known (RuleKnownCircle) with those of cases; service.Open wires
	// access.HeldCircles.
	HeldCircles HeldCircleFunc
}

// New makes the store's buckets (if missing) and returns the registry.
func New(ctx context.Context, store *ledger.Store, custody CustodyLog) (*Registry, error) {
	r := &Registry{custody: custody}
	err := store.Write(ctx, func(tx *ledger.Tx) error {
		if err := tx.Create(); err != nil {
			return err
		}
		return r.backfillSearch(tx)
	})
	if err != nil {
		return nil, fmt.Errorf("open evidence registry: %w", err)
	}
	return r, nil
}

func be64(n uint64) []byte { return ledger.BE64(n) }

// CreateCase stores a checked case inside tx. An FIR is unique within its
// circle: a second case with the same FIR and circle is a conflict.
func (r *Registry) CreateCase(tx *ledger.Tx, c Case, actor string) (Case, error) {
	if !r.allows(c.Circle) {
		return Case{}, &ledger.Error{Code: ledger.EForbidden, Msg: "outside the caller's circles",
			Fields: []ledger.FieldError{{Field: "circle", Reason: fmt.Sprintf("circle %q is not one of the caller's circles", c.Circle)}}}
	}
	firKey := append([]byte(c.Circle+"\x00"), c.FIR...)
	if v := tx.Get(ledger.EvidenceFIRs, firKey); v != nil {
		return Case{}, ledger.Errorf(ledger.EConflict, "FIR %q of circle %s is already case %d", c.FIR, c.Circle, binary.BigEndian.Uint64(v))
	}
	id, err := tx.NextSequence(ledger.EvidenceCases)
	if err != nil {
		return Case{}, fmt.Errorf("next case id: %w", err)
	}
	c.ID, c.Created, c.CreatedBy = id, tx.Now, actor
	data, err := encodeRecord(c)
	if err != nil {
		return Case{}, fmt.Errorf("encode case: %w", err)
	}
	if err := tx.Put(ledger.EvidenceCases, be64(id), data); err != nil {
		return Case{}, fmt.Errorf("store case %d: %w", id, err)
	}
	if err := tx.Put(ledger.EvidenceFIRs, firKey, be64(id)); err != nil {
		return Case{}, fmt.Errorf("index case %d: %w", id, err)
	}
	if err := r.custody.LogRecord(tx, CaseRecordKind, id, data); err != nil {
		return Case{}, fmt.Errorf("log case %d: %w", id, err)
	}
	if err := indexCase(tx, &c); err != nil {
		return Case{}, err
	}
	return c, nil
}

// Case reads case id; ENotFound when there is none or the caller's scope
// does not cover its circle.
func (r *Registry) Case(tx *ledger.Tx, id uint64) (Case, error) {
	c, err := r.caseRecord(tx, id)
	if err == nil && !r.allows(c.Circle) {
		return Case{}, ledger.Errorf(ledger.ENotFound, "case %d not found", id)
	}
	return c, err
}

// Cases lists up to limit cases with id > after, in id order; next is the
// last id of a full page (resume after it), 0 on the last page.
func (r *Registry) Cases(tx *ledger.Tx, after uint64, limit int) (out []Case, next uint64, err error) {
	return r.FilterCases(tx, CaseFilter{After: after, Limit: limit})
}

// FilterCases lists up to f.Limit cases f selects with id > f.After, in id
// order; next is the last id of a full page after which another case
// matches (resume after it), 0 on the last page.
func (r *Registry) FilterCases(tx *ledger.Tx, f CaseFilter) (out []Case, next uint64, err error) {
	c := tx.Cursor(ledger.EvidenceCases)
	for k, v := c.Seek(be64(f.After + 1)); k != nil; k, v = c.Next() {
		var cs Case
		if err := decodeRecord(v, &cs); err != nil {
			return nil, 0, fmt.Errorf("decode case %d: %w", binary.BigEndian.Uint64(k), err)
		}
		if !f.match(cs) || !r.allows(cs.Circle) {
			continue
		}
		if len(out) == f.Limit {
			return out, out[len(out)-1].ID, nil
		}
		out = append(out, cs)
	}
	return out, 0, nil
}

// SealInUse says which item bears seal (compared without regard to case), if any.
func (r *Registry) SealInUse(tx *ledger.Tx, seal string) (uint64, bool) {
	if v := tx.Get(ledger.EvidenceSeals, []byte(sealKey(seal))); v != nil {
		return binary.BigEndian.Uint64(v), true
	}
	return 0, false
}

// ClaimSeal records that item now bears seal (a reseal's new number), so that
// no other item, now or later, can be registered or resealed under it. A seal
// already held by another item is refused naming field.
func (r *Registry) ClaimSeal(tx *ledger.Tx, field, seal string, item uint64) error {
	if owner, used := r.SealInUse(tx, seal); used {
		if owner == item {
			return nil
		}
		return ledger.FieldErr(field, fmt.Sprintf("seal %q is already used by item %d", seal, owner))
	}
	if err := tx.Put(ledger.EvidenceSeals, []byte(sealKey(seal)), be64(item)); err != nil {
		return fmt.Errorf("record seal %q: %w", seal, err)
	}
	return nil
}

// Receipt is what a registered seizure answers.
type Receipt struct {
	CaseID    uint64        `json:"case_id"`
	ItemIDs   []uint64      `json:"item_ids"`
	LedgerTxn uint64        `json:"transaction_id,omitempty"` // 0 when nothing of value was seized
	Entries   []uint64      `json:"custody_entry_ids"`        // the first custody entry (its global seq) of each item
	Items     []ItemReceipt `json:"items"`
}

// ItemReceipt ties one request item to what registration made of it.
type ItemReceipt struct {
	ID           uint64 `json:"id"`
	Seal         string `json:"seal"`
	Kind         string `json:"kind"`
	CustodyEntry uint64 `json:"custody_entry_id"`
	CustodyHash  string `json:"custody_entry_hash"`
}

// Precheck checks what a seizure needs of the store — the case exists, no
// seal is in use — in a read transaction, so that a refusal never enters a
// commit group. Register checks again inside the write.
func (r *Registry) Precheck(tx *ledger.Tx, s *Seizure) error {
	cs, err := r.storeChecks(tx, s)
	if err == nil {
		s.found = &cs
	}
	return err
}

func (r *Registry) storeChecks(tx *ledger.Tx, s *Seizure) (Case, error) {
	var p ledger.Problems
	var cs Case
	var err error
	if s.found != nil && s.found.ID == s.CaseID {
		// Cases are never deleted: one found by Precheck still exists,
		// and reading it again would cost every write of the group.
		cs = *s.found
	} else if cs, err = r.Case(tx, s.CaseID); err != nil {
		if ledger.ErrorCode(err) != ledger.ENotFound {
			return Case{}, err
		}
		p.Addf("case_id", "case %d not found; "+AdviceCreateCase, s.CaseID)
	}
	for i := range s.Items {
		if id, used := r.SealInUse(tx, s.Items[i].Seal); used {
			p.Addf(fmt.Sprintf("items[%d].seal", i), "seal %q is already on item %d; seal numbers are unique", s.Items[i].Seal, id)
		}
	}
	return cs, p.Err()
}

// Register writes a checked seizure inside tx: the items, one ledger
// transaction that posts each holding into custody:item:<id> against
// seized:case:<case>, and each item's first custody entry (seized, held by
// the seizing officer, at the seizure's place, seal intact). It is one bbolt
// transaction with everything else in tx; when it fails, tx must be rolled
// back (the store's Write does that).
func (r *Registry) Register(tx *ledger.Tx, s *Seizure, actor string) (Receipt, error) {
	cs, err := r.storeChecks(tx, s)
	if err != nil {
		return Receipt{}, err
	}
	place := s.Place
	if place.Circle == "" {
		place.Circle = cs.Circle
	}
	rec := Receipt{CaseID: cs.ID, ItemIDs: make([]uint64, len(s.Items)), Entries: make([]uint64, len(s.Items)), Items: make([]ItemReceipt, len(s.Items))}
	made := make([]Item, len(s.Items))
	t := ledger.Transaction{Effective: s.SeizedAt, Actor: actor, Links: []ledger.Link{{Kind: "case", Ref: strconv.FormatUint(cs.ID, 10)}}}
	for i := range s.Items {
		id, err := tx.NextSequence(ledger.EvidenceItems)
		if err != nil {
			return Receipt{}, fmt.Errorf("next item id: %w", err)
		}
		it := s.Items[i] // a copy: Register may run again on the same Seizure
		it.ID, it.CaseID, it.Place, it.RecordedBy, it.Recorded = id, cs.ID, place, actor, tx.Now
		made[i] = it
		rec.ItemIDs[i] = id
		if len(s.values[i]) > 0 {
			t.Links = append(t.Links, ledger.Link{Kind: "item", Ref: strconv.FormatUint(id, 10)})
		}
		for _, amt := range s.values[i] {
			t.Postings = append(t.Postings,
				ledger.Posting{Account: ItemAccount(id), Amount: amt},
				ledger.Posting{Account: CaseAccount(cs.ID), Amount: amt.Neg()})
		}
	}
	if len(t.Postings) > 0 {
		t.Memo = fmt.Sprintf("seizure for case %d (FIR %s, %s): %d item(s) into custody", cs.ID, cs.FIR, cs.Circle, len(s.Items))
		posted, err := tx.Post(t)
		if err != nil {
			return Receipt{}, fmt.Errorf("post seizure: %w", err)
		}
		rec.LedgerTxn = posted.ID
	}
	for i := range made {
		it := &made[i]
		if len(s.values[i]) > 0 {
			it.LedgerTxn = rec.LedgerTxn
		}
		data, err := encodeRecord(it)
		if err != nil {
			return Receipt{}, fmt.Errorf("encode item: %w", err)
		}
		if err := tx.Put(ledger.EvidenceItems, be64(it.ID), data); err != nil {
			return Receipt{}, fmt.Errorf("store item %d: %w", it.ID, err)
		}
		if err := r.custody.LogRecord(tx, ItemRecordKind, it.ID, data); err != nil {
			return Receipt{}, fmt.Errorf("log item %d: %w", it.ID, err)
		}
		if err := indexItem(tx, it); err != nil {
			return Receipt{}, err
		}
		if err := tx.Put(ledger.EvidenceSeals, []byte(sealKey(it.Seal)), be64(it.ID)); err != nil {
			return Receipt{}, fmt.Errorf("index seal of item %d: %w", it.ID, err)
		}
		if err := tx.Put(ledger.EvidenceCaseItems, append(be64(cs.ID), be64(it.ID)...), nil); err != nil {
			return Receipt{}, fmt.Errorf("index item %d under case %d: %w", it.ID, cs.ID, err)
		}
		e, err := r.custody.Append(tx, chain.Entry{
			Item:       it.ID,
			Event:      chain.EventSeized,
			At:         s.SeizedAt,
			RecordedBy: actor,
			To:         s.Officer,
			Location:   chain.Location{Circle: place.Circle, Building: place.Building, Room: place.Room},
			Purpose:    "seizure",
			SealBefore: chain.Seal{State: chain.SealNone},
			SealAfter:  chain.Seal{Number: it.Seal, State: chain.SealIntact},
			Remarks:    cmp.Or(it.Remarks, it.SeizureRemarks),
			LedgerTxn:  it.LedgerTxn,
		})
		if err != nil {
			return Receipt{}, fmt.Errorf("first custody entry of item %d (items[%d]): %w", it.ID, i, err)
		}
		if err := indexEntry(tx, &e); err != nil {
			return Receipt{}, err
		}
		rec.Entries[i] = e.Seq
		rec.Items[i] = ItemReceipt{ID: it.ID, Seal: it.Seal, Kind: it.Kind, CustodyEntry: e.Seq, CustodyHash: e.Hash}
	}
	return rec, nil
}

// Reader is a registry for reads only, over a store opened read-only
// (service.Open with ReadOnly makes no registry, since New creates buckets):
// the register export reads items, cases and orders through it.
func Reader(custody CustodyLog) *Registry { return &Registry{custody: custody} }
