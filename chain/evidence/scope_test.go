package evidence

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/ledger"
)

// TestItemCircles: the rule of an item's circle, entry by entry.
func TestItemCircles(t *testing.T) {
	at := func(event, circle string) chain.Entry {
		return chain.Entry{Event: event, Location: chain.Location{Circle: circle, Building: "b"}}
	}
	bare := func(event string) chain.Entry { return chain.Entry{Event: event} }
	for _, tc := range []struct {
		name    string
		entries []chain.Entry
		want    Circles
	}{
		{"seized in its case's circle", []chain.Entry{at(chain.EventSeized, "karachi")}, Circles{Circle: "karachi"}},
		{"seized elsewhere: still its case's", []chain.Entry{at(chain.EventSeized, "quetta")}, Circles{Circle: "karachi"}},
		{"stored elsewhere before any receipt: still its case's", []chain.Entry{at(chain.EventSeized, "karachi"), at(chain.EventStored, "lahore")}, Circles{Circle: "karachi"}},
		{"in transit to another circle: both", []chain.Entry{at(chain.EventSeized, "karachi"), at(chain.EventTransferred, "lahore")}, Circles{Circle: "karachi", Incoming: "lahore"}},
		{"a transfer naming no place: its own", []chain.Entry{at(chain.EventSeized, "karachi"), bare(chain.EventTransferred)}, Circles{Circle: "karachi"}},
		{"received where the transfer said", []chain.Entry{at(chain.EventSeized, "karachi"), at(chain.EventTransferred, "lahore"), bare(chain.EventReceived)}, Circles{Circle: "lahore"}},
		{"received where the receipt says", []chain.Entry{at(chain.EventSeized, "karachi"), bare(chain.EventTransferred), at(chain.EventReceived, "lahore")}, Circles{Circle: "lahore"}},
		{"after a receipt, the latest location", []chain.Entry{at(chain.EventSeized, "karachi"), at(chain.EventTransferred, "lahore"), bare(chain.EventReceived), at(chain.EventStored, "multan")}, Circles{Circle: "multan"}},
		{"a transfer within the circle after a receipt", []chain.Entry{at(chain.EventSeized, "karachi"), at(chain.EventTransferred, "lahore"), bare(chain.EventReceived), at(chain.EventTransferred, "lahore")}, Circles{Circle: "lahore"}},
		{"an on-chain move to another circle's wallet: still its own", []chain.Entry{at(chain.EventSeized, "karachi"), at(chain.EventTransferred, "lahore"), bare(chain.EventReceived), at(chain.EventMovedOnChain, "headquarters")}, Circles{Circle: "lahore"}},
		{"and back", []chain.Entry{at(chain.EventSeized, "karachi"), at(chain.EventTransferred, "lahore"), bare(chain.EventReceived), at(chain.EventTransferred, "karachi"), bare(chain.EventReceived)}, Circles{Circle: "karachi"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := replayCircles("karachi", tc.entries); got != tc.want {
				t.Fatalf("%+v, want %+v", got, tc.want)
			}
		})
	}
}

type circles []string

func (c circles) Allows(circle string) bool {
	for _, x := range c {
		if x == circle {
			return true
		}
	}
	return false
}

// hq is a scope of every circle that says so, as access.AllCircles does.
type hq struct{}

func (hq) Allows(string) bool { return true }
func (hq) EveryCircle() bool  { return true }

