package alerts_test

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/chain/alerts"
	"github.com/amanat-ledger/amanat/chain/evidence"
	"github.com/amanat-ledger/amanat/chain/service"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/finance"
)

// t0 is the seizure of every scenario; steps are offsets from it.
var t0 = time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

var malkhana = chain.Location{Circle: "islamabad", Building: "FIA HQ", Room: "malkhana"}

// harness is one store on a clock the test sets.
type harness struct {
	t    *testing.T
	svc  *service.Service
	mu   sync.Mutex
	now  time.Time
	item uint64
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{t: t, now: t0}
	svc, err := service.Open(filepath.Join(t.TempDir(), "a.db"), service.Options{Store: ledger.Options{Now: h.clock}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	h.svc = svc
	return h
}

func (h *harness) clock() time.Time { h.mu.Lock(); defer h.mu.Unlock(); return h.now }

func (h *harness) set(d time.Duration) { h.mu.Lock(); h.now = t0.Add(d); h.mu.Unlock() }

func (h *harness) write(d time.Duration, fn func(tx *ledger.Tx) error) {
	h.t.Helper()
	h.set(d)
	if err := h.svc.Store.Write(context.Background(), fn); err != nil {
		h.t.Fatal(err)
	}
}

// seize registers one cash item of amount in currency at t0.
func (h *harness) seize(currency, amount string) {
	h.t.Helper()
	req := evidence.SeizureRequest{CaseID: 1, SeizedAt: t0.Format(time.RFC3339), Location: evidence.PlaceInput{Building: "House 12"},
		SeizedFrom: evidence.PersonInput{Name: "Li Wei"}, Officer: "Inspector Ayesha Khan",
		Items: []evidence.ItemRequest{{Kind: evidence.KindCash, Seal: "ISB-1", Description: "bag",
			Amounts: []evidence.CashAmount{{Currency: currency, Amount: amount}}}}}
	h.write(0, func(tx *ledger.Tx) error {
		if _, err := h.svc.Evidence.CreateCase(tx, evidence.Case{FIR: "1/2025", Circle: "islamabad"}, "test"); err != nil {
			return err
		}
		s, err := evidence.CheckSeizure(req, tx.Now)
		if err != nil {
			return err
		}
		r, err := h.svc.Evidence.Register(tx, &s, "test")
		h.item = r.ItemIDs[0]
		return err
	})
}

// event records a custody event of the item at t0+d.
func (h *harness) event(d time.Duration, e chain.Entry) {
	h.t.Helper()
	e.Item, e.At, e.RecordedBy = h.item, t0.Add(d), "custodian:test"
	h.write(d, func(tx *ledger.Tx) error { _, err := h.svc.Evidence.Record(tx, e); return err })
}

// deposit transfers the item to the malkhana at t0+d and has it received an hour later.
func (h *harness) deposit(d time.Duration) {
	h.event(d, chain.Entry{Event: chain.EventTransferred, From: "Inspector Ayesha Khan", To: "Asif"})
	h.event(d+time.Hour, chain.Entry{Event: chain.EventReceived, Location: malkhana})
}

func (h *harness) rate(d time.Duration, cur, effective string) {
	h.t.Helper()
	h.write(d, func(tx *ledger.Tx) error {
		_, err := h.svc.Finance.AddRate(tx, finance.RateInput{Currency: cur, Rate: "280", Effective: effective, Source: "sbp-interbank"}, "finance:test")
		return err
	})
}

func (h *harness) count(d time.Duration, in finance.ReconciliationInput) {
	h.t.Helper()
	in.Date = finance.FormatDate(t0.Add(d))
	h.write(d, func(tx *ledger.Tx) error { _, err := h.svc.Finance.Reconcile(tx, in, "finance:test"); return err })
}

// want checks the rules open at t0+d and returns the alerts.
func (h *harness) want(d time.Duration, rules ...string) []alerts.Alert {
	h.t.Helper()
	h.set(d)
	var got []alerts.Alert
	if err := h.svc.Store.View(func(tx *ledger.Tx) (err error) { got, err = h.svc.Alerts.All(tx); return err }); err != nil {
		h.t.Fatal(err)
	}
	var names []string
	for _, a := range got {
		names = append(names, a.Rule)
		if a.Detail == "" || a.Since.IsZero() || a.Since.After(t0.Add(d)) {
			h.t.Errorf("at %s: alert %+v lacks a detail or a since in the past", d, a)
		}
	}
	slices.Sort(names)
	slices.Sort(rules)
	if !slices.Equal(names, rules) {
		h.t.Fatalf("at t0+%s: rules %v, want %v (%+v)", d, names, rules, got)
	}
	return got
}

func (h *harness) wantSince(d time.Duration, rule string, since time.Time) {
	h.t.Helper()
	for _, a := range h.want(d, rule) {
		if !a.Since.Equal(since) {
			h.t.Fatalf("%s since %s, want %s", rule, a.Since, since)
		}
	}
}

func TestEachRuleFiresAndClears(t *testing.T) {
	tests := []struct {
		name string
		run  func(h *harness)
	}{
		{"an item neither stored nor received within a day is not deposited, until it is", func(h *harness) {
			h.seize("PKR", "1000")
			h.want(day)
			h.wantSince(day+time.Hour, alerts.RuleNotDeposited, t0.Add(day))
			h.event(26*time.Hour, chain.Entry{Event: chain.EventStored, Location: malkhana})
			h.want(27 * time.Hour)
		}},
		{"an item transferred and not received within a day is in transit too long, until received", func(h *harness) {
			h.seize("PKR", "1000")
			h.event(time.Hour, chain.Entry{Event: chain.EventTransferred, From: "Inspector Ayesha Khan", To: "Asif"})
			h.want(day)
			h.want(day+time.Hour, alerts.RuleNotDeposited) // the transfer's day ends on the hour
			got := h.want(26*time.Hour, alerts.RuleInTransit, alerts.RuleNotDeposited)
			for _, a := range got {
				if a.Rule == alerts.RuleInTransit && (!a.Since.Equal(t0.Add(day+time.Hour)) || a.ItemID != h.item) {
					t.Fatalf("in transit %+v", a)
				}
			}
			h.event(27*time.Hour, chain.Entry{Event: chain.EventReceived, Location: malkhana})
			h.want(28 * time.Hour)
		}},
		{"an item checked out past the limit is overdue, until checked in", func(h *harness) {
			h.seize("PKR", "1000")
			h.deposit(time.Hour)
			h.event(3*time.Hour, chain.Entry{Event: chain.EventCheckedOut, To: "SI Bilal", Purpose: "production in court"})
			h.want(3*time.Hour + alerts.DefaultCheckedOut)
			h.wantSince(4*time.Hour+alerts.DefaultCheckedOut, alerts.RuleCheckout, t0.Add(3*time.Hour+alerts.DefaultCheckedOut))
			h.event(5*time.Hour+alerts.DefaultCheckedOut, chain.Entry{Event: chain.EventCheckedIn, Location: malkhana})
			h.want(6*time.Hour + alerts.DefaultCheckedOut)
		}},
		{"an item uncounted for 90 days is not counted, until its location is counted", func(h *harness) {
			h.seize("PKR", "1000")
			h.deposit(time.Hour)
			h.want(90 * day)
			h.wantSince(90*day+time.Hour, alerts.RuleNotCounted, t0.AddDate(0, 0, 90))
			h.count(90*day+2*time.Hour, finance.ReconciliationInput{Location: "islamabad/FIA HQ/malkhana",
				Counts: []finance.CountInput{{Currency: "PKR", Amount: "1000"}}})
			h.want(90*day + 3*time.Hour)
			next := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 180)
			h.wantSince(181*day, alerts.RuleNotCounted, next)
		}},
		{"a count of the item itself clears it too", func(h *harness) {
			h.seize("PKR", "1000")
			h.deposit(time.Hour)
			h.want(91*day, alerts.RuleNotCounted)
			h.count(91*day, finance.ReconciliationInput{ItemID: "1", Counts: []finance.CountInput{{Currency: "PKR", Amount: "1000"}}})
			h.want(91*day + time.Hour)
		}},
		{"a held currency without a rate, then with a rate past seven days, is a stale rate", func(h *harness) {
			h.seize("USD", "100.00")
			h.deposit(time.Hour)
			got := h.want(3*time.Hour, alerts.RuleStaleRate)
			if got[0].Currency != "USD" || got[0].ItemID != 0 || !got[0].Since.Equal(t0) {
				t.Fatalf("missing rate %+v", got[0])
			}
			h.rate(4*time.Hour, "USD", "2025-06-01")
			h.want(4 * time.Hour)
			h.want(7*day + 13*time.Hour) // 2025-06-08 23:00: seven days old
			h.wantSince(8*day, alerts.RuleStaleRate, time.Date(2025, 6, 9, 0, 0, 0, 0, time.UTC))
			h.rate(8*day+time.Hour, "USD", "2025-06-09")
			h.want(8*day + 2*time.Hour)
		}},
		{"an item whose custody ended raises nothing", func(h *harness) {
			h.seize("USD", "100.00")
			h.event(time.Hour, chain.Entry{Event: chain.EventWrittenOff, Remarks: "destroyed in the flood of the record room"})
			h.want(200 * day)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(newHarness(t)) })
	}
}

func TestLimitsAreConfigurable(t *testing.T) {
	l := alerts.Limits{InTransit: time.Hour, StaleRateDays: 30}.WithDefaults()
	if l.InTransit != time.Hour || l.NotDeposited != alerts.DefaultNotDeposited || l.CheckedOut != alerts.DefaultCheckedOut ||
		l.NotCountedDays != 90 || l.StaleRateDays != 30 {
		t.Fatalf("%+v", l)
	}
}
