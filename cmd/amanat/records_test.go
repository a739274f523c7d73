package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// Rates imported from a sheet are leaves of the custody log, so `amanat
// verify --db` covers them and names a rate edited in the file.
func TestImportedRatesAreVerified(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "amanat.db")
	sheet := filepath.Join(dir, "rates.csv")
	if err := os.WriteFile(sheet, []byte("currency,rate,effective,source\nUSD,278.65,2025-06-02,sbp-interbank\nEUR,302.1,2025-06-02,sbp-interbank\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := runCmd(t, newInitCmd(), "--db", db); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	if out, err := runCmd(t, newRatesCmd(), "import", "--db", db, sheet); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	out, err := runCmd(t, rootCmd, "verify", "--db", db)
	if err != nil || !strings.Contains(out, "2 records") {
		t.Fatalf("verify: %v\n%s", err, out)
	}

	bdb, err := bolt.Open(db, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = bdb.Update(func(btx *bolt.Tx) error {
		b := btx.Bucket([]byte("finance.rates"))
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if bytes.Contains(v, []byte("278.65")) {
				return b.Put(bytes.Clone(k), bytes.Replace(bytes.Clone(v), []byte("278.65"), []byte("288.65"), 1))
			}
		}
		t.Fatal("no USD rate stored")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := bdb.Close(); err != nil {
		t.Fatal(err)
	}
	out, err = runCmd(t, rootCmd, "verify", "--db", db)
	if err == nil || !strings.Contains(out, "rate 1: leaf hash does not match the log (log leaf 0)") {
		t.Fatalf("verify of an edited rate: %v\n%s", err, out)
	}
}

// A court bundle exported from a store with a registered seizure proves the
// item's own record, and `amanat custody check` says so and names it when
// its description is forged.
func TestCustodyCheckProvesTheItemRecord(t *testing.T) {
	db := filepath.Join(t.TempDir(), "amanat.db")
	a, err := createService(db, db+".key")
	if err != nil {
		t.Fatal(err)
	}
	seizeOne(t, a)
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	bundle := filepath.Join(t.TempDir(), "item-1.json")
	if out, err := runCustody(t, "export", "--db", db, "--item", "1", "--out", bundle); err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	out, err := runCustody(t, "check", "--key-file", db+".key.pub", bundle)
	if err != nil || !strings.Contains(out, "1 custody entries and 1 ledger transactions and the item's own record proved") {
		t.Fatalf("check: %v\n%s", err, out)
	}
	data, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, bytes.Replace(data, []byte("brown envelope"), []byte("green envelope"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = runCustody(t, "check", "--key-file", db+".key.pub", bad)
	if err == nil || !strings.Contains(out, "record evidence.item 1: leaf hash does not match") {
		t.Fatalf("forged description: %v\n%s", err, out)
	}
}
