package finance

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"time"

	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/money"
)

// bucketConversions holds BE(id) -> conversion record.
var bucketConversions = []byte("finance.conversions")

// ConversionInput is a liquidation as finance reports it: how much of which
// asset of an item was sold or exchanged, when, for how many PKR (net, as
// received), and the fees charged.
type ConversionInput struct {
	ItemID       string `json:"item_id"`
	Currency     string `json:"currency"`
	Amount       string `json:"amount"`
	Proceeds     string `json:"proceeds"`
	Fees         string `json:"fees"`
	ExecutedAt   string `json:"executed_at"`
	Counterparty string `json:"counterparty"`
	Reference    string `json:"reference"`
	Memo         string `json:"memo"`
}

// Conversion is a recorded liquidation and what it realised against the
// valuation of the day.
type Conversion struct {
	ID           uint64    `json:"id"`
	ItemID       string    `json:"item_id"`
	CaseID       string    `json:"case_id"`
	Currency     string    `json:"currency"`
	Amount       string    `json:"amount"`
	Proceeds     string    `json:"proceeds"`
	Fees         string    `json:"fees"`
	Gross        string    `json:"gross"`
	ExecutedAt   time.Time `json:"executed_at"`
	Counterparty string    `json:"counterparty"`
	Reference    string    `json:"reference,omitempty"`
	Memo         string    `json:"memo,omitempty"`
	// Valuation is the amount sold at the rate in force on the day of
	// execution; RealisedDifference is Gross minus it (positive: sold above
	// the valuation), NetDifference Proceeds minus it. Both are null when no
	// rate was in force.
	Valuation          Priced    `json:"valuation"`
	RealisedDifference *string   `json:"realised_difference"`
	NetDifference      *string   `json:"net_difference"`
	TxnID              uint64    `json:"transaction_id"`
	CustodyEntry       string    `json:"custody_entry"`
	Actor              string    `json:"recorded_by"`
	Recorded           time.Time `json:"recorded_at"`
}

type conversionInput struct {
	item         string
	sold         money.Amount
	proceeds     money.Amount
	fees         money.Amount
	at           time.Time
	counterparty string
	reference    string
	memo         string
}

