package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/evidence"
	"github.com/amanat-ledger/amanat/ledger"
)

// routesCustody registers the chain-of-custody endpoints (docs/custody.md).
func (s *Server) routesCustody(g *echo.Group) {
	g.GET("/items/:id/custody", s.listCustody)
	g.POST("/items/:id/custody", s.postCustody)
	g.GET("/items/:id/custody/bundle", s.getCustodyBundle)
	g.GET("/custody/checkpoint", s.getCheckpoint)
	g.GET("/custody/key", s.getCustodyKey)
	g.GET("/custody/entries/:seq", s.getCustodyEntry)
	g.GET("/custody/entries/:seq/proof", s.getEntryProof)
	g.GET("/custody/consistency", s.getConsistency)
}

// custodyReader admits a reader role to the custody log: every custody GET
// starts here.
func (s *Server) custodyReader(c echo.Context) (*chain.Custody, error) {
	if err := requireRole(c, access.Readers...); err != nil {
		return nil, err
	}
	return s.custody, nil
}

// requireItem answers ENotFound for an item that is not registered or that
// the caller's circles do not cover.
func (s *Server) requireItem(c echo.Context, tx *ledger.Tx, id uint64) error {
	_, err := s.reg(c).Item(tx, id)
	return err
}

// requireEntry answers for entry seq of item what a missing entry is
// answered when the caller's circles do not cover the item.
func (s *Server) requireEntry(c echo.Context, tx *ledger.Tx, seq, item uint64) error {
	ok, err := s.reg(c).SeesItem(tx, item)
	if err != nil {
		return err
	}
	if !ok {
		return ledger.Errorf(ledger.ENotFound, "custody entry %d not found", seq)
	}
	return nil
}

// Wire shapes. Ids are JSON numbers; times RFC 3339 UTC; dates YYYY-MM-DD.

type custodyLocationJSON struct {
	Circle   string `json:"circle"`
	Building string `json:"building"`
	Room     string `json:"room"`
	Wallet   string `json:"wallet"`
	Network  string `json:"network"`
	TxID     string `json:"txid"`
}

// UnmarshalJSON takes a location in the shapes a seizure takes it: a plain
// string is read by the seizure's own decoder (evidence.PlaceInput: the
// string is the building), an object strictly, with no unknown fields.
func (l *custodyLocationJSON) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var p evidence.PlaceInput
		if err := json.Unmarshal(b, &p); err != nil {
			return err
		}
		*l = custodyLocationJSON{Circle: p.Circle, Building: p.Building, Room: p.Room}
		return nil
	}
	type plain custodyLocationJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode((*plain)(l))
}

type custodySealJSON struct {
	Number string `json:"number"`
	State  string `json:"state"`
}

type attachmentJSON struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
}

type courtOrderJSON struct {
	Number string `json:"number"`
	Date   string `json:"date"`
}

// entryJSON is a custody entry as the API answers it. Every key is always
// present; a value the entry does not carry (a text left empty, no ledger
// transaction, no court order, a seal number under state none, the previous
// hash of an item's first entry) is null, never "" or 0, so that "not
// recorded" cannot be read as a value.
type entryJSON struct {
	Seq         uint64            `json:"seq"`
	Item        uint64            `json:"item"`
	ItemSeq     uint64            `json:"item_seq"`
	Event       string            `json:"event"`
	At          string            `json:"at"`
	Recorded    string            `json:"recorded"`
	RecordedBy  string            `json:"recorded_by"`
	ApprovedBy  *string           `json:"approved_by"`
	From        *string           `json:"from"`
	To          *string           `json:"to"`
	Location    entryLocationJSON `json:"location"`
	Purpose     *string           `json:"purpose"`
	SealBefore  entrySealJSON     `json:"seal_before"`
	SealAfter   entrySealJSON     `json:"seal_after"`
	Condition   *string           `json:"condition"`
	Remarks     *string           `json:"remarks"`
	Attachments []attachmentJSON  `json:"attachments"`
	CourtOrder  *courtOrderJSON   `json:"court_order"`
	CourtOrdID  *uint64           `json:"court_order_id"`
	LedgerTxn   *uint64           `json:"ledger_txn"`
	PrevHash    *string           `json:"prev_hash"`
	LeafIndex   uint64            `json:"leaf_index"`
	Hash        string            `json:"hash"`
}

