package evidence

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/chain/log"
	"github.com/amanat-ledger/amanat/ledger"
)

// raided is a store with case 1 and one seizure of two items. Leaves: 0 case
// 1, 1 ledger transaction 1, 2 item 1, 3 custody entry 1, 4 item 2, 5
// custody entry 2.
func raided(t *testing.T) *fixture {
	t.Helper()
	f := mustOpen(t)
	f.createCase(t, "112/2025")
	if _, err := f.register(t, validSeizure()); err != nil {
		t.Fatal(err)
	}
	f.verify(t)
	return f
}

// tamperFile closes f's store, changes the file with bbolt directly, and
// verifies it read-only, as `amanat verify --db` does.
func tamperFile(t *testing.T, f *fixture, change func(btx *bolt.Tx) error) (chain.Report, error) {
	t.Helper()
	path := f.store.Path()
	if err := f.custody.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.store.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(change); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := ledger.Open(path, ledger.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	return chain.VerifyStore(s, f.keyPath, RecordKinds())
}

func replaceIn(t *testing.T, b *bolt.Bucket, id uint64, old, new string) {
	t.Helper()
	v := b.Get(be64(id))
	if !bytes.Contains(v, []byte(old)) {
		t.Fatalf("%q not in %q", old, v)
	}
	if err := b.Put(be64(id), bytes.Replace(bytes.Clone(v), []byte(old), []byte(new), 1)); err != nil {
		t.Fatal(err)
	}
}

func TestCaseAndItemTamperingIsNamed(t *testing.T) {
	rows := []struct {
		name   string
		change func(t *testing.T, btx *bolt.Tx) error
		want   string
	}{
		{"nothing changed", func(t *testing.T, btx *bolt.Tx) error { return nil }, ""},
		{"one byte of an item's description", func(t *testing.T, btx *bolt.Tx) error {
			replaceIn(t, btx.Bucket([]byte(ledger.EvidenceItems.Name())), 2, "TronLink wallet", "TronLink wallat")
			return nil
		}, "item 2: leaf hash does not match the log (log leaf 4)"},
		{"who an item was seized from", func(t *testing.T, btx *bolt.Tx) error {
			replaceIn(t, btx.Bucket([]byte(ledger.EvidenceItems.Name())), 1, `"Li Wei"`, `"Li Wen"`)
			return nil
		}, "item 1: leaf hash does not match the log (log leaf 2)"},
		{"one byte of a case's FIR", func(t *testing.T, btx *bolt.Tx) error {
			replaceIn(t, btx.Bucket([]byte(ledger.EvidenceCases.Name())), 1, "112/2025", "113/2025")
			return nil
		}, "case 1: leaf hash does not match the log (log leaf 0)"},
		{"an item record deleted", func(t *testing.T, btx *bolt.Tx) error {
			return btx.Bucket([]byte(ledger.EvidenceItems.Name())).Delete(be64(1))
		}, "item 1: missing from the store (log leaf 2)"},
		{"a case added by hand", func(t *testing.T, btx *bolt.Tx) error {
			v := bytes.Clone(btx.Bucket([]byte(ledger.EvidenceCases.Name())).Get(be64(1)))
			return btx.Bucket([]byte(ledger.EvidenceCases.Name())).Put(be64(2), bytes.Replace(v, []byte(`"id":1`), []byte(`"id":2`), 1))
		}, "case 2 is not in the log"},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			f := raided(t)
			rep, err := tamperFile(t, f, func(btx *bolt.Tx) error { return r.change(t, btx) })
			if r.want == "" {
				if err != nil {
					t.Fatalf("untouched store fails: %v", err)
				}
				if rep.Records != 3 || rep.Leaves != 6 {
					t.Fatalf("report %+v, want 3 records in 6 leaves", rep)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), r.want) {
				t.Fatalf("got %v\nwant %q", err, r.want)
			}
		})
	}
}

// oldCustody is the custody log as registration used it before records were
// logged: LogRecord does nothing.
type oldCustody struct{ *chain.Custody }

func (oldCustody) LogRecord(*ledger.Tx, string, uint64, []byte) error { return nil }

