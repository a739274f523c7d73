package chain

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/amanat-ledger/amanat/chain/forge"
	"github.com/amanat-ledger/amanat/chain/log"
	"github.com/amanat-ledger/amanat/ledger"
)

// A forger who also rebuilds the item's head (a dishonest store signs what
// it likes) and drops the reconciliation's write-off still fails: the
// postings left do not explain the balance the conversion empties.
func TestBundleBalancesCatchADroppedWriteOffEvenWithARebuiltHead(t *testing.T) {
	item1, item2, skey := forgeryLog(t)
	var b Bundle
	if err := json.Unmarshal(item1, &b); err != nil {
		t.Fatal(err)
	}
	f := forge.Forgery{Edit: func(b, _ *forge.Bundle) {
		for i, t := range b.Transactions {
			if strings.Contains(t.Canonical, "\nlink reconciliation ") {
				b.Transactions = append(b.Transactions[:i], b.Transactions[i+1:]...)
				return
			}
		}
		panic("no write-off")
	}}
	forged, err := forge.Apply(f, item1, item2, skey)
	if err != nil {
		t.Fatal(err)
	}
	_, err = CheckBundle(forged, testKinds, b.PublicKey)
	if err == nil || !strings.Contains(err.Error(), "is converted, which empties custody:item:1, but the item's transactions leave USD 10.00 in it") {
		t.Fatalf("CheckBundle: %v", err)
	}
	if err := mVerify(forged, b.PublicKey); err == nil || !strings.Contains(err.Error(), "below zero or not emptied") {
		t.Fatalf("minimal verifier: %v", err)
	}
}

