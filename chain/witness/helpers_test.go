package witness_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/chain/service"
	"github.com/amanat-ledger/amanat/chain/witness"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/money"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// openStore opens a store at dir/amanat.db (its key beside it).
func openStore(t testing.TB, dir string) *service.Service {
	t.Helper()
	svc, err := service.Open(filepath.Join(dir, "amanat.db"), service.Options{Store: ledger.Options{NoSync: true}})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// post writes n ledger transactions, each a leaf of the log; it answers
// the log's size after them.
func post(t testing.TB, svc *service.Service, n int) uint64 {
	t.Helper()
	usd := money.MustLookup("USD")
	for i := 0; i < n; i++ {
		a, err := money.ParseAmount(usd, fmt.Sprintf("%d.00", 10+i), money.Positive)
		if err != nil {
			t.Fatal(err)
		}
		err = svc.Store.Write(context.Background(), func(tx *ledger.Tx) error {
			_, err := tx.Post(ledger.Transaction{Effective: time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC), Actor: "custodian:asma", Memo: "seizure",
				Postings: []ledger.Posting{{Account: "custody:item:1", Amount: a}, {Account: "seized:case:1", Amount: a.Neg()}}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var size uint64
	svc.Store.View(func(tx *ledger.Tx) error { size = svc.Custody.TreeSize(tx); return nil })
	return size
}

// newWitness makes a witness key and a witness of svc's log with its state
// in dir, served by httptest.
func newWitness(t testing.TB, dir string, logKeys ...string) (*witness.Witness, *httptest.Server, string) {
	t.Helper()
	skey, _, err := witness.NewKey("witness.lahore")
	if err != nil {
		t.Fatal(err)
	}
	w := startWitness(t, dir, skey, logKeys...)
	srv := httptest.NewServer(w)
	t.Cleanup(srv.Close)
	return w, srv, skey
}

func startWitness(t testing.TB, dir, skey string, logKeys ...string) *witness.Witness {
	t.Helper()
	w, err := witness.New(witness.Config{Key: skey, LogKeys: logKeys, State: filepath.Join(dir, "witness.state"), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// startClient sends svc's checkpoints to the witnesses, quickly.
func startClient(t testing.TB, svc *service.Service, remotes ...witness.Remote) {
	t.Helper()
	if err := svc.StartWitnesses(remotes, witness.Options{Poll: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond, Logger: quiet}); err != nil {
		t.Fatal(err)
	}
}

// eventually waits up to 10 s for ok.
func eventually(t testing.TB, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("timed out waiting until %s", what)
}

func status(svc *service.Service) witness.Status {
	return svc.Witnesses.Statuses(time.Now())[0]
}

func copyFile(t testing.TB, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// seize writes item 1's seizure (its ledger transaction and first custody
// entry) and answers the item.
func seize(t testing.TB, svc *service.Service) uint64 {
	t.Helper()
	usd := money.MustLookup("USD")
	a, _ := money.ParseAmount(usd, "1500.00", money.Positive)
	at := time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)
	err := svc.Store.Write(context.Background(), func(tx *ledger.Tx) error {
		txn, err := tx.Post(ledger.Transaction{Effective: at, Actor: "custodian:asma", Memo: "seizure",
			Links:    []ledger.Link{{Kind: "item", Ref: "1"}},
			Postings: []ledger.Posting{{Account: "custody:item:1", Amount: a}, {Account: "seized:case:1", Amount: a.Neg()}}})
		if err != nil {
			return err
		}
		_, err = svc.Custody.Append(tx, chain.Entry{Item: 1, Event: chain.EventSeized, At: at, RecordedBy: "custodian:asma", To: "SI Bilal",
			Location:  chain.Location{Circle: "islamabad", Building: "Plot 12, I-9", Room: "raid site"},
			SealAfter: chain.Seal{Number: "FIA-ISB-0001", State: chain.SealIntact}, LedgerTxn: txn.ID})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return 1
}

func bundleCheckpoint(t testing.TB, b []byte) []byte {
	t.Helper()
	var j struct{ Checkpoint string }
	if err := json.Unmarshal(b, &j); err != nil {
		t.Fatal(err)
	}
	return []byte(j.Checkpoint)
}

func checkBundle(t testing.TB, svc *service.Service, b []byte) {
	t.Helper()
	if _, err := chain.CheckBundle(b, service.RecordKinds(), svc.Custody.PublicKey()); err != nil {
		t.Fatalf("the bundle fails its check: %v", err)
	}
}
