package evidence

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/finance"
	"github.com/amanat-ledger/amanat/ledger/text"
)

// The two-person rule (docs/custody.md): a custody event that lets an item
// leave the agency's hands (a release, an on-chain move) is first proposed
// by one user and takes effect only when a supervisor, another person,
// approves it. A proposal is checked in full when it is made and again, by
// Record, when it is approved, against the item as it is then. The proposal
// and its decision are two records, each written once and each a leaf of the
// custody log; the entry an approval writes carries both names.

// NeedsApproval lists the custody events the two-person rule holds.
var NeedsApproval = map[string]bool{
	chain.EventMovedOnChain: true,
	chain.EventForfeited:    true,
	chain.EventReturned:     true,
	chain.EventDestroyed:    true,
	chain.EventWrittenOff:   true,
	chain.EventSuperdari:    true,
}

// DefaultApprovalTTL is how long a proposal waits for a decision unless the
// store is opened with another: three days, a long weekend.
const DefaultApprovalTTL = 72 * time.Hour

// Record kinds of the two-person rule in the custody log.
const (
	ProposalRecordKind = "approval.proposal"
	DecisionRecordKind = "approval.decision"
)

// ApprovalRecordKinds describes the proposals and decisions to the custody
// log: the wiring passes them with the register's own kinds.
func ApprovalRecordKinds() []ledger.RecordKind {
	return []ledger.RecordKind{
		{Name: ProposalRecordKind, Label: "proposal", Each: eachRecord(ledger.ApprovalProposals), Read: readRecord(ledger.ApprovalProposals)},
		{Name: DecisionRecordKind, Label: "decision", Each: eachRecord(ledger.ApprovalDecisions), Read: readRecord(ledger.ApprovalDecisions)},
	}
}

// Approval statuses.
const (
	ApprovalPending  = "pending"
	ApprovalApproved = "approved"
	ApprovalRejected = "rejected"
	ApprovalExpired  = "expired"
)

// ApprovalStatuses lists every status, in the order a proposal may reach them.
var ApprovalStatuses = []string{ApprovalPending, ApprovalApproved, ApprovalRejected, ApprovalExpired}

// Kinds of proposal.
const (
	ProposalCustody    = "custody"    // a custody event (POST /v1/items/{id}/custody)
	ProposalConversion = "conversion" // a conversion (POST /v1/conversions)
	// ProposalReconciliation is a count that posts a variance (POST
	// /v1/reconciliations): any variance at all, however small, since a
	// variance moves custody money to an account nobody holds.
	ProposalReconciliation = "reconciliation"
)

// Proposal is a checked write waiting for a second person. Entry is a
// custody event exactly as it will be recorded, the proposer as its
// recorder; of a conversion it names only the item, the converted event
// and when, and Conversion is the request as it will be recorded.
type Proposal struct {
	ID         uint64                   `json:"id"`
	Kind       string                   `json:"kind"`
	Entry      chain.Entry              `json:"entry"`
	Conversion *finance.ConversionInput `json:"conversion,omitempty"`
	// Reconciliation is the count of a reconciliation proposal.
	Reconciliation *finance.ReconciliationInput `json:"reconciliation,omitempty"`
	ProposedBy     string                       `json:"proposed_by"`
	Proposed       time.Time                    `json:"proposed"`
	Expires        time.Time                    `json:"expires"`
}

// Decision is a supervisor's approval or rejection of proposal ID.
type Decision struct {
	ID      uint64    `json:"id"`
	Outcome string    `json:"outcome"` // approved or rejected
	By      string    `json:"by"`
	At      time.Time `json:"at"`
	Reason  string    `json:"reason,omitempty"`
	Entry   uint64    `json:"entry,omitempty"` // the custody entry an approval wrote
}

// Approval is a proposal with its decision, if any, and its status now.
type Approval struct {
	Proposal
	Status   string
	Decision *Decision
}

// Propose checks e as Record would and stores it as a proposal inside tx,
// writing nothing else: the books and the item's custody are unchanged
// until a supervisor approves it.
func (r *Registry) Propose(tx *ledger.Tx, e chain.Entry) (Approval, error) {
	if !NeedsApproval[e.Event] {
		return Approval{}, ledger.FieldErr("event", fmt.Sprintf("%s needs no approval: record it directly", e.Event))
	}
	e.ApprovedBy = ""
	if err := r.CheckRecord(tx, e); err != nil {
		return Approval{}, err
	}
	return r.propose(tx, Proposal{Kind: ProposalCustody, Entry: e, ProposedBy: e.RecordedBy})
}

