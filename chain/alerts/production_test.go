package alerts_test

import (
	"strings"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/chain/alerts"
	"github.com/amanat-ledger/amanat/chain/evidence"
	"github.com/amanat-ledger/amanat/ledger"
)

// production is the production alerts open at t0+d.
func (h *harness) production(d time.Duration) []alerts.Alert {
	h.t.Helper()
	h.set(d)
	var got []alerts.Alert
	if err := h.svc.Store.View(func(tx *ledger.Tx) (err error) { got, err = h.svc.Alerts.All(tx); return err }); err != nil {
		h.t.Fatal(err)
	}
	var out []alerts.Alert
	for _, a := range got {
		if strings.HasPrefix(a.Rule, "production-") {
			out = append(out, a)
		}
	}
	return out
}

// TestProductionDueAndMissed: an order that wants the item produced by a
// date opens production-due a week before it, production-missed the day
// after it, and a check-out to court on or after the order's date clears
// both.
func TestProductionDueAndMissed(t *testing.T) {
	h := newHarness(t)
	h.seize("USD", "900.00")
	h.deposit(time.Hour)
	produceBy := t0.Add(30 * day).Format(time.DateOnly) // 2025-07-01
	h.write(10*day, func(tx *ledger.Tx) error {
		_, err := h.svc.Evidence.CreateCourtOrder(tx, evidence.CourtOrder{Kind: evidence.OrderProduction, Court: "Judicial Magistrate, Islamabad",
			CaseNumber: "CrM 9/2025", Number: "P-1", Date: t0.Add(10 * day).Format(time.DateOnly), Items: []uint64{h.item},
			Conditions: &evidence.OrderConditions{ProduceBy: produceBy}, ScanSHA256: strings.Repeat("a", 64)}, "custodian:test")
		return err
	})
	due, _ := time.Parse(time.DateOnly, produceBy)
	for _, tc := range []struct {
		name  string
		at    time.Duration
		rule  string
		since time.Time
	}{
		{"more than a week before the date", 20 * day, "", time.Time{}},
		{"within the week's notice", 25 * day, alerts.RuleProductionDue, due.AddDate(0, 0, -7)},
		{"on the produce-by day itself", 30*day + 12*time.Hour, alerts.RuleProductionDue, due.AddDate(0, 0, -7)},
		{"the day after", 31*day + 14*time.Hour, alerts.RuleProductionMissed, due.AddDate(0, 0, 1)},
	} {
		got := h.production(tc.at)
		switch {
		case tc.rule == "" && len(got) != 0:
			t.Fatalf("%s: %+v, want none", tc.name, got)
		case tc.rule != "" && (len(got) != 1 || got[0].Rule != tc.rule || !got[0].Since.Equal(tc.since) || got[0].ItemID != h.item):
			t.Fatalf("%s: %+v, want %s since %s", tc.name, got, tc.rule, tc.since)
		}
	}
	h.event(32*day, chain.Entry{Event: chain.EventCheckedOut, To: "ASI Kamran (court moharrir)", Purpose: "production before the court, order P-1"})
	if got := h.production(33 * day); len(got) != 0 {
		t.Fatalf("after the production: %+v", got)
	}
}