type entryLocationJSON struct {
	Circle   *string `json:"circle"`
	Building *string `json:"building"`
	Room     *string `json:"room"`
	Wallet   *string `json:"wallet"`
	Network  *string `json:"network"`
	TxID     *string `json:"txid"`
}

type entrySealJSON struct {
	Number *string `json:"number"`
	State  string  `json:"state"`
}

// orNull is s, or nil (JSON null) when s is empty.
func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func toEntryJSON(e chain.Entry) entryJSON {
	l := e.Location
	out := entryJSON{
		Seq: e.Seq, Item: e.Item, ItemSeq: e.ItemSeq, Event: e.Event,
		At: e.At.UTC().Format(time.RFC3339Nano), Recorded: e.Recorded.UTC().Format(time.RFC3339Nano),
		RecordedBy: e.RecordedBy, ApprovedBy: orNull(e.ApprovedBy), From: orNull(e.From), To: orNull(e.To),
		Location: entryLocationJSON{
			Circle: orNull(l.Circle), Building: orNull(l.Building), Room: orNull(l.Room),
			Wallet: orNull(l.Wallet), Network: orNull(l.Network), TxID: orNull(l.TxID),
		},
		Purpose:    orNull(e.Purpose),
		SealBefore: entrySealJSON{Number: orNull(e.SealBefore.Number), State: e.SealBefore.State},
		SealAfter:  entrySealJSON{Number: orNull(e.SealAfter.Number), State: e.SealAfter.State},
		Condition:  orNull(e.Condition), Remarks: orNull(e.Remarks), Attachments: []attachmentJSON{},
		PrevHash: orNull(e.PrevHash), LeafIndex: e.LeafIndex, Hash: e.Hash,
	}
	if e.LedgerTxn != 0 {
		txn := e.LedgerTxn
		out.LedgerTxn = &txn
	}
	for _, a := range e.Attachments {
		out.Attachments = append(out.Attachments, attachmentJSON(a))
	}
	if e.CourtOrder != nil {
		o := courtOrderJSON(*e.CourtOrder)
		out.CourtOrder = &o
	}
	if e.CourtOrderID != 0 {
		id := e.CourtOrderID
		out.CourtOrdID = &id
	}
	return out
}

// custodyRequest is the body of POST /v1/items/{id}/custody. The item comes
// from the path and the recorder from the token; the rest is assigned.
type custodyRequest struct {
	Event       string              `json:"event"`
	At          string              `json:"at"`
	From        string              `json:"from"`
	To          string              `json:"to"`
	Location    custodyLocationJSON `json:"location"`
	Purpose     string              `json:"purpose"`
	SealBefore  *custodySealJSON    `json:"seal_before"`
	SealAfter   *custodySealJSON    `json:"seal_after"`
	Condition   string              `json:"condition"`
	Remarks     string              `json:"remarks"`
	Attachments []attachmentJSON    `json:"attachments"`
	CourtOrder  *courtOrderJSON     `json:"court_order"`
	CourtOrdID  ID                  `json:"court_order_id"`
	LedgerTxn   ID                  `json:"ledger_txn"`
}

