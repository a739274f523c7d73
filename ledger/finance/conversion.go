package finance

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/money"
	"github.com/amanat-ledger/amanat/ledger/text"
)

// ConversionInput is a liquidation as finance reports it: what an item held
// was sold or exchanged (every currency it holds, in full: a conversion ends
// the item's custody), when, for how many PKR (net, as received), and the
// fees charged.
type ConversionInput struct {
	ItemID       string       `json:"item_id"`
	Sold         []CountInput `json:"sold"`
	Proceeds     string       `json:"proceeds"`
	Fees         string       `json:"fees"`
	ExecutedAt   string       `json:"executed_at"`
	Counterparty string       `json:"counterparty"`
	Reference    string       `json:"reference"`
	Memo         string       `json:"memo"`
	// CourtOrderID is the registered sale order the conversion carries
	// out; the custody log's owner checks it (docs/custody.md).
	CourtOrderID ledger.ID `json:"court_order_id"`
}

// SoldLeg is one currency of a conversion, valued at the rate in force on
// the day of execution.
type SoldLeg struct {
	Currency string `json:"currency"`
	Priced
}

// Conversion is a recorded liquidation and what it realised against the
// valuation of the day.
type Conversion struct {
	ID           uint64    `json:"id"`
	ItemID       string    `json:"item_id"`
	CaseID       string    `json:"case_id"`
	Sold         []SoldLeg `json:"sold"`
	Proceeds     string    `json:"proceeds"`
	Fees         string    `json:"fees"`
	Gross        string    `json:"gross"`
	ExecutedAt   time.Time `json:"executed_at"`
	Counterparty string    `json:"counterparty"`
	Reference    string    `json:"reference,omitempty"`
	Memo         string    `json:"memo,omitempty"`
	CourtOrderID uint64    `json:"court_order_id,omitempty"`
	// AtParPKR is the item's own PKR, moved to the case's proceeds at par
	// beside the sale (it is neither sold nor part of Proceeds).
	AtParPKR string `json:"pkr_at_par,omitempty"`
	// ValuationPKR is the sum of the legs' rounded values at the rates in
	// force on the day of execution; RealisedDifference is Gross minus it
	// (positive: sold above the valuation), NetDifference Proceeds minus it.
	// All three are null when some leg had no rate.
	ValuationPKR       *string   `json:"valuation_pkr"`
	MissingRate        bool      `json:"missing_rate"`
	RealisedDifference *string   `json:"realised_difference"`
	NetDifference      *string   `json:"net_difference"`
	TxnID              uint64    `json:"transaction_id"`
	CustodyEntry       string    `json:"custody_entry"`
	Actor              string    `json:"recorded_by"`
	ApprovedBy         string    `json:"approved_by,omitempty"` // the supervisor who approved it (two-person rule)
	Recorded           time.Time `json:"recorded_at"`
}

type conversionInput struct {
	item         string
	sold         []money.Amount
	proceeds     money.Amount
	fees         money.Amount
	at           time.Time
	counterparty string
	reference    string
	memo         string
	order        uint64
}

