package finance

import (
	"encoding/binary"
	"sort"
	"time"

	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/money"
)

// HeldRate is a currency held in custody and the rate in force for it on a
// date: what the stale-rate alert reads.
type HeldRate struct {
	Currency string
	Rate     *Rate // nil when no rate is in force
	AgeDays  int   // days from Rate's effective date to the date; 0 when Rate is nil
	Stale    bool  // AgeDays is more than StaleRateDays
	// FirstHeld is the earliest seizure of an item holding the currency
	// now; zero when the register does not say.
	FirstHeld time.Time
}

// StaleRateDays is the age in days past which a rate is stale.
func (s *Service) StaleRateDays() int { return s.staleDays }

// HeldRates lists, by currency code, every currency but PKR that some item
// holds now, with the rate in force on the date of on.
func (s *Service) HeldRates(tx *ledger.Tx, on time.Time) ([]HeldRate, error) {
	first := map[string]time.Time{}
	err := holdings(tx, tx.Now, func(item string, amt money.Amount) error {
		cur := amt.Currency().Code
		if cur == money.PKR.Code {
			return nil
		}
		var seized time.Time
		if s.items != nil {
			if ref, err := s.items.Item(tx, item); err == nil {
				seized = ref.SeizedAt
			}
		}
		if t, seen := first[cur]; !seen || !seized.IsZero() && (t.IsZero() || seized.Before(t)) {
			first[cur] = seized
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]HeldRate, 0, len(first))
	for cur, t := range first {
		h := HeldRate{Currency: cur, FirstHeld: t}
		r, ok, err := s.RateInForce(tx, cur, on, "")
		if err != nil {
			return nil, err
		}
		if ok {
			if h.AgeDays, err = RateAgeDays(r.Effective, on); err != nil {
				return nil, err
			}
			h.Rate, h.Stale = &r, h.AgeDays > s.staleDays
		}
		out = append(out, h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Currency < out[j].Currency })
	return out, nil
}

// LastCounts maps each counted item ("item:ID") and location
// ("location:TEXT") to the date (YYYY-MM-DD) of its latest count.
func (s *Service) LastCounts(tx *ledger.Tx) (map[string]string, error) {
	out := map[string]string{}
	err := tx.ForEach(ledger.FinanceReconLatest, func(k, v []byte) error {
		r, err := s.reconciliation(tx, binary.BigEndian.Uint64(v))
		if err != nil {
			return err
		}
		out[string(k)] = r.Date
		return nil
	})
	return out, err
}

// CountSubject is the key LastCounts gives an item or a location.
func CountSubject(itemID, location string) string {
	return Reconciliation{ItemID: itemID, Location: location}.subject()
}
