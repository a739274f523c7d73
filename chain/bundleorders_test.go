package chain

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/amanat-ledger/amanat/ledger"
)

// A bundle carries the court order its entries name, once, after the item's
// own record and proved like it; a bundle of an item whose entries name no
// order carries none. The check reports the order apart from the item's
// own records.
func TestBundleCarriesTheCourtOrdersItsEntriesName(t *testing.T) {
	item1, item2, _ := forgeryLog(t)
	var b1, b2 Bundle
	if err := json.Unmarshal(item1, &b1); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(item2, &b2); err != nil {
		t.Fatal(err)
	}
	if len(b1.Records) != 2 || b1.Records[0].Kind != testItemKind || b1.Records[1].Kind != testOrderKind || b1.Records[1].ID != 1 {
		t.Fatalf("item 1's records: %+v, want its own record then court order 1", b1.Records)
	}
	if !strings.Contains(b1.Records[1].Canonical, `"number":"Crl. Misc. 7/2025"`) {
		t.Fatalf("court order record: %q", b1.Records[1].Canonical)
	}
	for _, r := range b2.Records {
		if r.Kind == testOrderKind {
			t.Fatalf("item 2's entries name no order, but its bundle carries %s %d", r.Kind, r.ID)
		}
	}
	rep, err := CheckBundle(item1, testKinds, b1.PublicKey)
	if err != nil || rep.Records != 1 || rep.Orders != 1 || !strings.Contains(rep.String(), "and the court order its entries name") {
		t.Fatalf("check: %v, %+v", err, rep)
	}
	// A verifier that knows no kind of court order cannot check the
	// order an entry names: it refuses the bundle rather than pass it,
	// with or without the order's record.
	var noOrders []ledger.RecordKind
	for _, k := range testKinds {
		if !k.Orders {
			noOrders = append(noOrders, k)
		}
	}
	if _, err := CheckBundle(item1, noOrders, b1.PublicKey); err == nil || !strings.Contains(err.Error(), `"evidence.court_order" is not a kind of an item's own record`) {
		t.Fatalf("check without a kind of court order: %v", err)
	}
}

// Only one record kind may say that entries name its records by
// court_order_id: a court_order_id line must name one record.
func TestOneKindOfCourtOrder(t *testing.T) {
	kinds := append([]ledger.RecordKind{{Name: "other.order", Orders: true, Each: testKinds[0].Each}}, testKinds...)
	l := mustOpen(t)
	if _, err := NewWithOptions(l.store, l.key, kinds, Options{}); err == nil || !strings.Contains(err.Error(), "both say entries name them by court_order_id") {
		t.Fatalf("open with two kinds of court order: %v", err)
	}
}
