package main

import (
	"context"
	"encoding/csv"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/amanat-ledger/amanat/chain/register"
	"github.com/amanat-ledger/amanat/fixtures"
)

// demoStore loads Operation Grey into a new store through the API and
// closes it; it returns the store file and the number of items.
func demoStore(t *testing.T) (string, int) {
	t.Helper()
	db := filepath.Join(t.TempDir(), "demo.db")
	a, err := createService(db, db+".key")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := newServer(a, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := fixtures.Load(context.Background(), srv, a.Store)
	if err != nil || sum.Items == 0 {
		t.Fatalf("load the demo: %v, %d items", err, sum.Items)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	return db, sum.Items
}

func TestExportRegister(t *testing.T) {
	db, items := demoStore(t)
	out, err := runCmd(t, newExportCmd(), "--db", db, "--format", "register", "--as-of", "2025-12-31")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(recs[0], register.Header) || len(recs) != items+1 || !strings.Contains(out, "\r\n") {
		t.Fatalf("%d records for %d items, header %v", len(recs), items, recs[0])
	}
	early, err := runCmd(t, newExportCmd(), "--db", db, "--format", "register", "--as-of", "2025-06-02")
	if err != nil || strings.Count(early, "\r\n") >= len(recs) || strings.Contains(early, "OG-LHR-") {
		t.Errorf("as of 2025-06-02: %v\n%s", err, early)
	}

	book := filepath.Join(t.TempDir(), "register.xlsx")
	if out, err := runCmd(t, newExportCmd(), "--db", db, "--format", "register", "--as-of", "2025-12-31", "--xlsx", book); err != nil || out != "" {
		t.Fatalf("--xlsx: %v %q", err, out)
	}
	f, err := excelize.OpenFile(book)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := f.GetRows(register.SheetName)
	if err != nil || len(got) != len(recs) {
		t.Fatalf("workbook: %d rows, %v", len(got), err)
	}
	for i := range recs {
		for len(got[i]) < len(recs[i]) {
			got[i] = append(got[i], "")
		}
		if !slices.Equal(got[i], recs[i]) {
			t.Errorf("row %d: workbook %q, CSV %q", i, got[i], recs[i])
		}
	}

	for _, bad := range [][]string{
		{"--format", "register", "--as-of", "2999-01-01"},
		{"--format", "register", "--as-of", "yesterday"},
		{"--format", "journal", "--xlsx", book + "2"},
	} {
		if out, err := runCmd(t, newExportCmd(), append([]string{"--db", db}, bad...)...); err == nil {
			t.Errorf("%v: accepted\n%s", bad, out)
		}
	}
	if _, err := os.Stat(book + "2"); err == nil {
		t.Error("a refused export wrote a workbook")
	}
}