// CheckConversion validates in without touching the store.
func CheckConversion(in ConversionInput) (conversionInput, error) {
	var p ledger.Problems
	var c conversionInput
	if err := CheckID(in.ItemID); err != nil {
		p.Add("item_id", err.Error())
	}
	c.item = in.ItemID
	if len(in.Sold) == 0 {
		p.Add("sold", "name each currency sold and its amount")
	}
	seen := map[string]bool{}
	for i, leg := range in.Sold {
		f := fmt.Sprintf("sold[%d]", i)
		if leg.Currency == "" {
			p.Add(f+".currency", "is required")
			continue
		}
		cur, err := money.Lookup(leg.Currency)
		if err != nil {
			p.Add(f+".currency", err.Error())
			continue
		}
		if cur.Code == money.PKR.Code {
			p.Add(f+".currency", "PKR is not sold: a conversion moves the item's whole PKR holding to the case's proceeds at par; name only the currencies sold")
			continue
		}
		if seen[cur.Code] {
			p.Addf(f+".currency", "%s is named twice", cur.Code)
		}
		seen[cur.Code] = true
		if leg.Amount == "" {
			p.Add(f+".amount", "is required")
			continue
		}
		a, err := money.ParseAmount(cur, leg.Amount, money.Positive)
		if err != nil {
			p.Add(f+".amount", err.Error())
			continue
		}
		c.sold = append(c.sold, a)
	}
	if in.Proceeds == "" {
		p.Add("proceeds", "is required")
	} else if a, err := money.ParseAmount(money.PKR, in.Proceeds, money.Positive); err != nil {
		p.Add("proceeds", err.Error())
	} else {
		c.proceeds = a
	}
	c.fees = money.Zero(money.PKR)
	if in.Fees != "" {
		if a, err := money.ParseAmount(money.PKR, in.Fees, money.NonNegative); err != nil {
			p.Add("fees", err.Error())
		} else {
			c.fees = a
		}
	}
	if in.ExecutedAt == "" {
		p.Add("executed_at", "is required")
	} else if t, err := time.Parse(time.RFC3339Nano, in.ExecutedAt); err != nil {
		p.Addf("executed_at", "%q is not an RFC 3339 time", in.ExecutedAt)
	} else if t.Year() < 1970 {
		p.Add("executed_at", "is before 1970")
	} else {
		c.at = t.UTC()
	}
	c.counterparty = cleanText(&p, "counterparty", in.Counterparty, 200, text.Line, true)
	c.reference = cleanText(&p, "reference", in.Reference, 200, text.Line, false)
	c.memo = cleanText(&p, "memo", in.Memo, 1000, text.Block, false)
	c.order = uint64(in.CourtOrderID)
	return c, p.Err()
}

// Convert records a liquidation as one ledger transaction through the item's
// conversion account (docs/finance.md draws it), for each currency sold:
//
//	custody:item:<id>     -amount CUR   the asset leaves custody
//	conversion:item:<id>  +amount CUR
//
// and then in PKR:
//
//	conversion:item:<id>  -gross    PKR  what the assets fetched (proceeds + fees)
//	proceeds:case:<case>  +proceeds PKR  what arrived, net of fees
//	fees:conversion       +fees     PKR
//	conversion:item:<id>  +diff     PKR  gross - valuation, so that the
//	gains:conversion      -diff     PKR  conversion account is flat in PKR
//	                                     at the day's rates
//
// It appends the item's `converted` custody entry, which ends its custody, in
// the same transaction; so a conversion sells everything the item holds, in
// every currency, exactly as the books hold it (reconcile first when a count
// disagrees). PKR is not sold: the item's PKR moves at par
//
//	custody:item:<id>     -pkr PKR
//	proceeds:case:<case>  +pkr PKR
//
// in the same transaction, and is left out of proceeds and the valuation.
func (s *Service) Convert(tx *ledger.Tx, in ConversionInput, actor string) (Conversion, error) {
	return s.ConvertApproved(tx, in, actor, "")
}