// A store from before records were logged: its cases and items get leaves on
// the first read-write open, in id order, and then verify passes.
func TestOldStoreCasesAndItemsAreBackfilled(t *testing.T) {
	f := mustOpen(t)
	f.reg.custody = oldCustody{f.custody}
	f.createCase(t, "112/2025")
	if _, err := f.register(t, validSeizure()); err != nil {
		t.Fatal(err)
	}
	path := f.store.Path()
	// The open above already marked both kinds as backfilled (with nothing
	// to do); an old store has no such marks.
	_, err := tamperFile(t, f, func(btx *bolt.Tx) error {
		m := btx.Bucket([]byte("chain.meta"))
		for _, k := range []string{CaseRecordKind, ItemRecordKind} {
			if err := m.Delete([]byte("records.backfilled " + k)); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "case 1 is not in the log") {
		t.Fatalf("verify before the first open: %v", err)
	}

	store, err := ledger.Open(path, ledger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	custody, err := chain.New(store, f.keyPath, RecordKinds())
	if err != nil {
		t.Fatal(err)
	}
	var rep chain.Report
	err = store.View(func(tx *ledger.Tx) error {
		var err error
		rep, err = custody.Verify(tx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// 1 transaction, 2 entries, then case 1, item 1, item 2 backfilled.
	if rep.Records != 3 || rep.Leaves != 6 || rep.Unsigned != 0 {
		t.Fatalf("after backfill: %+v", rep)
	}
	if err := custody.Close(); err != nil {
		t.Fatal(err)
	}
}

// The court bundle of an item proves the item's own record too: what was
// seized, its seal and description, and from whom.
func TestBundleCarriesTheItemRecord(t *testing.T) {
	f := raided(t)
	data, err := f.custody.ExportItem(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := chain.CheckBundle(data, RecordKinds(), f.custody.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Records != 1 || !strings.Contains(rep.String(), "and the item's own record") {
		t.Fatalf("report %+v", rep)
	}
	var b chain.Bundle
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatal(err)
	}
	r := b.Records[0]
	if r.Kind != ItemRecordKind || r.ID != 2 || r.LeafIndex != 4 ||
		!strings.HasPrefix(r.Canonical, "amanat-record/1\nkind evidence.item\nid 2\n\x01{") ||
		!strings.Contains(r.Canonical, `"seal":"ISB-0002"`) || !strings.Contains(r.Canonical, "TronLink wallet on a phone") {
		t.Fatalf("item record in the bundle: %+v", r)
	}
	forged := bytes.Replace(data, []byte("TronLink wallet on a phone"), []byte("TronLink wallet on a tablet"), 1)
	if _, err := chain.CheckBundle(forged, RecordKinds(), f.custody.PublicKey()); err == nil || !strings.Contains(err.Error(), "record evidence.item 2: leaf hash") {
		t.Fatalf("a forged description: %v", err)
	}
}

var updateFormat = flag.Bool("update", false, "rewrite the record example in docs/custody-format.md")

const formatDoc = "../../docs/custody-format.md"

// TestRecordFormatExample keeps the record example of docs/custody-format.md
// (section 3a) equal to what CreateCase stores and logs (go test
// ./chain/evidence -run TestRecordFormatExample -update rewrites it).
func TestRecordFormatExample(t *testing.T) {
	f := mustOpen(t)
	c, err := CheckCase(CaseRequest{FIR: "112/2025", FIRDate: "2025-06-02", Circle: "islamabad", Operation: "Grey",
		Title: "Call centre raid, F-7/2", Offences: []string{"PECA 2016 s.14", "PPC 420"}, OfficerInCharge: "Inspector Ayesha Khan"})
	if err != nil {
		t.Fatal(err)
	}
	var stored []byte
	var rep chain.Report
	err = f.store.Write(context.Background(), func(tx *ledger.Tx) error {
		c, err = f.reg.CreateCase(tx, c, "custodian:ayesha")
		stored = bytes.Clone(tx.Get(ledger.EvidenceCases, be64(c.ID)))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var p chain.InclusionProof
	err = f.store.View(func(tx *ledger.Tx) error {
		if rep, err = f.custody.Verify(tx); err != nil {
			return err
		}
		p, err = f.custody.ProveRecord(tx, CaseRecordKind, c.ID, 1)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	leaf := log.RecordLeaf(CaseRecordKind, c.ID, stored)
	sum := sha256.Sum256(append([]byte{0}, leaf...))
	if !bytes.Equal(p.Canonical, leaf) || rep.Records != 1 || stored[0] != 1 || sum != p.LeafHash {
		t.Fatalf("the logged leaf is not the wrapper and the stored bytes: %q", p.Canonical)
	}
	json := string(stored[1:])
	var w strings.Builder
	fmt.Fprintf(&w, "The stored record (bucket `evidence.cases`, key the case id) is one byte 0x01, then this JSON:\n\n```\n%s\n```\n\n", json)
	fmt.Fprintf(&w, "Its leaf bytes, with the 0x01 byte shown as `<01>`:\n\n```\namanat-record/1\nkind %s\nid %d\n<01>%s\n```\n\n", CaseRecordKind, c.ID, json)
	fmt.Fprintf(&w, "and its leaf hash, SHA-256 of one zero byte followed by the leaf bytes:\n\n```\n%x\n```\n\n", sum)
	fmt.Fprintf(&w, "With a shell (the JSON has no single quote):\n\n```\n{ printf '\\0amanat-record/1\\nkind %s\\nid %d\\n\\001'; printf '%%s' '%s'; } | sha256sum\n```\n",
		CaseRecordKind, c.ID, json)
	want := w.String()

	doc, err := os.ReadFile(formatDoc)
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- record-example:begin -->\n", "<!-- record-example:end -->"
	i, j := bytes.Index(doc, []byte(begin)), bytes.Index(doc, []byte(end))
	if i < 0 || j < i {
		t.Fatalf("%s has no record example markers", formatDoc)
	}
	if *updateFormat {
		out := append(append(append([]byte{}, doc[:i+len(begin)]...), want...), doc[j:]...)
		if err := os.WriteFile(formatDoc, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got := string(doc[i+len(begin) : j]); got != want {
		t.Errorf("the record example in %s is out of date; run go test ./chain/evidence -run TestRecordFormatExample -update\n--- doc\n%s\n--- code\n%s", formatDoc, got, want)
	}
}