// propose stores p, with its id, time and expiry, inside tx.
func (r *Registry) propose(tx *ledger.Tx, p Proposal) (Approval, error) {
	if ok, err := r.seesProposal(tx, p); err != nil || !ok {
		if err != nil {
			return Approval{}, err
		}
		return Approval{}, ledger.Errorf(ledger.ENotFound, "item %d not found", p.Entry.Item)
	}
	id, err := tx.NextSequence(ledger.ApprovalProposals)
	if err != nil {
		return Approval{}, fmt.Errorf("next approval id: %w", err)
	}
	ttl := r.ApprovalTTL
	if ttl <= 0 {
		ttl = DefaultApprovalTTL
	}
	p.ID, p.Proposed, p.Expires = id, tx.Now.UTC(), tx.Now.UTC().Add(ttl)
	if err := r.putApprovalRecord(tx, ledger.ApprovalProposals, ProposalRecordKind, id, p); err != nil {
		return Approval{}, err
	}
	return Approval{Proposal: p, Status: ApprovalPending}, nil
}

// errDryRun rolls back a write that only checked.
var errDryRun = errors.New("dry run")

// CheckConversion says whether finance would record conversion in by actor
// now: it records it in a write that is then rolled back, so every rule of
// a conversion (the item, its holdings, its custody, the dates) is checked
// by the code that records it.
func (r *Registry) CheckConversion(ctx context.Context, store *ledger.Store, in finance.ConversionInput, actor string) error {
	if r.Finance == nil {
		return ledger.Errorf(ledger.EInternal, "conversions need finance, which is not configured")
	}
	err := store.Write(ctx, func(tx *ledger.Tx) error {
		if _, err := r.FinanceDesk().Convert(tx, in, actor); err != nil {
			return err
		}
		return errDryRun
	})
	if errors.Is(err, errDryRun) {
		return nil
	}
	return err
}

// ReconciliationNeedsApproval says whether recording count in by actor now
// would post a variance, which the two-person rule holds: it records it in
// a write that is then rolled back. A count that finance would refuse is
// that refusal.
func (r *Registry) ReconciliationNeedsApproval(ctx context.Context, store *ledger.Store, in finance.ReconciliationInput, actor string) (bool, error) {
	if r.Finance == nil {
		return false, ledger.Errorf(ledger.EInternal, "reconciliations need finance, which is not configured")
	}
	var variance bool
	err := store.Write(ctx, func(tx *ledger.Tx) error {
		rec, err := r.FinanceDesk().Reconcile(tx, in, actor)
		if err != nil {
			return err
		}
		variance = rec.TxnID != 0
		return errDryRun
	})
	if errors.Is(err, errDryRun) {
		return variance, nil
	}
	return false, err
}

// Reconcile records count in by actor inside tx when it posts no
// variance; one that would (the books changed since
// ReconciliationNeedsApproval said otherwise) is refused, so no variance is
// ever posted by one person.
func (r *Registry) Reconcile(tx *ledger.Tx, in finance.ReconciliationInput, actor string) (finance.Reconciliation, error) {
	rec, err := r.FinanceDesk().Reconcile(tx, in, actor)
	if err == nil && rec.TxnID != 0 {
		return finance.Reconciliation{}, ledger.Errorf(ledger.EConflict, "the count now differs from the books and would post a variance, which needs a supervisor's approval: send it again")
	}
	return rec, err
}

// ProposeReconciliation stores count in by actor, which posts a variance,
// as a proposal inside tx; call ReconciliationNeedsApproval first.
func (r *Registry) ProposeReconciliation(tx *ledger.Tx, in finance.ReconciliationInput, actor string) (Approval, error) {
	item, err := strconv.ParseUint(in.ItemID, 10, 64)
	if err != nil {
		return Approval{}, ledger.FieldErr("item_id", "is not an id")
	}
	date, err := time.Parse("2006-01-02", in.Date)
	if err != nil {
		return Approval{}, ledger.FieldErr("date", "is not a date")
	}
	e := chain.Entry{Item: item, At: finance.EndOfDay(date), RecordedBy: actor}
	return r.propose(tx, Proposal{Kind: ProposalReconciliation, Entry: e, Reconciliation: &in, ProposedBy: actor})
}

