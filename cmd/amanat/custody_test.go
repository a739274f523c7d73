package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/chain/service"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/money"
)

// custodyStore writes a store with one seized item and a transfer, closed,
// and returns its path.
func custodyStore(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "amanat.db")
	store, err := ledger.Open(db, ledger.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	c, err := chain.New(store, db+".key", service.RecordKinds())
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC().Add(-time.Hour)
	err = store.Write(context.Background(), func(tx *ledger.Tx) error {
		a, _ := money.ParseAmount(money.MustLookup("EUR"), "250.00", money.Positive)
		txn, err := tx.Post(ledger.Transaction{Effective: at, Actor: "custodian:asma", Postings: []ledger.Posting{
			{Account: "custody:item:1", Amount: a}, {Account: "seized:case:1", Amount: a.Neg()}}})
		if err != nil {
			return err
		}
		if _, err := c.Append(tx, chain.Entry{Item: 1, Event: chain.EventSeized, At: at, RecordedBy: "custodian:asma", To: "SI Bilal",
			Location: chain.Location{Circle: "karachi"}, SealAfter: chain.Seal{Number: "KHI-9", State: chain.SealIntact}, LedgerTxn: txn.ID}); err != nil {
			return err
		}
		if _, err = c.Append(tx, chain.Entry{Item: 1, Event: chain.EventTransferred, At: at.Add(time.Minute), RecordedBy: "custodian:asma", From: "SI Bilal", To: "Asif"}); err != nil {
			return err
		}
		// The item's own record, which a bundle must carry.
		item := append([]byte{1}, `{"id":1,"case_id":1,"kind":"cash","description":"EUR notes"}`...)
		if err := tx.Put(ledger.EvidenceItems, ledger.BE64(1), item); err != nil {
			return err
		}
		return c.LogRecord(tx, "evidence.item", 1, item)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	return db
}

func runCustody(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := newCustodyCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	return out.String(), err
}

func TestCustodyCommands(t *testing.T) {
	db := custodyStore(t)
	bundle := filepath.Join(t.TempDir(), "item-1.json")
	if _, err := runCustody(t, "export", "--db", db, "--item", "1", "--out", bundle); err != nil {
		t.Fatal(err)
	}
	pub, err := os.ReadFile(db + ".key.pub")
	if err != nil {
		t.Fatal(err)
	}
	out, err := runCustody(t, "check", "--key-file", db+".key.pub", bundle)
	if err != nil || !strings.HasPrefix(out, "ok    item 1: 2 custody entries and 1 ledger transactions") || !strings.Contains(out, `held by "SI Bilal"`) {
		t.Fatalf("check: %v\n%s", err, out)
	}

	// A bundle changed by one byte fails with exit 1, naming the entry.
	data, _ := os.ReadFile(bundle)
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, bytes.Replace(data, []byte(`Asif`), []byte(`Asim`), 1), 0o644)
	out, err = runCustody(t, "check", bad)
	var ee exitError
	if !errors.As(err, &ee) || ee.code != 1 || !strings.Contains(out, "custody entry 2: leaf hash does not match") {
		t.Fatalf("tampered bundle: %v\n%s", err, out)
	}
	// Another key is refused.
	_, other, err := note.GenerateKey(rand.Reader, "amanat.custody/00000000000000ff")
	if err != nil {
		t.Fatal(err)
	}
	out, err = runCustody(t, "check", "--key", other, bundle)
	if err == nil || !strings.Contains(out, "not by the trusted key") {
		t.Fatalf("wrong key: %v\n%s", err, out)
	}

	out, err = runCustody(t, "checkpoint", "--db", db)
	if err != nil || !strings.Contains(out, "\n4\n") || !strings.Contains(out, "\u2014 "+strings.SplitN(string(pub), "+", 2)[0]) {
		t.Fatalf("checkpoint: %v\n%s", err, out)
	}

	out, err = runCustody(t, "proof", "--db", db, "--seq", "2")
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Leaf      uint64 `json:"leaf_index"`
		Size      uint64 `json:"tree_size"`
		Root      string `json:"root_hash"`
		Proof     []string
		Canonical string
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	var root tlog.Hash
	b, _ := hex.DecodeString(p.Root)
	copy(root[:], b)
	var hs []tlog.Hash
	for _, s := range p.Proof {
		var h tlog.Hash
		b, _ := hex.DecodeString(s)
		copy(h[:], b)
		hs = append(hs, h)
	}
	if err := tlog.CheckRecord(hs, int64(p.Size), root, int64(p.Leaf), tlog.RecordHash([]byte(p.Canonical))); err != nil || p.Size != 4 {
		t.Fatalf("proof %s: %v", out, err)
	}
	if out, err = runCustody(t, "consistency", "--db", db, "--old", "1"); err != nil || !strings.Contains(out, `"new": 4`) {
		t.Fatalf("consistency: %v\n%s", err, out)
	}
	if _, err := runCustody(t, "export", "--db", filepath.Join(t.TempDir(), "none.db"), "--item", "1"); err == nil {
		t.Fatal("export of a missing store must fail")
	}
	if _, err := runCustody(t, "export", "--db", db, "--item", "7"); err == nil {
		t.Fatal("export of an item without entries must fail")
	}
}