// An outdated head: the head of an older bundle of the item under a newer
// checkpoint fails its proof; re-signed with the older heads line as well,
// it fails because it does not count the newer entries.
func TestBundleRefusesAnOutdatedHead(t *testing.T) {
	l := busyLog(t)
	l.itemRecord(t, 1, "a brown envelope of USD notes, seal FIA-ISB-0001")
	older, err := l.c.ExportItem(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	l.append(t, Entry{Item: 1, Event: EventStored, At: at(50), RecordedBy: "custodian:asif", Location: Location{Circle: "islamabad", Room: "malkhana", Building: "HQ"}})
	newer, err := l.c.ExportItem(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	var o, n Bundle
	if err := json.Unmarshal(older, &o); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(newer, &n); err != nil {
		t.Fatal(err)
	}
	if _, err := CheckBundle(newer, testKinds, n.PublicKey); err != nil {
		t.Fatal(err)
	}
	swapped := n
	swapped.Head = o.Head
	data, _ := json.Marshal(swapped)
	if _, err := CheckBundle(data, testKinds, n.PublicKey); err == nil || !strings.Contains(err.Error(), "inclusion proof fails") {
		t.Fatalf("older head under the newer heads root: %v", err)
	}

	// Now with the store's key: the older head and heads line, everything
	// else the newer bundle's.
	skey, err := os.ReadFile(l.key)
	if err != nil {
		t.Fatal(err)
	}
	oldHeads := strings.Split(strings.SplitN(o.Checkpoint, "\n", 4)[3], "\n")[0]
	f := forge.Forgery{KeepHead: true,
		Edit: func(b, old *forge.Bundle) { b.Head, b.HeadsSize, b.HeadsRoot = old.Head, old.HeadsSize, old.HeadsRoot },
		Body: func(text string) string {
			lines := strings.Split(text, "\n")
			for i, l := range lines {
				if strings.HasPrefix(l, "heads ") {
					lines[i] = oldHeads
				}
			}
			return strings.Join(lines, "\n")
		}}
	forged, err := forge.Apply(f, newer, older, string(skey))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := CheckBundle(forged, testKinds, n.PublicKey); err == nil || !strings.Contains(err.Error(), "the item's head counts 3 custody entries at the checkpoint, the bundle holds 4") {
		t.Fatalf("older head and heads line, re-signed: %v", err)
	}
	if err := mVerify(forged, n.PublicKey); err == nil {
		t.Fatal("minimal verifier accepted an outdated head")
	}
}

// A format 1 bundle, kept from the demo as it was before the head
// commitment, still checks, and the report says it is not proved complete.
func TestFormat1BundleStillChecks(t *testing.T) {
	data, err := os.ReadFile("testdata/bundle-v1-demo-item-8.json")
	if err != nil {
		t.Fatal(err)
	}
	var b Bundle
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatal(err)
	}
	rep, err := CheckBundle(data, demoKinds(), b.PublicKey)
	if err != nil || rep.Complete || !rep.Time.IsZero() || b.Format != BundleFormatV1 {
		t.Fatalf("format 1: %+v %v", rep, err)
	}
	if err := mVerify(data, b.PublicKey); err != nil {
		t.Fatalf("minimal verifier, format 1: %v", err)
	}
}

// demoKinds are the record kinds of a real store as a bundle's check reads
// them (their names and what they are keyed by).
func demoKinds() []ledger.RecordKind {
	none := func(*ledger.Tx, func(uint64, []byte) error) error { return nil }
	return []ledger.RecordKind{
		{Name: "evidence.case", Each: none},
		{Name: "evidence.item", Item: true, Each: none},
		{Name: "evidence.court_order", Orders: true, Each: none},
		{Name: "finance.rate", Each: none},
	}
}

// A store written before the head commitment gets it built from its log on
// its first read-write open: the same root as one kept from the start, a
// checkpoint that signs it, and bundles that prove themselves complete.
func TestHeadCommitmentIsBuiltForAnOlderStore(t *testing.T) {
	l := busyLog(t)
	l.itemRecord(t, 1, "a brown envelope of USD notes, seal FIA-ISB-0001")
	want := headsOf(t, l)
	l.close(t)
	db, err := bolt.Open(l.db, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(btx *bolt.Tx) error {
		for _, b := range []ledger.Bucket{ledger.ChainHeads, ledger.ChainHeadHashes, ledger.ChainItemTxns} {
			if err := btx.DeleteBucket([]byte(b.Name())); err != nil {
				return err
			}
		}
		return btx.Bucket([]byte(ledger.ChainMeta.Name())).Delete([]byte("heads"))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	l.open(t)
	if got := headsOf(t, l); got != want {
		t.Fatalf("built head commitment %s, kept from the start %s", got, want)
	}
	data, err := l.c.ExportItem(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := CheckBundle(data, testKinds, l.c.PublicKey()); err != nil || !rep.Complete {
		t.Fatalf("bundle after the build: %+v %v", rep, err)
	}
	l.mustVerify(t)
}

func headsOf(t *testing.T, l *testLog) string {
	t.Helper()
	var s string
	err := l.store.View(func(tx *ledger.Tx) error {
		n, root, err := log.HeadsRoot(tx)
		s = fmt.Sprintf("%d %x %v", n, root, log.ItemTxns(tx, 1))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// amanat verify recomputes the head commitment from the log: a stored head
// changed behind the store's back, or a stored tree hash, is found.
func TestVerifyFindsATamperedHead(t *testing.T) {
	for name, change := range map[string]func(btx *bolt.Tx) error{
		"a head that counts one entry fewer": func(btx *bolt.Tx) error {
			b := btx.Bucket([]byte(ledger.ChainHeads.Name()))
			v := append([]byte(nil), b.Get(log.BE64(1))...)
			v[8]-- // the low byte of the entry count
			return b.Put(log.BE64(1), v)
		},
		"a tree hash": func(btx *bolt.Tx) error {
			// the store keeps the hashes of subtrees of 16 heads and up: item
			// 16 (seized below) completes the first
			b := btx.Bucket([]byte(ledger.ChainHeadHashes.Name()))
			k, v := b.Cursor().First()
			if k == nil {
				return fmt.Errorf("no stored tree hash to change")
			}
			v = append([]byte(nil), v...)
			v[0] ^= 1
			return b.Put(append([]byte(nil), k...), v)
		},
	} {
		t.Run(name, func(t *testing.T) {
			l := busyLog(t)
			l.seize(t, 16, "10.00")
			l.mustVerify(t)
			if err := tamper(t, l, change); err == nil || !strings.Contains(err.Error(), "head") {
				t.Fatalf("verify: %v", err)
			}
		})
	}
}

// A store whose head tree was kept with the hashes of its lowest levels
// stored verifies as it is (nothing reads them) and drops them on its next
// read-write open, its root unchanged.
func TestLowHeadHashesOfAnOlderStoreAreDroppedOnOpen(t *testing.T) {
	l := busyLog(t)
	l.seize(t, 16, "10.00")
	want := headsOf(t, l)
	err := tamper(t, l, func(btx *bolt.Tx) error {
		b := btx.Bucket([]byte(ledger.ChainHeadHashes.Name()))
		for level := byte(0); level < 4; level++ {
			if err := b.Put(append([]byte{level}, log.BE64(0)...), make([]byte, 32)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("verify of the older layout: %v", err)
	}
	l.open(t)
	if got := headsOf(t, l); got != want {
		t.Fatalf("head commitment %s after the open, %s before", got, want)
	}
	err = l.store.View(func(tx *ledger.Tx) error {
		if k, _ := tx.Cursor(ledger.ChainHeadHashes).First(); k == nil || k[0] < 4 || !log.HeadsCurrent(tx) {
			t.Fatalf("first stored head hash after the open: %x", k)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	l.mustVerify(t)
}
