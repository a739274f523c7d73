package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/amanat-ledger/amanat/chain/audit"
	"github.com/amanat-ledger/amanat/ledger"
)

// The demo is loaded through the API, so its store holds an audit record of
// every request; audit export writes them all, in CSV and JSON lines, and
// verify fails once one is edited.
func TestAuditExportAndVerify(t *testing.T) {
	db, _ := demoStore(t)
	out, err := runCmd(t, newAuditExportCmd(), "--db", db)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 10 || !slices.Equal(rows[0], audit.CSVHeader) {
		t.Fatalf("%d rows, header %v", len(rows), rows[0])
	}
	lines, err := runCmd(t, newAuditExportCmd(), "--db", db, "--format", "jsonl", "--from", "2000-01-01", "--to", "2999-12-31")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	sc := bufio.NewScanner(strings.NewReader(lines))
	for sc.Scan() {
		var r audit.Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil || r.Seq != uint64(n+1) || r.Method == "" || r.Path == "" || r.Status == 0 {
			t.Fatalf("line %d: %v %s", n+1, err, sc.Text())
		}
		n++
	}
	if n != len(rows)-1 {
		t.Fatalf("%d JSON lines, %d CSV rows", n, len(rows)-1)
	}
	if none, err := runCmd(t, newAuditExportCmd(), "--db", db, "--format", "jsonl", "--from", "2999-01-01"); err != nil || none != "" {
		t.Fatalf("--from in the future: %v %q", err, none)
	}
	for _, bad := range [][]string{{"--format", "xml"}, {"--from", "yesterday"}, {"--to", "2026-02-30"}} {
		if _, err := runCmd(t, newAuditExportCmd(), append([]string{"--db", db}, bad...)...); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}

	if out, err := runCmd(t, rootCmd, "verify", "--db", db); err != nil || !strings.Contains(out, "ok    audit: ") {
		t.Fatalf("verify: %v\n%s", err, out)
	}
	bdb, err := bolt.Open(db, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = bdb.Update(func(btx *bolt.Tx) error {
		b := btx.Bucket([]byte("audit.records"))
		v := strings.Replace(string(b.Get(ledger.BE64(3))), `"method":"`, `"method":"X`, 1)
		return b.Put(ledger.BE64(3), []byte(v))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := bdb.Close(); err != nil {
		t.Fatal(err)
	}
	out, err = runCmd(t, rootCmd, "verify", "--db", db)
	if err == nil || !strings.Contains(out, "FAIL  audit: audit record 3: its hash does not match the audit tree") {
		t.Fatalf("verify of an edited audit record: %v\n%s", err, out)
	}
}