// TestRegistryIn: a register limited to a circle finds only its cases and
// items; another circle's are not found, in the words of a missing one.
func TestRegistryIn(t *testing.T) {
	f := mustOpen(t)
	cs := f.createCase(t, "1/2025") // islamabad
	req := validSeizure()
	req.CaseID = ID(cs.ID)
	r, err := f.register(t, req)
	if err != nil {
		t.Fatal(err)
	}
	item := r.ItemIDs[0]
	err = f.store.View(func(tx *ledger.Tx) error {
		mine, theirs := f.reg.In(circles{"islamabad"}), f.reg.In(circles{"lahore"})
		if _, err := mine.Item(tx, item); err != nil {
			t.Fatalf("own item: %v", err)
		}
		if _, err := mine.Case(tx, cs.ID); err != nil {
			t.Fatalf("own case: %v", err)
		}
		_, err := theirs.Item(tx, item)
		_, missing := theirs.Item(tx, 999)
		if ledger.ErrorCode(err) != ledger.ENotFound || err.Error() != strings.Replace(missing.Error(), "999", fmt.Sprint(item), 1) {
			t.Fatalf("another circle's item: %v (a missing one: %v)", err, missing)
		}
		if _, err := theirs.Case(tx, cs.ID); ledger.ErrorCode(err) != ledger.ENotFound {
			t.Fatalf("another circle's case: %v", err)
		}
		list, _, err := theirs.Items(tx, ItemFilter{})
		if err != nil || len(list) != 0 {
			t.Fatalf("another circle lists %d items (%v)", len(list), err)
		}
		for account, want := range map[string]bool{ItemAccount(item): false, CaseAccount(cs.ID): false, "released:forfeited": false} {
			if got, err := theirs.SeesAccount(tx, account); err != nil || got != want {
				t.Fatalf("sees %s: %v %v", account, got, err)
			}
		}
		if got, _ := mine.SeesAccount(tx, ItemAccount(item)); !got {
			t.Fatal("own item's account hidden")
		}
		if got, _ := mine.SeesAccount(tx, "released:forfeited"); got {
			t.Fatal("a store-wide account shown to a scoped caller")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if f.reg.In(hq{}).Scoped() || !f.reg.In(circles{"islamabad"}).Scoped() {
		t.Fatal("a register of every circle is limited, or one of a circle is not")
	}
	// A case cannot be opened outside the scope.
	err = f.store.Write(t.Context(), func(tx *ledger.Tx) error {
		_, err := f.reg.In(circles{"islamabad"}).CreateCase(tx, Case{FIR: "2/2025", Circle: "lahore"}, "custodian:x")
		return err
	})
	if ledger.ErrorCode(err) != ledger.EForbidden {
		t.Fatalf("a case in another circle: %v", err)
	}
}

// TestCustodyNamesOnlyAKnownCircle: a place in a circle of no case, that no
// user or token holds, would hide the item from everyone but HQ, so any
// event naming one is refused (422 naming location.circle and listing the
// known circles), HQ's included, and nothing is written. A circle of a case,
// or one a caller holds, is taken.
func TestCustodyNamesOnlyAKnownCircle(t *testing.T) {
	f := raided(t) // a case of islamabad
	f.reg.HeldCircles = func(*ledger.Tx) ([]string, error) { return []string{"lahore", "karachi"}, nil }
	transfer := func(circle string) chain.Entry {
		return chain.Entry{Item: 1, Event: chain.EventTransferred, At: testNow.Add(-time.Hour), RecordedBy: "custodian:ayesha",
			From: "Inspector Ayesha Khan", To: "Malkhana In-charge Asif", Purpose: "deposit",
			Location: chain.Location{Circle: circle, Building: "malkhana"}}
	}
	record := func(reg *Registry, e chain.Entry) error {
		return f.store.Write(context.Background(), func(tx *ledger.Tx) error { _, err := reg.Record(tx, e); return err })
	}
	for _, reg := range []*Registry{f.reg, f.reg.In(hq{}), f.reg.In(circles{"islamabad"})} {
		for _, circle := range []string{"lahroe", "quetta"} {
			before := f.snapshot(t)
			err := record(reg, transfer(circle))
			var le *ledger.Error
			if !errors.As(err, &le) || le.Code != ledger.EInvalid || len(le.Fields) != 1 || le.Fields[0].Field != "location.circle" ||
				!strings.Contains(le.Fields[0].Reason, "known circles are islamabad, karachi, lahore") || !strings.Contains(le.Msg, RuleKnownCircle) {
				t.Fatalf("transfer to %q: %v (%+v)", circle, err, le)
			}
			if f.snapshot(t) != before {
				t.Fatalf("a refused transfer to %q wrote", circle)
			}
		}
	}
	// A proposal is checked as its record will be.
	err := f.store.View(func(tx *ledger.Tx) error { return f.reg.CheckRecord(tx, transfer("lahroe")) })
	if ledger.ErrorCode(err) != ledger.EInvalid {
		t.Fatalf("check of a transfer to an unknown circle: %v", err)
	}
	if err := f.store.View(func(tx *ledger.Tx) error { return f.reg.CheckRecord(tx, transfer("islamabad")) }); err != nil {
		t.Fatalf("transfer within the case's circle: %v", err)
	}
	if err := record(f.reg, transfer("lahore")); err != nil {
		t.Fatalf("transfer to a circle a user holds: %v", err)
	}
	f.reg.HeldCircles = nil
	err = f.store.View(func(tx *ledger.Tx) error {
		known, err := f.reg.KnownCircles(tx)
		if err == nil && !slices.Equal(known, []string{"islamabad"}) {
			t.Errorf("known circles without callers' = %v", known)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
