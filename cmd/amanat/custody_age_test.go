package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// custody check prints when the checkpoint was signed, and --max-age
// refuses an older bundle (exit 1, saying how old) or an undated one.
func TestCustodyCheckMaxAge(t *testing.T) {
	db := custodyStore(t)
	bundle := filepath.Join(t.TempDir(), "item-1.json")
	if _, err := runCustody(t, "export", "--db", db, "--item", "1", "--out", bundle); err != nil {
		t.Fatal(err)
	}
	out, err := runCustody(t, "check", "--key-file", db+".key.pub", "--max-age", "1h", bundle)
	if err != nil || !strings.HasPrefix(out, "ok    ") || !strings.Contains(out, "\ntime  the checkpoint was signed at ") {
		t.Fatalf("a fresh bundle under --max-age 1h: %v\n%s", err, out)
	}
	if strings.Contains(out, "warning") {
		t.Fatalf("a format 2 bundle warned:\n%s", out)
	}

	// The demo store signs its checkpoints on its own clock, 15 January 2026.
	old := "../../fixtures/testdata/golden/bundle-item-1.json"
	out, err = runCustody(t, "check", "--max-age", "24h", old)
	var ee exitError
	if !errors.As(err, &ee) || ee.code != 1 || !strings.Contains(out, "the checkpoint was signed at 2026-01-15T09:00:00Z") || !strings.Contains(out, "longer ago than --max-age 24h0m0s") {
		t.Fatalf("an old bundle under --max-age 24h: %v\n%s", err, out)
	}
	if out, err = runCustody(t, "check", old); !errors.As(err, &ee) || ee.code != 2 || !strings.Contains(out, "time  the checkpoint was signed at 2026-01-15T09:00:00Z") {
		t.Fatalf("an old bundle without --max-age: %v\n%s", err, out)
	}
}

// A bundle of format 1 (kept from the demo as it was exported before the
// head commitment) still checks, with a warning that it does not prove it
// is complete; being undated, it fails any --max-age.
func TestCustodyCheckFormat1(t *testing.T) {
	v1 := "../../chain/testdata/bundle-v1-demo-item-8.json"
	if _, err := os.Stat(v1); err != nil {
		t.Fatal(err)
	}
	out, err := runCustody(t, "check", v1)
	var ee exitError
	if !errors.As(err, &ee) || ee.code != 2 || !strings.Contains(out, "warning  a bundle of format amanat-custody-bundle/1: it proves its entries are in the log, not that none is missing") {
		t.Fatalf("format 1: %v\n%s", err, out)
	}
	out, err = runCustody(t, "check", "--max-age", "8760h", v1)
	if !errors.As(err, &ee) || ee.code != 1 || !strings.Contains(out, "the checkpoint is not dated") {
		t.Fatalf("format 1 under --max-age: %v\n%s", err, out)
	}
}

// Every bundle of the demo checks, and one whose reconciliation write-off
// is dropped (item 15: the network burnt 27.5 TRX, which no custody entry
// names) is refused: the item's head counts it. With the head left out as
// well the format 2 check refuses it for that; the check of format 1 would
// not have seen it.
func TestCustodyCheckDemoBundlesAndADroppedWriteOff(t *testing.T) {
	files, err := filepath.Glob("../../fixtures/testdata/golden/bundle-item-*.json")
	if err != nil || len(files) == 0 {
		t.Fatal(err, files)
	}
	for _, f := range files {
		out, err := runCustody(t, "check", f)
		var ee exitError
		if !errors.As(err, &ee) || ee.code != 2 || !strings.HasPrefix(out, "unchecked  ") {
			t.Fatalf("%s: %v\n%s", f, err, out)
		}
	}
	data, err := os.ReadFile("../../fixtures/testdata/golden/bundle-item-15.json")
	if err != nil {
		t.Fatal(err)
	}
	var b map[string]any
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatal(err)
	}
	txns := b["transactions"].([]any)
	var kept []any
	for _, x := range txns {
		if !strings.Contains(x.(map[string]any)["canonical"].(string), "\nlink reconciliation ") {
			kept = append(kept, x)
		}
	}
	if len(kept) != len(txns)-1 {
		t.Fatalf("item 15's bundle has %d transactions, no reconciliation among them", len(txns))
	}
	b["transactions"] = kept
	forged := filepath.Join(t.TempDir(), "forged.json")
	out, _ := json.Marshal(b)
	os.WriteFile(forged, out, 0o644)
	got, err := runCustody(t, "check", forged)
	var ee exitError
	if !errors.As(err, &ee) || ee.code != 1 || !strings.Contains(got, "counts 3 ledger transactions at the checkpoint, the bundle holds 2") {
		t.Fatalf("a dropped write-off: %v\n%s", err, got)
	}
}
