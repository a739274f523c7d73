package evidence

import (
	"fmt"
	"strings"
	"testing"

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