// CheckConversion validates in without touching the store.
func CheckConversion(in ConversionInput) (conversionInput, error) {
	var p ledger.Problems
	var c conversionInput
	if err := CheckID(in.ItemID); err != nil {
		p.Add("item_id", err.Error())
	}
	c.item = in.ItemID
	var cur money.Currency
	if in.Currency == "" {
		p.Add("currency", "is required")
	} else if cc, err := money.Lookup(in.Currency); err != nil {
		p.Add("currency", err.Error())
	} else if cc.Code == money.PKR.Code {
		p.Add("currency", "a PKR holding needs no conversion")
	} else {
		cur = cc
	}
	if in.Amount == "" {
		p.Add("amount", "is required")
	} else if cur.Code != "" {
		a, err := money.ParseAmount(cur, in.Amount, money.Positive)
		if err != nil {
			p.Add("amount", err.Error())
		}
		c.sold = a
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
	c.counterparty = cleanText(&p, "counterparty", in.Counterparty, 200, true)
	c.reference = cleanText(&p, "reference", in.Reference, 200, false)
	c.memo = cleanText(&p, "memo", in.Memo, 1000, false)
	return c, p.Err()
}

// Convert records a liquidation as one ledger transaction through the item's
// conversion account (docs/finance.md draws it):
//
//	custody:item:<id>     -amount CUR   the asset leaves custody
//	conversion:item:<id>  +amount CUR
//	conversion:item:<id>  -gross  PKR   what the asset fetched
//	proceeds:case:<case>  +proceeds PKR what arrived, net of fees
//	fees:conversion       +fees   PKR
//	conversion:item:<id>  +diff   PKR   gross - valuation, so the conversion
//	gains:conversion      -diff   PKR   account is flat in PKR at the day's rate
//
// and appends the item's `converted` custody entry in the same transaction.
func (s *Service) Convert(tx *ledger.Tx, in ConversionInput, actor string) (Conversion, error) {
	c, err := CheckConversion(in)
	if err != nil {
		return Conversion{}, err
	}
	if s.items == nil || s.custody == nil {
		return Conversion{}, ledger.Errorf(ledger.EInternal, "conversions need the item directory and the custody log, which are not configured")
	}
	if c.at.After(tx.Now.Add(time.Minute)) {
		return Conversion{}, ledger.FieldErr("executed_at", "is in the future")
	}
	ref, err := s.items.Item(tx, c.item)
	if err != nil {
		if ledger.ErrorCode(err) == ledger.ENotFound {
			return Conversion{}, ledger.FieldErr("item_id", fmt.Sprintf("item %s does not exist", c.item))
		}
		return Conversion{}, err
	}
	if CheckID(ref.CaseID) != nil {
		return Conversion{}, ledger.Errorf(ledger.EInternal, "item %s has no case", c.item)
	}
	held, _, err := tx.BalanceAt(custodyAccount(c.item), c.sold.Currency(), c.at)
	if err != nil {
		return Conversion{}, err
	}
	current, err := tx.Balance(custodyAccount(c.item), c.sold.Currency())
	if err != nil {
		return Conversion{}, err
	}
	if current.Amount.Cmp(held) < 0 {
		held = current.Amount // a later movement left less than was held then
	}
	if c.sold.Cmp(held) > 0 {
		return Conversion{}, ledger.FieldErr("amount", fmt.Sprintf("item %s holds %s %s; cannot convert %s", c.item, held, c.sold.Currency().Code, c.sold))
	}
	gross, err := c.proceeds.Add(c.fees)
	if err != nil {
		return Conversion{}, err
	}
	value, err := s.newRateCache(tx, Today(c.at)).price(c.sold)
	if err != nil {
		return Conversion{}, err
	}
	b, err := writeBucket(tx, bucketConversions)
	if err != nil {
		return Conversion{}, err
	}
	id, err := b.NextSequence()
	if err != nil {
		return Conversion{}, fmt.Errorf("next conversion id: %w", err)
	}
	idText := strconv.FormatUint(id, 10)
	posts := []ledger.Posting{
		{Account: custodyAccount(c.item), Amount: c.sold.Neg()},
		{Account: conversionAccount(c.item), Amount: c.sold},
		{Account: conversionAccount(c.item), Amount: gross.Neg()},
		{Account: proceedsAccount(ref.CaseID), Amount: c.proceeds},
	}
	if !c.fees.IsZero() {
		posts = append(posts, ledger.Posting{Account: feesAccount, Amount: c.fees})
	}
	conv := Conversion{
		ID: id, ItemID: c.item, CaseID: ref.CaseID, Currency: c.sold.Currency().Code,
		Amount: c.sold.String(), Proceeds: c.proceeds.String(), Fees: c.fees.String(), Gross: gross.String(),
		ExecutedAt: c.at, Counterparty: c.counterparty, Reference: c.reference, Memo: c.memo,
		Valuation: value, Actor: actor, Recorded: tx.Now,
	}
	if !value.MissingRate {
		diff, err := gross.Sub(value.pkr)
		if err != nil {
			return Conversion{}, err
		}
		net, err := c.proceeds.Sub(value.pkr)
		if err != nil {
			return Conversion{}, err
		}
		d, n := diff.String(), net.String()
		conv.RealisedDifference, conv.NetDifference = &d, &n
		if !diff.IsZero() {
			posts = append(posts,
				ledger.Posting{Account: conversionAccount(c.item), Amount: diff},
				ledger.Posting{Account: gainsAccount, Amount: diff.Neg()})
		}
	}
	memo := fmt.Sprintf("conversion %d: %s %s of item %s to PKR via %s", id, c.sold, c.sold.Currency().Code, c.item, c.counterparty)
	t, err := tx.Post(ledger.Transaction{
		Effective: c.at, Actor: actor, Memo: memo, Postings: posts,
		Links: []ledger.Link{{Kind: "case", Ref: ref.CaseID}, {Kind: "item", Ref: c.item}, {Kind: "conversion", Ref: idText}},
	})
	if err != nil {
		return Conversion{}, err
	}
	conv.TxnID = t.ID
	entry, err := s.custody.RecordConversion(tx, ConversionEvent{
		ItemID: c.item, At: c.at, Actor: actor, Sold: c.sold, ProceedsPKR: c.proceeds,
		Counterparty: c.counterparty, Reference: c.reference, TxnID: t.ID,
	})
	if err != nil {
		return Conversion{}, err
	}
	conv.CustodyEntry = entry
	rec, err := encodeRecord(conv)
	if err != nil {
		return Conversion{}, err
	}
	if err := b.Put(binary.BigEndian.AppendUint64(nil, id), rec); err != nil {
		return Conversion{}, fmt.Errorf("store conversion %d: %w", id, err)
	}
	return conv, nil
}

// Conversions lists recorded conversions in id order after the id `after`.
func (s *Service) Conversions(tx *ledger.Tx, after uint64, limit int) (out []Conversion, more bool, err error) {
	if limit <= 0 {
		limit = 100
	}
	out = []Conversion{}
	b := tx.Bolt.Bucket(bucketConversions)
	if b == nil {
		return out, false, nil
	}
	c := b.Cursor()
	for k, v := c.Seek(binary.BigEndian.AppendUint64(nil, after+1)); k != nil; k, v = c.Next() {
		if len(out) == limit {
			return out, true, nil
		}
		var conv Conversion
		if err := decodeRecord(v, &conv); err != nil {
			return nil, false, fmt.Errorf("conversion %d: %w", binary.BigEndian.Uint64(k), err)
		}
		if conv.Valuation.PKR != nil {
			conv.Valuation.pkr, _ = money.ParseAmount(money.PKR, *conv.Valuation.PKR, money.Signed)
		}
		out = append(out, conv)
	}
	return out, false, nil
}
