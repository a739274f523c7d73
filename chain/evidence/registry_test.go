package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/money"
)

type fixture struct {
	store   *ledger.Store
	custody *chain.Custody
	reg     *Registry
	keyPath string
}

// mustOpen opens a real store in a temporary directory with the real custody
// log, at a clock just after the test raid.
func mustOpen(t testing.TB) *fixture {
	return openAt(t, func() time.Time { return testNow })
}

// mustOpenNow is mustOpen on the real clock (seizures are dated testNow,
// which is in the past).
func mustOpenNow(t testing.TB) *fixture { return openAt(t, time.Now) }

func openAt(t testing.TB, now func() time.Time) *fixture {
	t.Helper()
	dir := t.TempDir()
	store, err := ledger.Open(filepath.Join(dir, "amanat.db"), ledger.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	key := filepath.Join(dir, "custody.key")
	custody, err := chain.New(store, key, RecordKinds())
	if err != nil {
		t.Fatal(err)
	}
	reg, err := New(context.Background(), store, custody)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{store: store, custody: custody, reg: reg, keyPath: key}
}

func (f *fixture) createCase(t testing.TB, fir string) Case {
	t.Helper()
	c, err := CheckCase(CaseRequest{FIR: fir, Circle: "islamabad", Operation: "Grey", Title: "Call centre raid"})
	if err != nil {
		t.Fatal(err)
	}
	err = f.store.Write(context.Background(), func(tx *ledger.Tx) error {
		c, err = f.reg.CreateCase(tx, c, "custodian:ayesha")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// register checks and registers req the way the API does: checks first, then
// one write.
func (f *fixture) register(t testing.TB, req SeizureRequest) (Receipt, error) {
	t.Helper()
	s, err := CheckSeizure(req, testNow)
	if err != nil {
		return Receipt{}, err
	}
	if err := f.store.View(func(tx *ledger.Tx) error { return f.reg.Precheck(tx, &s) }); err != nil {
		return Receipt{}, err
	}
	var rec Receipt
	err = f.store.Write(context.Background(), func(tx *ledger.Tx) error {
		rec, err = f.reg.Register(tx, &s, "custodian:ayesha")
		return err
	})
	return rec, err
}

// snapshot is a digest of every key and value of every bucket in the file:
// equal snapshots mean nothing was written.
func (f *fixture) snapshot(t testing.TB) string {
	t.Helper()
	h := sha256.New()
	err := f.store.DB().View(func(btx *bolt.Tx) error {
		return btx.ForEach(func(name []byte, b *bolt.Bucket) error {
			fmt.Fprintf(h, "bucket %q seq %d\n", name, b.Sequence())
			return b.ForEach(func(k, v []byte) error {
				fmt.Fprintf(h, "%x=%x\n", k, v)
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (f *fixture) balance(t testing.TB, account, cur string) string {
	t.Helper()
	var out string
	err := f.store.View(func(tx *ledger.Tx) error {
		b, err := tx.Balance(account, money.MustLookup(cur))
		out = b.Amount.String()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (f *fixture) verify(t testing.TB) {
	t.Helper()
	err := f.store.View(func(tx *ledger.Tx) error {
		if _, err := ledger.VerifyTx(tx); err != nil {
			return fmt.Errorf("ledger: %w", err)
		}
		if _, err := f.custody.Verify(tx); err != nil {
			return fmt.Errorf("custody: %w", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRegisterSeizure(t *testing.T) {
	f := mustOpen(t)
	cs := f.createCase(t, "112/2025")
	rec, err := f.register(t, validSeizure())
	if err != nil {
		t.Fatal(err)
	}
	if rec.CaseID != cs.ID || len(rec.ItemIDs) != 2 || rec.LedgerTxn == 0 || len(rec.Entries) != 2 || rec.Entries[0] == 0 {
		t.Fatalf("receipt %+v", rec)
	}
	cash, wallet := rec.ItemIDs[0], rec.ItemIDs[1]
	for _, b := range []struct{ account, cur, want string }{
		{ItemAccount(cash), "USD", "1500.00"},
		{ItemAccount(cash), "CNY", "2000.00"},
		{ItemAccount(wallet), "USDT", "25000.500000"},
		{ItemAccount(wallet), "TRX", "12.000001"},
		{CaseAccount(cs.ID), "USD", "-1500.00"},
		{CaseAccount(cs.ID), "USDT", "-25000.500000"},
	} {
		if got := f.balance(t, b.account, b.cur); got != b.want {
			t.Errorf("%s %s = %s, want %s", b.account, b.cur, got, b.want)
		}
	}
	err = f.store.View(func(tx *ledger.Tx) error {
		txn, err := tx.Transaction(rec.LedgerTxn)
		if err != nil {
			return err
		}
		if !txn.Effective.Equal(time.Date(2025, 6, 3, 10, 30, 0, 0, time.UTC)) || txn.Actor != "custodian:ayesha" {
			t.Errorf("transaction effective %s actor %s", txn.Effective, txn.Actor)
		}
		links := fmt.Sprint(txn.Links)
		if !strings.Contains(links, fmt.Sprintf("{case %d}", cs.ID)) || !strings.Contains(links, fmt.Sprintf("{item %d}", wallet)) {
			t.Errorf("links %s", links)
		}
		v, err := f.reg.View(tx, wallet)
		if err != nil {
			return err
		}
		st := v.Custody
		if st.Holder != "Inspector Ayesha Khan" || st.Seal != (chain.Seal{Number: "ISB-0002", State: chain.SealIntact}) ||
			st.Location.Circle != "islamabad" || st.Location.Building != "House 12, Street 4, F-7/2" || st.Entries != 1 {
			t.Errorf("custody state %+v", st)
		}
		if len(v.Balances) != 2 || v.Balances[0].String() != "25000.500000" {
			t.Errorf("balances %v", v.Balances)
		}
		e, err := f.custody.Entry(tx, rec.Entries[1])
		if err != nil {
			return err
		}
		if e.Item != wallet || e.Event != chain.EventSeized || e.LedgerTxn != rec.LedgerTxn || e.Hash != rec.Items[1].CustodyHash {
			t.Errorf("first custody entry %+v", e)
		}
		info, err := f.reg.ItemInfo(tx, cash)
		if err != nil {
			return err
		}
		if info != (ItemInfo{ID: cash, CaseID: cs.ID, Circle: "islamabad", Kind: KindCash}) {
			t.Errorf("item info %+v", info)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f.verify(t)
}

// manyItems is a seizure of n cash bags with distinct seals.
func manyItems(n int) SeizureRequest {
	req := validSeizure()
	req.Items = nil
	for i := range n {
		req.Items = append(req.Items, ItemRequest{Kind: KindCash, Seal: fmt.Sprintf("LHR-%04d", i), Description: "bag",
			Amounts: []CashAmount{{Currency: "AED", Amount: fmt.Sprintf("%d.25", 100+i)}}})
	}
	return req
}

func TestSeizureIsAllOrNothing(t *testing.T) {
	f := mustOpen(t)
	f.createCase(t, "7/2025")
	if _, err := f.register(t, manyItems(3)); err != nil { // something to lose
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		change func(r *SeizureRequest)
		field  string
	}{
		{"the last item's amount is bad", func(r *SeizureRequest) { r.Items[49].Amounts[0].Amount = "1.001" }, "items[49].amounts[0].amount"},
		{"the last item's address is bad", func(r *SeizureRequest) {
			r.Items[49] = ItemRequest{Kind: KindWallet, Seal: "X-1", Description: "phone", Chain: "bitcoin", Address: "bc1qnotanaddress", Holdings: []Holding{{Currency: "BTC", Amount: "1"}}}
		}, "items[49].address"},
		{"the last item's seal is already in the store", func(r *SeizureRequest) { r.Items[49].Seal = "lhr-0002" }, "items[49].seal"},
		{"the case does not exist", func(r *SeizureRequest) { r.CaseID = 99 }, "case_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := manyItems(50)
			for i := range req.Items {
				req.Items[i].Seal = "NEW-" + req.Items[i].Seal
			}
			tc.change(&req)
			before := f.snapshot(t)
			_, err := f.register(t, req)
			if _, ok := fieldsOf(t, err)[tc.field]; !ok {
				t.Fatalf("want an error on %s, got %v", tc.field, err)
			}
			if after := f.snapshot(t); after != before {
				t.Fatal("a refused seizure changed the store")
			}
		})
	}
	t.Run("a seal taken between the check and the write rolls everything back", func(t *testing.T) {
		req := manyItems(50)
		for i := range req.Items {
			req.Items[i].Seal = "RACE-" + req.Items[i].Seal
		}
		req.Items[49].Seal = "LHR-0001"
		s, err := CheckSeizure(req, testNow)
		if err != nil {
			t.Fatal(err)
		}
		before := f.snapshot(t)
		err = f.store.Write(context.Background(), func(tx *ledger.Tx) error {
			_, err := f.reg.Register(tx, &s, "custodian:ayesha")
			return err
		})
		if _, ok := fieldsOf(t, err)["items[49].seal"]; !ok {
			t.Fatalf("want an error on items[49].seal, got %v", err)
		}
		if after := f.snapshot(t); after != before {
			t.Fatal("a seizure refused inside the write changed the store")
		}
	})
	f.verify(t)
}

func TestSealsAreUniqueAcrossTheStore(t *testing.T) {
	f := mustOpen(t)
	f.createCase(t, "1/2025")
	if _, err := f.register(t, validSeizure()); err != nil {
		t.Fatal(err)
	}
	req := validSeizure()
	req.Items[0].Seal = "ZZ-1"
	req.Items[1].Seal = "isb-0002" // same seal, other case of letters
	_, err := f.register(t, req)
	reason, ok := fieldsOf(t, err)["items[1].seal"]
	if !ok || !strings.Contains(reason, "already on item 2") {
		t.Fatalf("got %v", err)
	}
}

func TestFIRIsUniqueInItsCircle(t *testing.T) {
	f := mustOpen(t)
	f.createCase(t, "112/2025")
	c, _ := CheckCase(CaseRequest{FIR: "112/2025", Circle: "islamabad"})
	err := f.store.Write(context.Background(), func(tx *ledger.Tx) error { _, err := f.reg.CreateCase(tx, c, "custodian:x"); return err })
	if ledger.ErrorCode(err) != ledger.EConflict {
		t.Fatalf("want a conflict, got %v", err)
	}
	c.Circle = "lahore"
	err = f.store.Write(context.Background(), func(tx *ledger.Tx) error { _, err := f.reg.CreateCase(tx, c, "custodian:x"); return err })
	if err != nil {
		t.Fatalf("the same FIR number in another circle is another case: %v", err)
	}
}

func TestListItems(t *testing.T) {
	f := mustOpen(t)
	c1 := f.createCase(t, "1/2025")
	c2 := f.createCase(t, "2/2025")
	if _, err := f.register(t, validSeizure()); err != nil { // items 1 (cash) and 2 (wallet) in case 1
		t.Fatal(err)
	}
	req := manyItems(5) // items 3..7 in case 2
	req.CaseID = ID(c2.ID)
	req.Location = PlaceInput{Circle: "rawalpindi", Building: "Plaza 9"}
	req.Officer = "SI Bilal"
	if _, err := f.register(t, req); err != nil {
		t.Fatal(err)
	}
	ids := func(f ItemFilter, reg *Registry, store *ledger.Store) (got []uint64, next uint64) {
		err := store.View(func(tx *ledger.Tx) error {
			items, n, err := reg.Items(tx, f)
			for _, it := range items {
				got = append(got, it.ID)
			}
			next = n
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return got, next
	}
	for _, tc := range []struct {
		name   string
		filter ItemFilter
		want   string
		next   uint64
	}{
		{"everything", ItemFilter{}, "[1 2 3 4 5 6 7]", 0},
		{"a page of three", ItemFilter{Limit: 3}, "[1 2 3]", 3},
		{"the next page", ItemFilter{Limit: 3, After: 3}, "[4 5 6]", 6},
		{"the last page", ItemFilter{Limit: 3, After: 6}, "[7]", 0},
		{"by case", ItemFilter{CaseID: c1.ID}, "[1 2]", 0},
		{"by case, paged", ItemFilter{CaseID: c2.ID, Limit: 2, After: 4}, "[5 6]", 6},
		{"by kind", ItemFilter{Kind: KindWallet}, "[2]", 0},
		{"by holder", ItemFilter{Holder: "SI Bilal", Limit: 4}, "[3 4 5 6]", 6},
		{"by location circle", ItemFilter{Location: "islamabad"}, "[1 2]", 0},
		{"by location building", ItemFilter{Location: "Plaza 9", CaseID: c2.ID, Kind: KindCash}, "[3 4 5 6 7]", 0},
		{"nothing matches", ItemFilter{Holder: "nobody"}, "[]", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, next := ids(tc.filter, f.reg, f.store)
			if fmt.Sprint(got) != tc.want && !(tc.want == "[]" && got == nil) || next != tc.next {
				t.Fatalf("got %v next %d, want %s next %d", got, next, tc.want, tc.next)
			}
		})
	}
	err := f.store.View(func(tx *ledger.Tx) error {
		v, err := f.reg.ViewCase(tx, c2.ID)
		if err != nil {
			return err
		}
		if len(v.Items) != 5 || len(v.Holdings) != 1 || v.Holdings[0].String() != "511.25" {
			t.Errorf("case view: %d items, holdings %v", len(v.Items), v.Holdings)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// BenchmarkRegister32 registers two-item seizures from 32 concurrent writers
// through the store's group commit, without HTTP: the cost of the write alone.
func BenchmarkRegister32(b *testing.B) {
	f := mustOpenNow(b)
	f.createCase(b, "1/2025")
	var n atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(max(1, 32/runtime.GOMAXPROCS(0)))
	start := time.Now()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := validSeizure()
			k := n.Add(1)
			req.Items[0].Seal, req.Items[1].Seal = fmt.Sprintf("A-%d", k), fmt.Sprintf("B-%d", k)
			if _, err := f.register(b, req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "seizures/s")
}

func TestConcurrentSeizuresForOneSealOneWins(t *testing.T) {
	f := mustOpen(t)
	f.createCase(t, "1/2025")
	const n = 16
	errs := make(chan error, n)
	for i := range n {
		go func() {
			req := manyItems(2)
			req.Items[0].Seal = fmt.Sprintf("OWN-%d", i)
			req.Items[1].Seal = "CONTESTED-1"
			_, err := f.register(t, req)
			errs <- err
		}()
	}
	won := 0
	for range n {
		err := <-errs
		if err == nil {
			won++
			continue
		}
		if _, ok := fieldsOf(t, err)["items[1].seal"]; !ok {
			t.Errorf("a loser refused for another reason: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d seizures took the same seal", won)
	}
	f.verify(t)
}
