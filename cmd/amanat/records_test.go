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
