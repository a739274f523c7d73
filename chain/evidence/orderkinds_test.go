package evidence

import (
	"slices"
	"testing"

	"github.com/amanat-ledger/amanat/chain"
)

// The register lets an event carry out the kinds of order that a court
// bundle's check accepts for it, no more and no fewer: an entry the register
// wrote is never refused offline, and a bundle check never passes an order
// the register would have refused.
func TestEventOrdersAreTheBundleCheck(t *testing.T) {
	for _, ev := range chain.Events {
		var want []string
		if f, ok := eventOrders[ev]; ok {
			want = slices.Sorted(slices.Values(f.kinds))
		}
		got := slices.Sorted(slices.Values(chain.EventOrderKinds(ev)))
		if !slices.Equal(got, want) {
			t.Errorf("%s: the bundle check accepts orders %v, the register %v", ev, got, want)
		}
	}
}
