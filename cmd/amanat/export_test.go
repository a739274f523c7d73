package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/money"
)

func runCmd(t *testing.T, cmd *cobra.Command, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	return out.String(), err
}

// financeStore is a store with one seizure of USD and BTC on 2025-06-02.
func financeStore(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "amanat.db")
	s, err := ledger.Open(db, ledger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	usd, _ := money.ParseAmount(money.MustLookup("USD"), "1500.00", money.Positive)
	btc, _ := money.ParseAmount(money.MustLookup("BTC"), "0.5", money.Positive)
	err = s.Write(context.Background(), func(tx *ledger.Tx) error {
		_, err := tx.Post(ledger.Transaction{Effective: time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC), Actor: "custodian:test", Memo: "seizure",
			Postings: []ledger.Posting{
				{Account: "custody:item:1", Amount: usd}, {Account: "seized:case:1", Amount: usd.Neg()},
				{Account: "custody:item:1", Amount: btc}, {Account: "seized:case:1", Amount: btc.Neg()},
			}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestRatesImportThenExport(t *testing.T) {
	db := financeStore(t)
	dir := t.TempDir()
	sheet := filepath.Join(dir, "sbp.csv")
	os.WriteFile(sheet, []byte("effective,currency,source,rate\n2025-06-02,USD,sbp-interbank,278.6500\n2025-06-02,BTC,exchange-close,29500000.5\n2025-06-10,USD,sbp-interbank,280.0000\n"), 0o644)
	out, err := runCmd(t, newRatesCmd(), "import", "--db", db, sheet)
	if err != nil || !strings.Contains(out, "imported 3 rates") {
		t.Fatalf("import: %q %v", out, err)
	}
	out, err = runCmd(t, newExportCmd(), "--db", db, "--format", "journal")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"commodity BTC\n    format 1.00000000 BTC\n", "P 2025-06-02 USD 278.6500 PKR\n", "P 2025-06-10 USD 280.0000 PKR\n", "    custody:item:1    0.50000000 BTC\n"} {
		if !strings.Contains(out, want) {
			t.Fatalf("journal lacks %q:\n%s", want, out)
		}
	}
	out, err = runCmd(t, newExportCmd(), "--db", db, "--format", "journal", "--as-of", "2025-06-05")
	if err != nil || strings.Contains(out, "280.0000") {
		t.Fatalf("as-of journal carries a later rate: %v\n%s", err, out)
	}
	out, err = runCmd(t, newExportCmd(), "--db", db, "--format", "balances")
	if err != nil || out != "custody:item:1\tBTC\t0.50000000\ncustody:item:1\tUSD\t1500.00\nseized:case:1\tBTC\t-0.50000000\nseized:case:1\tUSD\t-1500.00\n" {
		t.Fatalf("balances %q %v", out, err)
	}
	out, err = runCmd(t, newExportCmd(), "--db", db, "--format", "csv", "--as-of", "2025-06-01")
	if err != nil || out != "transaction_id,effective,recorded,actor,memo,reverses,links,posting,account,currency,amount\n" {
		t.Fatalf("csv before the seizure %q %v", out, err)
	}
	if _, err := runCmd(t, newExportCmd(), "--db", db, "--format", "xml"); err == nil || !strings.Contains(err.Error(), "journal, csv, balances or register") {
		t.Fatalf("bad format: %v", err)
	}
	if _, err := runCmd(t, newExportCmd(), "--db", db, "--as-of", "5 June"); err == nil || !strings.Contains(err.Error(), "--as-of") {
		t.Fatalf("bad date: %v", err)
	}
}

func TestRatesImportIsAllOrNothing(t *testing.T) {
	tests := []struct{ name, sheet, want string }{
		{"a bad rate names its row and column", "currency,rate,effective,source\nUSD,278.65,2025-06-02,sbp-interbank\nEUR,3.1e2,2025-06-02,sbp-interbank\n", "row 3, column rate: "},
		{"a bad date", "currency,rate,effective,source\nUSD,278.65,06/02/2025,sbp-interbank\n", "row 2, column effective"},
		{"an unknown currency", "currency,rate,effective,source\nXYZ,1,2025-06-02,sbp-interbank\n", "row 2, column currency"},
		{"a missing column", "currency,rate,effective\nUSD,1,2025-06-02\n", `no "source" column`},
		{"an empty sheet", "", "empty"},
		{"a header alone", "currency,rate,effective,source\n", "no rates"},
		{"a ragged row", "currency,rate,effective,source\nUSD,1\n", "row 2, column effective"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := financeStore(t)
			sheet := filepath.Join(t.TempDir(), "rates.csv")
			os.WriteFile(sheet, []byte(tt.sheet), 0o644)
			before, _ := os.ReadFile(db)
			_, err := runCmd(t, newRatesCmd(), "import", "--db", db, sheet)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want it to contain %q", err, tt.want)
			}
			out, _ := runCmd(t, newExportCmd(), "--db", db)
			if strings.Contains(out, "\nP ") {
				t.Fatalf("a refused sheet stored rates:\n%s", out)
			}
			after, _ := os.ReadFile(db)
			if !bytes.Equal(before, after) {
				t.Fatal("a refused sheet changed the store file")
			}
		})
	}
}