// ProposeConversion stores conversion in by actor as a proposal inside tx;
// call CheckConversion first.
func (r *Registry) ProposeConversion(tx *ledger.Tx, in finance.ConversionInput, actor string) (Approval, error) {
	item, err := strconv.ParseUint(in.ItemID, 10, 64)
	if err != nil {
		return Approval{}, ledger.FieldErr("item_id", "is not an id")
	}
	at, err := time.Parse(time.RFC3339Nano, in.ExecutedAt)
	if err != nil {
		return Approval{}, ledger.FieldErr("executed_at", "is not an RFC 3339 instant")
	}
	e := chain.Entry{Item: item, Event: chain.EventConverted, At: at.UTC(), RecordedBy: actor}
	return r.propose(tx, Proposal{Kind: ProposalConversion, Entry: e, Conversion: &in, ProposedBy: actor})
}

// Approved is what an approval wrote: the custody entry of a custody
// proposal, or the conversion (with its converted entry) of a conversion.
type Approved struct {
	Approval
	Entry          *chain.Entry
	Conversion     *finance.Conversion
	Reconciliation *finance.Reconciliation
}

// Approve carries out pending proposal id inside tx as supervisor by: the
// write is made as the direct write makes it, checked again against the
// item now, with by as its approver. Exactly one of two concurrent
// approvals takes effect: writes are serial, and the second finds the
// decision.
func (r *Registry) Approve(tx *ledger.Tx, id uint64, by string) (Approved, error) {
	a, err := r.decidable(tx, id, by)
	if err != nil {
		return Approved{}, err
	}
	var out Approved
	var seq uint64
	switch {
	case a.Kind == ProposalConversion && a.Conversion != nil && r.Finance != nil:
		conv, err := r.FinanceDesk().ConvertApproved(tx, *a.Conversion, a.ProposedBy, by)
		if err != nil {
			return Approved{}, err
		}
		out.Conversion = &conv
		seq, _ = strconv.ParseUint(conv.CustodyEntry, 10, 64)
	case a.Kind == ProposalReconciliation && a.Reconciliation != nil && r.Finance != nil:
		rec, err := r.FinanceDesk().ReconcileApproved(tx, *a.Reconciliation, a.ProposedBy, by)
		if err != nil {
			return Approved{}, err
		}
		out.Reconciliation = &rec
	case a.Kind == ProposalCustody:
		e := a.Entry
		e.ApprovedBy = by
		got, err := r.Record(tx, e)
		if err != nil {
			return Approved{}, err
		}
		out.Entry, seq = &got, got.Seq
	default:
		return Approved{}, ledger.Errorf(ledger.EInternal, "approval %d: cannot carry out a proposal of kind %q", id, a.Kind)
	}
	d := Decision{ID: id, Outcome: ApprovalApproved, By: by, At: tx.Now.UTC(), Entry: seq}
	if err := r.putApprovalRecord(tx, ledger.ApprovalDecisions, DecisionRecordKind, id, d); err != nil {
		return Approved{}, err
	}
	a.Status, a.Decision = ApprovalApproved, &d
	out.Approval = a
	return out, nil
}

// Reject refuses pending proposal id inside tx, for reason (required free
// text), as supervisor by.
func (r *Registry) Reject(tx *ledger.Tx, id uint64, by, reason string) (Approval, error) {
	if reason == "" {
		return Approval{}, ledger.FieldErr("reason", "is required: say why the proposal is refused")
	}
	if why := text.Check(reason, 4096, text.Block); why != "" {
		return Approval{}, ledger.FieldErr("reason", why)
	}
	a, err := r.decidable(tx, id, by)
	if err != nil {
		return Approval{}, err
	}
	d := Decision{ID: id, Outcome: ApprovalRejected, By: by, At: tx.Now.UTC(), Reason: reason}
	if err := r.putApprovalRecord(tx, ledger.ApprovalDecisions, DecisionRecordKind, id, d); err != nil {
		return Approval{}, err
	}
	a.Status, a.Decision = ApprovalRejected, &d
	return a, nil
}

