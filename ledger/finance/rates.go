package finance

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"regexp"
	"time"

	"github.com/shopspring/decimal"

	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/money"
	"github.com/amanat-ledger/amanat/ledger/text"
)

// RateRecordKind describes rate records to the custody log: each rate, as
// stored, is a leaf, so that editing one in the file fails verification.
// Package finance does not import the log (package chain); the wiring
// passes this kind to it when it opens the log.
var RateRecordKind = ledger.RecordKind{Name: "finance.rate", Label: "rate", Each: EachRateRecord}

// RecordLog makes a stored record a leaf of the tamper-evident log, in the
// transaction that stores it (package chain's Custody implements it).
type RecordLog interface {
	LogRecord(tx *ledger.Tx, kind string, id uint64, stored []byte) error
}

// EachRateRecord calls fn with every stored rate's id and its stored bytes
// exactly, for the custody log's verification and backfill.
func EachRateRecord(tx *ledger.Tx, fn func(id uint64, stored []byte) error) error {
	return tx.ForEach(ledger.FinanceRates, func(k, v []byte) error {
		if len(k) < 8 {
			return fmt.Errorf("bucket %s holds a malformed key %x", ledger.FinanceRates.Name(), k)
		}
		return fn(binary.BigEndian.Uint64(k[len(k)-8:]), v)
	})
}

// RatePlaces is the most decimal places a rate may carry: PKR per one VND or
// IDR is below 0.02, and published rates carry 4 to 6 places.
const RatePlaces = 10

// Rate is PKR per one unit of Currency from Effective on, from Source.
type Rate struct {
	ID        uint64          `json:"id"`
	Currency  string          `json:"currency"`
	Text      string          `json:"rate"` // exactly as entered
	Effective string          `json:"effective"`
	Source    string          `json:"source"`
	Actor     string          `json:"entered_by"`
	Recorded  time.Time       `json:"recorded_at"`
	Value     decimal.Decimal `json:"-"`
}

// RateInput is a rate as a person or a sheet writes it.
type RateInput struct {
	Currency  string `json:"currency"`
	Rate      string `json:"rate"`
	Effective string `json:"effective"`
	Source    string `json:"source"`
}

var sourceRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// CheckRate validates in without touching the store. Field names are those
// of the JSON body.
func CheckRate(in RateInput) (Rate, error) {
	var p ledger.Problems
	r := Rate{Currency: in.Currency, Text: in.Rate, Effective: in.Effective, Source: in.Source}
	if in.Currency == "" {
		p.Add("currency", "is required")
	} else if cur, err := money.Lookup(in.Currency); err != nil {
		p.Add("currency", err.Error())
	} else if cur.Code == money.PKR.Code {
		p.Add("currency", "PKR is the reporting currency; its rate is 1 by definition")
	}
	if in.Rate == "" {
		p.Add("rate", "is required")
	} else if d, _, err := money.ParseDecimal(in.Rate, money.Positive, RatePlaces); err != nil {
		p.Add("rate", err.Error())
	} else {
		r.Value = d
	}
	if in.Effective == "" {
		p.Add("effective", "is required")
	} else if _, err := ParseDate(in.Effective); err != nil {
		p.Add("effective", err.Error())
	}
	if in.Source == "" {
		p.Add("source", "is required")
	} else if reason := text.Check(in.Source, 64, text.Line); reason != "" {
		// The shared check first, so a pasted secret is named as one
		// rather than as a badly spelled source.
		p.Add("source", reason)
	} else if !sourceRE.MatchString(in.Source) {
		p.Addf("source", "%q must be a lower-case name of a-z, 0-9, '.', '_', '-' (for example sbp-interbank, court-order, binance-close)", in.Source)
	}
	return r, p.Err()
}

func rateKey(cur, effective string, id uint64) []byte {
	k := make([]byte, 0, len(cur)+1+len(dateLayout)+8)
	k = append(k, cur...)
	k = append(k, 0)
	k = append(k, effective...)
	return binary.BigEndian.AppendUint64(k, id)
}

// AddRate stores a new rate entered by actor, and logs it in the custody log
// when the service has one (Config.Records). It never changes an earlier one.
func (s *Service) AddRate(tx *ledger.Tx, in RateInput, actor string) (Rate, error) {
	r, err := CheckRate(in)
	if err != nil {
		return Rate{}, err
	}
	// Every rate ever entered is kept under currency 0x00 effective
	// (YYYY-MM-DD) BE(id). A rate is never changed; a later entry for the
	// same currency, date and source supersedes it.
	id, err := tx.NextSequence(ledger.FinanceRates)
	if err != nil {
		return Rate{}, fmt.Errorf("next rate id: %w", err)
	}
	r.ID, r.Actor, r.Recorded = id, actor, tx.Now
	rec, err := ledger.EncodeRecord(recordVersion, r)
	if err != nil {
		return Rate{}, err
	}
	if err := tx.Put(ledger.FinanceRates, rateKey(r.Currency, r.Effective, id), rec); err != nil {
		return Rate{}, fmt.Errorf("store rate: %w", err)
	}
	if s.records != nil {
		if err := s.records.LogRecord(tx, RateRecordKind.Name, id, rec); err != nil {
			return Rate{}, fmt.Errorf("log rate %d: %w", id, err)
		}
	}
	return r, nil
}