func (r *custodyRequest) entry(item uint64, actor string) (chain.Entry, error) {
	e := chain.Entry{Item: item, Event: r.Event, RecordedBy: actor, From: r.From, To: r.To,
		Location: chain.Location(r.Location), Purpose: r.Purpose,
		Condition: r.Condition, Remarks: r.Remarks, LedgerTxn: uint64(r.LedgerTxn), CourtOrderID: uint64(r.CourtOrdID)}
	var probs ledger.Problems
	if r.At == "" {
		probs.Add("at", "is required (RFC 3339, e.g. 2025-06-03T10:00:00Z)")
	} else if t, err := time.Parse(time.RFC3339Nano, r.At); err != nil {
		probs.Addf("at", "%q is not an RFC 3339 instant (2025-06-03T10:00:00Z)", r.At)
	} else {
		e.At = t.UTC()
	}
	if r.Event == "" {
		probs.Add("event", "is required")
	}
	if r.SealBefore != nil {
		e.SealBefore = chain.Seal(*r.SealBefore)
	}
	if r.SealAfter != nil {
		e.SealAfter = chain.Seal(*r.SealAfter)
	}
	for _, a := range r.Attachments {
		e.Attachments = append(e.Attachments, chain.Attachment(a))
	}
	if r.CourtOrder != nil {
		o := chain.CourtOrder(*r.CourtOrder)
		e.CourtOrder = &o
	}
	return e, probs.Err()
}

func (s *Server) postCustody(c echo.Context) error {
	if err := requireRole(c, access.RoleCustodian); err != nil {
		return err
	}
	item, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req custodyRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	write, err := s.custodyWrite(c, item, req)
	if err != nil {
		return err
	}
	return s.writeOnce(c, write)
}

// custodyWrite is the write of a custody event, for the API and the
// console alike: the entry is checked before the write, so a refusal never
// joins a commit group and is not mistaken for a reused Idempotency-Key;
// the write records it, or proposes it when the two-person rule holds it
// (202 with the approval).
func (s *Server) custodyWrite(c echo.Context, item uint64, req custodyRequest) (func(tx *ledger.Tx) (int, any, error), error) {
	e, err := req.entry(item, actorOf(c).String())
	if err != nil {
		return nil, err
	}
	if err := evidence.CheckEvent(e); err != nil {
		return nil, err
	}
	if evidence.NeedsApproval[e.Event] {
		// The two-person rule: checked in full now, recorded only when a
		// supervisor approves.
		return func(tx *ledger.Tx) (int, any, error) {
			a, err := s.reg(c).Propose(tx, e)
			if err != nil {
				return 0, nil, err
			}
			return http.StatusAccepted, toApprovalJSON(a), nil
		}, nil
	}
	return func(tx *ledger.Tx) (int, any, error) {
		got, err := s.reg(c).Record(tx, e)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, toEntryJSON(got), nil
	}, nil
}

func (s *Server) listCustody(c echo.Context) error {
	if err := requireRole(c, access.Readers...); err != nil {
		return err
	}
	item, err := pathID(c, "id")
	if err != nil {
		return err
	}
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	after, err := page.AfterID()
	if err != nil {
		return err
	}
	var out []entryJSON
	err = s.store.View(func(tx *ledger.Tx) error {
		es, more, err := s.reg(c).Entries(tx, item, after, page.Limit)
		if err != nil {
			return err
		}
		if more {
			page.NextAfter(es[len(es)-1].ItemSeq)
		}
		for _, e := range es {
			out = append(out, toEntryJSON(e))
		}
		return nil
	})
	if err != nil {
		return err
	}
	return page.Write(c, out)
}

func (s *Server) getCustodyEntry(c echo.Context) error {
	cl, err := s.custodyReader(c)
	if err != nil {
		return err
	}
	seq, err := pathID(c, "seq")
	if err != nil {
		return err
	}
	var e chain.Entry
	if err := s.store.View(func(tx *ledger.Tx) error {
		if e, err = cl.Entry(tx, seq); err != nil {
			return err
		}
		return s.requireEntry(c, tx, seq, e.Item)
	}); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toEntryJSON(e))
}

func (s *Server) getCustodyBundle(c echo.Context) error {
	_, err := s.custodyReader(c)
	if err != nil {
		return err
	}
	item, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.store.View(func(tx *ledger.Tx) error { return s.requireItem(c, tx, item) }); err != nil {
		return err
	}
	b, err := s.svc.ExportItem(c.Request().Context(), item)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=\"custody-item-%d.json\"", item))
	return c.JSONBlob(http.StatusOK, b)
}

type checkpointJSON struct {
	Origin     string `json:"origin"`
	TreeSize   uint64 `json:"tree_size"`
	RootHash   string `json:"root_hash"`
	Checkpoint string `json:"checkpoint"`
}