// decidable is proposal id if by may decide it now: it is pending (not
// decided, not expired) and by is not its proposer.
func (r *Registry) decidable(tx *ledger.Tx, id uint64, by string) (Approval, error) {
	a, err := r.Approval(tx, id)
	if err != nil {
		return Approval{}, err
	}
	switch a.Status {
	case ApprovalPending:
	case ApprovalExpired:
		return Approval{}, ledger.Errorf(ledger.EConflict, "approval %d expired at %s: propose the event again", id, a.Expires.Format(time.RFC3339))
	default:
		return Approval{}, ledger.Errorf(ledger.EConflict, "approval %d is already %s by %s", id, a.Status, a.Decision.By)
	}
	if chain.SamePerson(by, a.ProposedBy) {
		return Approval{}, ledger.Errorf(ledger.EForbidden, "breaks custody rule %s: %s proposed approval %d and may not decide it", chain.RuleTwoPersons, by, id)
	}
	return a, nil
}

// Approval reads proposal id with its decision and its status as of tx.Now.
func (r *Registry) Approval(tx *ledger.Tx, id uint64) (Approval, error) {
	v := tx.Get(ledger.ApprovalProposals, be64(id))
	if v == nil {
		return Approval{}, ledger.Errorf(ledger.ENotFound, "approval %d not found", id)
	}
	a, err := readApproval(tx, v)
	if err != nil {
		return Approval{}, err
	}
	ok, err := r.seesProposal(tx, a.Proposal)
	if err != nil {
		return Approval{}, err
	}
	if !ok {
		return Approval{}, ledger.Errorf(ledger.ENotFound, "approval %d not found", id)
	}
	return a, nil
}

// seesProposal reports whether the caller sees the item a proposal is
// about; a count of a whole location is about no one item, and only a
// caller of every circle sees it.
func (r *Registry) seesProposal(tx *ledger.Tx, p Proposal) (bool, error) {
	if r.scope == nil {
		return true, nil
	}
	item := p.Entry.Item
	if p.Reconciliation != nil {
		n, err := strconv.ParseUint(p.Reconciliation.ItemID, 10, 64)
		if err != nil {
			return r.allows(locationCircle(p.Reconciliation.Location)), nil
		}
		item = n
	}
	return r.SeesItem(tx, item)
}

func readApproval(tx *ledger.Tx, stored []byte) (Approval, error) {
	var a Approval
	if err := decodeRecord(stored, &a.Proposal); err != nil {
		return Approval{}, fmt.Errorf("decode proposal: %w", err)
	}
	a.Status = ApprovalPending
	if v := tx.Get(ledger.ApprovalDecisions, be64(a.ID)); v != nil {
		var d Decision
		if err := decodeRecord(v, &d); err != nil {
			return Approval{}, fmt.Errorf("decode decision %d: %w", a.ID, err)
		}
		a.Status, a.Decision = d.Outcome, &d
	} else if !tx.Now.Before(a.Expires) {
		a.Status = ApprovalExpired
	}
	return a, nil
}

// Approvals is up to limit proposals with an id after after, in id order,
// of status (all when ""); more says whether a later page holds any.
func (r *Registry) Approvals(tx *ledger.Tx, status string, after uint64, limit int) (out []Approval, more bool, err error) {
	c := tx.Cursor(ledger.ApprovalProposals)
	for k, v := c.Seek(be64(after + 1)); k != nil; k, v = c.Next() {
		a, err := readApproval(tx, v)
		if err != nil {
			return nil, false, err
		}
		if status != "" && a.Status != status {
			continue
		}
		if ok, err := r.seesProposal(tx, a.Proposal); err != nil || !ok {
			if err != nil {
				return nil, false, err
			}
			continue
		}
		if len(out) == limit {
			return out, true, nil
		}
		out = append(out, a)
	}
	return out, false, nil
}

func (r *Registry) putApprovalRecord(tx *ledger.Tx, b ledger.Bucket, kind string, id uint64, v any) error {
	data, err := encodeRecord(v)
	if err != nil {
		return fmt.Errorf("encode %s %d: %w", kind, id, err)
	}
	if err := tx.Put(b, be64(id), data); err != nil {
		return fmt.Errorf("store %s %d: %w", kind, id, err)
	}
	return r.custody.LogRecord(tx, kind, id, data)
}