// ConvertApproved is Convert of a conversion proposed by actor and approved
// by approvedBy (two-person rule): both names are on the conversion and on
// its converted custody entry.
func (s *Service) ConvertApproved(tx *ledger.Tx, in ConversionInput, actor, approvedBy string) (Conversion, error) {
	c, err := CheckConversion(in)
	if err != nil {
		return Conversion{}, err
	}
	ref, err := s.convertible(tx, c)
	if err != nil {
		return Conversion{}, err
	}
	atPar, err := sellsWholeHolding(tx, c)
	if err != nil {
		return Conversion{}, err
	}
	gross, err := c.proceeds.Add(c.fees)
	if err != nil {
		return Conversion{}, err
	}
	rates := s.newRateCache(tx, Today(c.at))
	id, err := tx.NextSequence(ledger.FinanceConversions)
	if err != nil {
		return Conversion{}, fmt.Errorf("next conversion id: %w", err)
	}
	conv := Conversion{
		ID: id, ItemID: c.item, CaseID: ref.CaseID,
		Proceeds: c.proceeds.String(), Fees: c.fees.String(), Gross: gross.String(),
		ExecutedAt: c.at, Counterparty: c.counterparty, Reference: c.reference, Memo: c.memo,
		CourtOrderID: c.order, Actor: actor, ApprovedBy: approvedBy, Recorded: tx.Now,
	}
	if !atPar.IsZero() {
		conv.AtParPKR = atPar.String()
	}
	posts, soldText, err := conversionPostings(c, ref.CaseID, gross, atPar, rates, &conv)
	if err != nil {
		return Conversion{}, err
	}
	memo := fmt.Sprintf("conversion %d: %s of item %s to PKR via %s", id, strings.Join(soldText, ", "), c.item, c.counterparty)
	if !atPar.IsZero() {
		memo += fmt.Sprintf("; its %s PKR to the proceeds at par", atPar)
	}
	t, err := tx.Post(ledger.Transaction{
		Effective: c.at, Actor: actor, Memo: memo, Postings: posts,
		Links: []ledger.Link{{Kind: "case", Ref: ref.CaseID}, {Kind: "item", Ref: c.item}, {Kind: "conversion", Ref: strconv.FormatUint(id, 10)}},
	})
	if err != nil {
		return Conversion{}, err
	}
	conv.TxnID = t.ID
	entry, err := s.custody.RecordConversion(tx, ConversionEvent{
		ItemID: c.item, At: c.at, Actor: actor, ApprovedBy: approvedBy, Sold: c.sold, ProceedsPKR: c.proceeds, AtParPKR: atPar,
		Counterparty: c.counterparty, Reference: c.reference, TxnID: t.ID, CourtOrderID: c.order,
	})
	if err != nil {
		return Conversion{}, err
	}
	conv.CustodyEntry = entry
	rec, err := ledger.EncodeRecord(recordVersion, conv)
	if err != nil {
		return Conversion{}, err
	}
	if err := tx.Put(ledger.FinanceConversions, ledger.BE64(id), rec); err != nil {
		return Conversion{}, fmt.Errorf("store conversion %d: %w", id, err)
	}
	return conv, nil
}

// convertible finds the item c converts and refuses a conversion the
// register or the item's history rules out.
func (s *Service) convertible(tx *ledger.Tx, c conversionInput) (ItemRef, error) {
	if s.items == nil || s.custody == nil {
		return ItemRef{}, ledger.Errorf(ledger.EInternal, "conversions need the item directory and the custody log, which are not configured")
	}
	if c.at.After(tx.Now.Add(time.Minute)) {
		return ItemRef{}, ledger.FieldErr("executed_at", "is in the future")
	}
	ref, err := s.items.Item(tx, c.item)
	if err != nil {
		if ledger.ErrorCode(err) == ledger.ENotFound {
			return ItemRef{}, ledger.FieldErr("item_id", fmt.Sprintf("item %s does not exist", c.item))
		}
		return ItemRef{}, err
	}
	if CheckID(ref.CaseID) != nil {
		return ItemRef{}, ledger.Errorf(ledger.EInternal, "item %s has no case", c.item)
	}
	if !ref.SeizedAt.IsZero() && c.at.Before(ref.SeizedAt) {
		return ItemRef{}, ledger.FieldErr("executed_at", fmt.Sprintf("is before the item was seized (%s)", ref.SeizedAt.UTC().Format(time.RFC3339)))
	}
	// A conversion moves today's balance at c.at: dated before a later
	// posting it would move value the item did not hold yet (or no longer
	// held) then, and leave the account negative in between.
	last, ok, err := tx.LatestPostingAt(custodyAccount(c.item))
	if err != nil {
		return ItemRef{}, fmt.Errorf("latest posting of item %s: %w", c.item, err)
	}
	if ok && c.at.Before(last) {
		return ItemRef{}, ledger.FieldErr("executed_at", fmt.Sprintf("is before the latest posting to item %s (%s); a conversion sells what the item holds now, so it cannot be dated before that", c.item, last.Format(time.RFC3339Nano)))
	}
	return ref, nil
}

