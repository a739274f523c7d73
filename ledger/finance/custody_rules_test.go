package finance

import (
	"context"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/money"
)

// postAt posts a custody movement of a into (or, negative, out of) item's
// account against its case at `at`, as a release or a transfer would.
func postAt(t testing.TB, s *ledger.Store, item, caseID string, at time.Time, a money.Amount) {
	t.Helper()
	err := s.Write(context.Background(), func(tx *ledger.Tx) error {
		_, err := tx.Post(ledger.Transaction{Effective: at, Actor: "custodian:test", Memo: "movement", Postings: []ledger.Posting{
			{Account: custodyAccount(item), Amount: a},
			{Account: "seized:case:" + caseID, Amount: a.Neg()},
		}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestReconcileRefusedAfterCustodyEnded(t *testing.T) {
	for _, ended := range []string{"converted", "forfeited", "returned", "destroyed", "written_off"} {
		t.Run(ended, func(t *testing.T) {
			s, _ := mustOpen(t, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
			dir := newDirectory()
			svc := New(Config{Items: dir})
			dir.add(ItemRef{ID: "1", CaseID: "7", Kind: KindCash, SeizedAt: june(2, 9), Ended: ended})
			seize(t, s, "1", "7", june(2, 9), amt(t, "USD", "100.00"))
			postAt(t, s, "1", "7", june(9, 9), amt(t, "USD", "-100.00"))
			before := snapshot(t, s)
			_, err := reconcile(s, svc, ReconciliationInput{ItemID: "1", Date: "2025-06-20", Counts: []CountInput{{"USD", "100.00"}}, Explanation: "found in the safe"})
			wantFieldErr(t, err, "item_id", "no longer in custody ("+ended+")")
			sameSnapshot(t, before, snapshot(t, s))
		})
	}
}

func TestReconcileRefusedBeforeSeizure(t *testing.T) {
	s, _ := mustOpen(t, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
	dir := newDirectory()
	svc := New(Config{Items: dir})
	dir.add(ItemRef{ID: "1", CaseID: "7", Kind: KindCash, Location: "malkhana", SeizedAt: june(5, 9)})
	seize(t, s, "1", "7", june(5, 9), amt(t, "USD", "100.00"))
	before := snapshot(t, s)
	_, err := reconcile(s, svc, ReconciliationInput{ItemID: "1", Date: "2025-06-04", Counts: []CountInput{{"USD", "100.00"}}, Explanation: "counted"})
	wantFieldErr(t, err, "date", "before item 1 was seized")
	sameSnapshot(t, before, snapshot(t, s))
	if got := balance(t, s, "custody:item:1", "USD"); got != "100.00" {
		t.Fatalf("custody holds %s, want the seizure's 100.00", got)
	}
	// The day of the seizure is counted at its end, after the seizure.
	if r, err := reconcile(s, svc, ReconciliationInput{ItemID: "1", Date: "2025-06-05", Counts: []CountInput{{"USD", "100.00"}}}); err != nil || r.Status != Matched {
		t.Fatalf("a count on the day of seizure: %+v %v", r, err)
	}
}

func TestLocationCountIgnoresItemsNotYetSeized(t *testing.T) {
	s, _ := mustOpen(t, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
	dir := newDirectory()
	svc := New(Config{Items: dir})
	dir.add(ItemRef{ID: "1", CaseID: "7", Location: "malkhana", SeizedAt: june(5, 9)})
	dir.add(ItemRef{ID: "2", CaseID: "7", Location: "malkhana", SeizedAt: june(10, 9)})
	seize(t, s, "1", "7", june(5, 9), amt(t, "USD", "100.00"))
	seize(t, s, "2", "7", june(10, 9), amt(t, "USD", "50.00"))
	before := snapshot(t, s)
	_, err := reconcile(s, svc, ReconciliationInput{Location: "malkhana", Date: "2025-06-04", Counts: []CountInput{{"USD", "150.00"}}, Explanation: "counted"})
	wantFieldErr(t, err, "location", `no item was kept at "malkhana" on 2025-06-04`)
	sameSnapshot(t, before, snapshot(t, s))
	r, err := reconcile(s, svc, ReconciliationInput{Location: "malkhana", Date: "2025-06-06", Counts: []CountInput{{"USD", "100.00"}}})
	if err != nil || r.Status != Matched || r.Lines[0].Books != "100.00" {
		t.Fatalf("a count of the place before item 2 came: %+v %v", r, err)
	}
}

func TestReconcileCountOfACurrencyTheKindCannotHold(t *testing.T) {
	s, _ := mustOpen(t, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
	dir := newDirectory()
	svc := New(Config{Items: dir})
	dir.add(ItemRef{ID: "1", CaseID: "7", Kind: KindCash, SeizedAt: june(2, 9)})
	dir.add(ItemRef{ID: "2", CaseID: "7", Kind: KindWallet, SeizedAt: june(2, 9)})
	seize(t, s, "1", "7", june(2, 9), amt(t, "USD", "100.00"))
	seize(t, s, "2", "7", june(2, 9), amt(t, "BTC", "0.5"))
	tests := []struct {
		name, item string
		counts     []CountInput
		field      string
		reason     string
	}{
		{"BTC in a cash bag", "1", []CountInput{{"USD", "100.00"}, {"BTC", "0.1"}}, "counts[1].currency", "a cash item cannot hold BTC"},
		{"USDT in a cash bag", "1", []CountInput{{"USDT", "5"}}, "counts[0].currency", "a cash item cannot hold USDT"},
		{"USD in a wallet", "2", []CountInput{{"BTC", "0.5"}, {"USD", "10.00"}}, "counts[1].currency", "a wallet item cannot hold USD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := snapshot(t, s)
			_, err := reconcile(s, svc, ReconciliationInput{ItemID: tt.item, Date: "2025-06-05", Counts: tt.counts, Explanation: "found"})
			wantFieldErr(t, err, tt.field, tt.reason)
			sameSnapshot(t, before, snapshot(t, s))
		})
	}
	// A fiat currency found in a cash bag is a currency it can hold.
	if r, err := reconcile(s, svc, ReconciliationInput{ItemID: "1", Date: "2025-06-05", Counts: []CountInput{{"USD", "100.00"}, {"EUR", "20.00"}}, Explanation: "EUR notes found"}); err != nil || r.TxnID == 0 {
		t.Fatalf("EUR in a cash bag: %+v %v", r, err)
	}
}