func decodeRate(v []byte) (Rate, error) {
	var r Rate
	if err := ledger.DecodeRecord(v, recordVersion, &r); err != nil {
		return Rate{}, fmt.Errorf("rate record: %w", err)
	}
	// Read with the stored bound: a rate entered before the rate bound
	// existed must still read back.
	d, err := money.ParseStoredDecimal(r.Text, RatePlaces)
	if err != nil {
		return Rate{}, fmt.Errorf("rate record %d: %w", r.ID, err)
	}
	r.Value = d
	return r, nil
}

// RateInForce is the rate of cur in force on date on: the one with the latest
// effective date on or before it; among those of that date the one from the
// most preferred source, and among those the latest entered. With source set
// only that source's rates count. ok is false when there is none.
func (s *Service) RateInForce(tx *ledger.Tx, cur string, on time.Time, source string) (r Rate, ok bool, err error) {
	prefix := append([]byte(cur), 0)
	// Seek just past every entry effective on `on`.
	seek := append(append([]byte{}, prefix...), FormatDate(on.AddDate(0, 0, 1))...)
	c := tx.Cursor(ledger.FinanceRates)
	var v []byte
	k, _ := c.Seek(seek)
	if k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	var bestDate []byte
	for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Prev() {
		date := k[len(prefix) : len(prefix)+len(dateLayout)]
		if bestDate != nil && !bytes.Equal(date, bestDate) {
			break
		}
		cand, err := decodeRate(v)
		if err != nil {
			return Rate{}, false, err
		}
		if source != "" && cand.Source != source {
			continue
		}
		if bestDate == nil {
			bestDate = bytes.Clone(date)
		}
		// Walking backwards, ids fall within a date: the first seen of a
		// rank is its latest entry.
		if !ok || s.rank(cand.Source) < s.rank(r.Source) {
			r, ok = cand, true
		}
	}
	return r, ok, nil
}

// RateFilter selects rate history.
type RateFilter struct {
	Currency string
	Source   string
	After    []byte // resume after this key
	Limit    int
}

// Rates lists the history of entered rates in currency, effective date and
// entry order, a page at a time. next is nil on the last page.
func (s *Service) Rates(tx *ledger.Tx, f RateFilter) (out []Rate, next []byte, err error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	out = []Rate{}
	var prefix []byte
	if f.Currency != "" {
		prefix = append([]byte(f.Currency), 0)
	}
	c := tx.Cursor(ledger.FinanceRates)
	var k, v []byte
	switch {
	case f.After != nil:
		k, v = c.Seek(f.After)
		if bytes.Equal(k, f.After) {
			k, v = c.Next()
		}
	case prefix != nil:
		k, v = c.Seek(prefix)
	default:
		k, v = c.First()
	}
	var last []byte
	for ; k != nil; k, v = c.Next() {
		if prefix != nil && !bytes.HasPrefix(k, prefix) {
			break
		}
		r, err := decodeRate(v)
		if err != nil {
			return nil, nil, err
		}
		if f.Source != "" && r.Source != f.Source {
			continue
		}
		if len(out) == f.Limit {
			return out, last, nil
		}
		out = append(out, r)
		last = bytes.Clone(k)
	}
	return out, nil, nil
}

// AllRates calls fn for every stored rate in currency, date and entry order.
func AllRates(tx *ledger.Tx, fn func(r Rate) error) error {
	return tx.ForEach(ledger.FinanceRates, func(_, v []byte) error {
		r, err := decodeRate(v)
		if err != nil {
			return err
		}
		return fn(r)
	})
}

// RatesByDate calls fn, in currency then date order, with the rate in force
// from each date on which some rate of the currency took effect (the chosen
// one of that date, by source preference then latest entry), for dates on or
// before upTo (the zero time for all). The journal export turns these into P
// directives.
func (s *Service) RatesByDate(tx *ledger.Tx, upTo time.Time, fn func(r Rate) error) error {
	limit := ""
	if !upTo.IsZero() {
		limit = FormatDate(upTo)
	}
	var best Rate
	have := false
	flush := func() error {
		if !have {
			return nil
		}
		have = false
		return fn(best)
	}
	err := tx.ForEach(ledger.FinanceRates, func(_, v []byte) error {
		r, err := decodeRate(v)
		if err != nil {
			return err
		}
		if limit != "" && r.Effective > limit {
			return nil
		}
		if have && (r.Currency != best.Currency || r.Effective != best.Effective) {
			if err := flush(); err != nil {
				return err
			}
		}
		// Entries come in id order within a date: a later entry of an
		// equally ranked source supersedes.
		if !have || s.rank(r.Source) <= s.rank(best.Source) {
			best, have = r, true
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}