// sellsWholeHolding refuses c unless it sells exactly what the item holds
// now, in every currency but PKR; it returns the item's PKR, which moves to
// the proceeds at par.
func sellsWholeHolding(tx *ledger.Tx, c conversionInput) (atPar money.Amount, err error) {
	held := map[string]money.Amount{}
	page, err := tx.Balances(ledger.BalanceFilter{Account: custodyAccount(c.item), Limit: 1000})
	if err != nil {
		return money.Amount{}, err
	}
	for _, b := range page.Balances {
		if b.Account == custodyAccount(c.item) && !b.Amount.IsZero() {
			held[b.Amount.Currency().Code] = b.Amount
		}
	}
	// The item's own PKR needs no sale; it goes to the proceeds at par.
	atPar = money.Zero(money.PKR)
	if h, ok := held[money.PKR.Code]; ok {
		atPar = h
		delete(held, money.PKR.Code)
	}
	var p ledger.Problems
	for i, a := range c.sold {
		h, ok := held[a.Currency().Code]
		switch {
		case !ok:
			p.Addf(fmt.Sprintf("sold[%d].currency", i), "item %s holds no %s", c.item, a.Currency().Code)
		case !h.Equal(a):
			p.Addf(fmt.Sprintf("sold[%d].amount", i), "item %s holds %s %s; a conversion sells the whole holding (reconcile first if a count differs)", c.item, h, h.Currency().Code)
		}
		delete(held, a.Currency().Code)
	}
	for _, code := range sortedKeys(held) {
		p.Addf("sold", "item %s also holds %s %s; a conversion ends the item's custody, so it sells every holding", c.item, held[code], code)
	}
	if err := p.Err(); err != nil {
		return money.Amount{}, err
	}
	return atPar, nil
}

// conversionPostings is the transaction Convert draws, each leg valued at
// the day's rate into conv (its legs, valuation and differences), and the
// legs as text for the memo.
func conversionPostings(c conversionInput, caseID string, gross, atPar money.Amount, rates *rateCache, conv *Conversion) (posts []ledger.Posting, soldText []string, err error) {
	value := money.Zero(money.PKR)
	for _, a := range c.sold {
		posts = append(posts,
			ledger.Posting{Account: custodyAccount(c.item), Amount: a.Neg()},
			ledger.Posting{Account: conversionAccount(c.item), Amount: a})
		pr, err := rates.price(a)
		if err != nil {
			return nil, nil, err
		}
		conv.Sold = append(conv.Sold, SoldLeg{Currency: a.Currency().Code, Priced: pr})
		if pr.MissingRate {
			conv.MissingRate = true
		} else if value, err = value.Add(pr.pkr); err != nil {
			return nil, nil, err
		}
		soldText = append(soldText, a.String()+" "+a.Currency().Code)
	}
	posts = append(posts,
		ledger.Posting{Account: conversionAccount(c.item), Amount: gross.Neg()},
		ledger.Posting{Account: proceedsAccount(caseID), Amount: c.proceeds})
	if !c.fees.IsZero() {
		posts = append(posts, ledger.Posting{Account: feesAccount, Amount: c.fees})
	}
	if !atPar.IsZero() {
		posts = append(posts,
			ledger.Posting{Account: custodyAccount(c.item), Amount: atPar.Neg()},
			ledger.Posting{Account: proceedsAccount(caseID), Amount: atPar})
	}
	if conv.MissingRate {
		return posts, soldText, nil
	}
	diff, err := gross.Sub(value)
	if err != nil {
		return nil, nil, err
	}
	net, err := c.proceeds.Sub(value)
	if err != nil {
		return nil, nil, err
	}
	v, d, n := value.String(), diff.String(), net.String()
	conv.ValuationPKR, conv.RealisedDifference, conv.NetDifference = &v, &d, &n
	if !diff.IsZero() {
		posts = append(posts,
			ledger.Posting{Account: conversionAccount(c.item), Amount: diff},
			ledger.Posting{Account: gainsAccount, Amount: diff.Neg()})
	}
	return posts, soldText, nil
}

func sortedKeys(m map[string]money.Amount) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Conversions lists recorded conversions in id order after the id `after`.
func (s *Service) Conversions(tx *ledger.Tx, after uint64, limit int) (out []Conversion, more bool, err error) {
	if limit <= 0 {
		limit = 100
	}
	out = []Conversion{}
	visible, err := s.visible(tx)
	if err != nil {
		return nil, false, err
	}
	c := tx.Cursor(ledger.FinanceConversions)
	for k, v := c.Seek(ledger.BE64(after + 1)); k != nil; k, v = c.Next() {
		if len(out) == limit {
			return out, true, nil
		}
		var conv Conversion
		if err := ledger.DecodeRecord(v, recordVersion, &conv); err != nil {
			return nil, false, fmt.Errorf("conversion %d: %w", binary.BigEndian.Uint64(k), err)
		}
		if visible != nil && !visible[conv.ItemID] {
			continue
		}
		out = append(out, conv)
	}
	return out, false, nil
}