func hexOf(h tlog.Hash) string { return fmt.Sprintf("%x", h[:]) }

func hexList(hs []tlog.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = hexOf(h)
	}
	return out
}

func (s *Server) getCheckpoint(c echo.Context) error {
	_, err := s.custodyReader(c)
	if err != nil {
		return err
	}
	// With witnesses, the note carries their cosignatures after the log's
	// own signature.
	cp, err := s.svc.Checkpoint(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, checkpointJSON{Origin: cp.Origin, TreeSize: cp.Size, RootHash: hexOf(cp.Root), Checkpoint: string(cp.Note)})
}

func (s *Server) getCustodyKey(c echo.Context) error {
	cl, err := s.custodyReader(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"origin": cl.Origin(), "public_key": cl.PublicKey(), "algorithm": "ed25519"})
}

// querySize reads an optional tree size; 0 when absent.
func querySize(c echo.Context, name string) (uint64, error) {
	v := c.QueryParam(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n == 0 {
		return 0, ledger.FieldErr(name, fmt.Sprintf("%q is not a tree size (a positive whole number)", v))
	}
	return n, nil
}

type proofJSON struct {
	Seq       uint64   `json:"seq"`
	Item      uint64   `json:"item"`
	LeafIndex uint64   `json:"leaf_index"`
	TreeSize  uint64   `json:"tree_size"`
	LeafHash  string   `json:"leaf_hash"`
	RootHash  string   `json:"root_hash"`
	Proof     []string `json:"proof"`
	Canonical string   `json:"canonical"`
}

func (s *Server) getEntryProof(c echo.Context) error {
	cl, err := s.custodyReader(c)
	if err != nil {
		return err
	}
	seq, err := pathID(c, "seq")
	if err != nil {
		return err
	}
	size, err := querySize(c, "size")
	if err != nil {
		return err
	}
	if size == 0 { // the latest checkpoint, signed now if ledger-only commits left it behind
		if _, err := cl.Checkpoint(c.Request().Context()); err != nil {
			return err
		}
	}
	var out proofJSON
	err = s.store.View(func(tx *ledger.Tx) error {
		p, err := cl.ProveEntry(tx, seq, size)
		if err != nil {
			return err
		}
		e, err := chain.DecodeEntry(p.Canonical)
		if err != nil {
			return err
		}
		if err := s.requireEntry(c, tx, seq, e.Item); err != nil {
			return err
		}
		out = proofJSON{Seq: seq, Item: e.Item, LeafIndex: p.LeafIndex, TreeSize: p.TreeSize, LeafHash: hexOf(p.LeafHash),
			RootHash: hexOf(p.Root), Proof: hexList(p.Hashes), Canonical: string(p.Canonical)}
		return nil
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

type consistencyJSON struct {
	Old     uint64   `json:"old"`
	New     uint64   `json:"new"`
	OldRoot string   `json:"old_root"`
	NewRoot string   `json:"new_root"`
	Proof   []string `json:"proof"`
}

func (s *Server) getConsistency(c echo.Context) error {
	cl, err := s.custodyReader(c)
	if err != nil {
		return err
	}
	var probs ledger.Problems
	old, err := querySize(c, "old")
	if err != nil {
		probs.Add("old", "must be a tree size (a positive whole number)")
	} else if old == 0 {
		probs.Add("old", "is required")
	}
	new, err := querySize(c, "new")
	if err != nil {
		probs.Add("new", "must be a tree size (a positive whole number)")
	}
	if err := probs.Err(); err != nil {
		return err
	}
	if new == 0 {
		if _, err := cl.Checkpoint(c.Request().Context()); err != nil {
			return err
		}
	}
	var p chain.ConsistencyProof
	if err := s.store.View(func(tx *ledger.Tx) error { p, err = cl.ProveConsistency(tx, old, new); return err }); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, consistencyJSON{Old: p.Old, New: p.New, OldRoot: hexOf(p.OldRoot), NewRoot: hexOf(p.NewRoot), Proof: hexList(p.Hashes)})
}
