package alerts

import (
	"fmt"
	"time"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/chain/evidence"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/finance"
)

// itemAlerts are the open alerts of one item: none once its custody ended.
func (s *Service) itemAlerts(tx *ledger.Tx, it evidence.Item, counts map[string]string, now time.Time) ([]Alert, error) {
	st, err := s.custody.State(tx, it.ID)
	if err != nil {
		return nil, fmt.Errorf("item %d: %w", it.ID, err)
	}
	if chain.Terminal[st.Status] {
		return nil, nil
	}
	entries, err := s.custody.Entries(tx, it.ID)
	if err != nil {
		return nil, fmt.Errorf("item %d: %w", it.ID, err)
	}
	var out []Alert
	add := func(rule string, since time.Time, detail string) {
		if now.After(since) {
			out = append(out, Alert{Rule: rule, ItemID: it.ID, Since: since.UTC(), Detail: detail})
		}
	}
	last := lastOf(entries)
	switch st.Status {
	case chain.StatusInTransit:
		e := last[chain.EventTransferred]
		add(RuleInTransit, e.At.Add(s.limits.InTransit), fmt.Sprintf("transferred by %s to %s at %s and not received within %s",
			e.From, st.Pending, stamp(e.At), span(s.limits.InTransit)))
	case chain.StatusCheckedOut:
		// A check-out entry carries no due time of its own: the limit is the one
		// configured for every check-out.
		e := last[chain.EventCheckedOut]
		add(RuleCheckout, e.At.Add(s.limits.CheckedOut), fmt.Sprintf("checked out to %s at %s for %q and not checked in within %s",
			e.To, stamp(e.At), e.Purpose, span(s.limits.CheckedOut)))
	}
	_, stored := last[chain.EventStored]
	_, received := last[chain.EventReceived]
	if !stored && !received {
		add(RuleNotDeposited, it.SeizedAt.Add(s.limits.NotDeposited), fmt.Sprintf("seized at %s by %s and neither stored nor received at a malkhana within %s",
			stamp(it.SeizedAt), it.Officer, span(s.limits.NotDeposited)))
	}
	loc := evidence.LocationText(st.Location)
	base, what, err := lastCounted(it, loc, counts)
	if err != nil {
		return nil, err
	}
	days := s.limits.NotCountedDays
	add(RuleNotCounted, base.AddDate(0, 0, days), fmt.Sprintf("%s (at %s); a count is due every %d days", what, orNone(loc), days))
	return out, nil
}

// lastCounted is the date of the latest count of the item or of the location
// where it is now, or its seizure when neither was ever counted.
func lastCounted(it evidence.Item, loc string, counts map[string]string) (time.Time, string, error) {
	base, what, counted := it.SeizedAt, "never counted since its seizure on "+it.SeizedAt.UTC().Format(time.DateOnly), false
	for _, subject := range []string{finance.CountSubject(fmt.Sprint(it.ID), ""), finance.CountSubject("", loc)} {
		d, ok := counts[subject]
		if !ok {
			continue
		}
		day, err := finance.ParseDate(d)
		if err != nil {
			return time.Time{}, "", fmt.Errorf("count of %s: %w", subject, err)
		}
		if !counted || day.After(base) {
			base, what, counted = day, "last counted on "+d, true
		}
	}
	return base, what, nil
}

// lastOf maps each event of entries to its latest entry.
func lastOf(entries []chain.Entry) map[string]chain.Entry {
	out := map[string]chain.Entry{}
	for _, e := range entries {
		out[e.Event] = e
	}
	return out
}

// rateAlerts name each held currency whose rate in force today is stale or
// missing.
func (s *Service) rateAlerts(tx *ledger.Tx, now time.Time) ([]Alert, error) {
	held, err := s.fin.HeldRates(tx, now)
	if err != nil {
		return nil, err
	}
	var out []Alert
	days := s.fin.StaleRateDays()
	for _, h := range held {
		switch {
		case h.Rate == nil:
			since := h.FirstHeld
			if since.IsZero() {
				since = now
			}
			out = append(out, Alert{Rule: RuleStaleRate, Currency: h.Currency, Since: since.UTC(),
				Detail: fmt.Sprintf("%s is held and has no rate in force: its holdings are left out of every PKR total", h.Currency)})
		case h.Stale:
			eff, err := finance.ParseDate(h.Rate.Effective)
			if err != nil {
				return nil, err
			}
			out = append(out, Alert{Rule: RuleStaleRate, Currency: h.Currency, Since: eff.AddDate(0, 0, days+1),
				Detail: fmt.Sprintf("the latest rate of %s took effect on %s, %d days ago; a rate is stale after %d days",
					h.Currency, h.Rate.Effective, h.AgeDays, days)})
		}
	}
	return out, nil
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func orNone(s string) string {
	if s == "" {
		return "no location recorded"
	}
	return s
}

// span writes a limit as days when it is whole days, else as Go writes it.
func span(d time.Duration) string {
	switch {
	case d == 24*time.Hour:
		return "1 day"
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("%d hours", d/time.Hour)
	}
	return d.String()
}
