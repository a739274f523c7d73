package evidence

import (
	"context"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/amanat-ledger/amanat/ledger"
)

// A registered court order is a leaf of the custody log: editing its stored
// bytes (moving the order's date back, say) fails verification naming it.
func TestCourtOrderTamperingIsNamed(t *testing.T) {
	f := raided(t)
	req := CourtOrderRequest{Kind: OrderForfeiture, Court: "Special Court (Central), Islamabad", CaseNumber: "FIR 112/2025",
		Number: "judgment 112/2025", Date: "2025-06-03", Items: []ID{1}, ScanSHA256: strings.Repeat("ab", 32)}
	o, err := CheckCourtOrder(req, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	err = f.store.Write(context.Background(), func(tx *ledger.Tx) error {
		_, err := f.reg.CreateCourtOrder(tx, o, "custodian:test")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	f.verify(t)
	_, err = tamperFile(t, f, func(btx *bolt.Tx) error {
		replaceIn(t, btx.Bucket([]byte(ledger.EvidenceOrders.Name())), 1, `"date":"2025-06-03"`, `"date":"2025-05-01"`)
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "court order 1: leaf hash does not match the log") {
		t.Fatalf("got %v, want the court order named", err)
	}
}
