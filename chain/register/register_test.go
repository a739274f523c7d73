package register_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/amanat-ledger/amanat/chain/evidence"
	"github.com/amanat-ledger/amanat/chain/register"
	"github.com/amanat-ledger/amanat/chain/service"
	"github.com/amanat-ledger/amanat/fixtures"
	"github.com/amanat-ledger/amanat/httpapi"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/finance"
)

// demo is the demo store, loaded through the API, with its register.
type demo struct {
	svc *service.Service
	reg *register.Register
}

func loadDemo(t testing.TB) *demo {
	t.Helper()
	svc, err := service.Open(filepath.Join(t.TempDir(), "amanat.db"), service.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	srv, err := httpapi.New(httpapi.Config{Service: svc, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if sum, err := fixtures.Load(context.Background(), srv, svc.Store); err != nil || !sum.Loaded {
		t.Fatalf("load the demo: %v %s", err, sum.Reason)
	}
	return &demo{svc: svc, reg: &register.Register{Items: svc.Evidence, Custody: svc.Custody, Finance: svc.Finance}}
}

// rows is the whole register at the end of day, by the item's first seal.
func (d *demo) rows(t testing.TB, day string) map[string]register.Row {
	t.Helper()
	asOf, err := finance.ParseDate(day)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]register.Row{}
	err = d.svc.Store.View(func(tx *ledger.Tx) error {
		rows, next, err := d.reg.Rows(tx, asOf, 0, 0)
		if err != nil {
			return err
		}
		if next != 0 {
			t.Errorf("next = %d with no limit", next)
		}
		for _, r := range rows {
			it, err := d.svc.Evidence.Item(tx, r.ItemID)
			if err != nil {
				return err
			}
			out[it.Seal] = r
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDemoRegisterHasEveryItemWithItsSealStatusAndValue(t *testing.T) {
	d := loadDemo(t)
	rows := d.rows(t, "2025-12-31")
	var items int
	if err := d.svc.Store.View(func(tx *ledger.Tx) error {
		return d.svc.Evidence.ForEachItem(tx, func(evidence.Item) (bool, error) { items++; return true, nil })
	}); err != nil {
		t.Fatal(err)
	}
	if len(rows) != items || items == 0 {
		t.Fatalf("%d rows for %d demo items", len(rows), items)
	}
	for _, tc := range []struct {
		name, seal, nowSeal, status, holdings, value string
	}{
		{"resealed cash in the malkhana", "OG-ISB-001", "OG-ISB-001-R1", "in_custody", "", ""},
		{"returned to its owner", "OG-LHR-005", "", "returned", "", "0.00"},
		{"forfeited", "OG-LHR-002", "", "forfeited", "", "0.00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, ok := rows[tc.seal]
			if !ok {
				t.Fatalf("no row for %s", tc.seal)
			}
			if tc.nowSeal != "" && r.Seal != tc.nowSeal {
				t.Errorf("seal %q, want %q", r.Seal, tc.nowSeal)
			}
			if r.Status != tc.status {
				t.Errorf("status %q, want %q", r.Status, tc.status)
			}
			if tc.value != "" && (r.ValuePKR == nil || *r.ValuePKR != tc.value) {
				t.Errorf("value %v, want %s", r.ValuePKR, tc.value)
			}
		})
	}
}

func TestRegisterAsOfAnEarlierDate(t *testing.T) {
	d := loadDemo(t)
	early := d.rows(t, "2025-06-03")
	if _, ok := early["OG-LHR-004"]; ok {
		t.Error("an item seized on 2025-06-04 is in the register of 2025-06-03")
	}
	if r := early["OG-ISB-001"]; r.Seal != "OG-ISB-001-R1" || r.LastCount != nil {
		t.Errorf("OG-ISB-001 on 2025-06-03: seal %q, last count %+v", r.Seal, r.LastCount)
	}
	if r := d.rows(t, "2025-06-02")["OG-ISB-001"]; r.Seal != "OG-ISB-001" {
		t.Errorf("OG-ISB-001 on 2025-06-02: seal %q, want the first seal", r.Seal)
	}
	if c := d.rows(t, "2025-06-04")["OG-ISB-001"].LastCount; c == nil || c.Date != "2025-06-04" {
		t.Errorf("OG-ISB-001 on 2025-06-04: last count %+v", c)
	}
	// USD 24500 × 282.3730 + CNY 86400 × 39.2728, the rates in force then,
	// each rounded to the paisa: 6918138.50 + 3393169.92.
	if r := d.rows(t, "2025-06-10")["OG-ISB-001"]; r.ValuePKR == nil || *r.ValuePKR != "10311308.42" {
		t.Errorf("OG-ISB-001 on 2025-06-10: value %v, want 10311308.42", r.ValuePKR)
	}
	before := d.rows(t, "2025-07-09")["OG-LHR-005"]
	if before.Status != "in_custody" || len(before.CourtOrders) != 0 || len(before.Holdings) == 0 || before.ValuePKR == nil {
		t.Errorf("OG-LHR-005 before its superdari: %+v", before)
	}
	bond := d.rows(t, "2025-07-20")["OG-LHR-005"]
	if bond.Status != "on_superdari" || !slices.Equal(bond.CourtOrders, []string{"superdari order 1187/2025"}) || !slices.Equal(bond.Holdings, before.Holdings) {
		t.Errorf("OG-LHR-005 on superdari: %+v", bond)
	}
	if r := d.rows(t, "2025-12-31")["OG-LHR-005"]; len(r.Holdings) != 0 || len(r.CourtOrders) != 3 {
		t.Errorf("OG-LHR-005 returned: %+v", r)
	}
}

func TestRegisterPagesInItemOrder(t *testing.T) {
	d := loadDemo(t)
	asOf := time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
	var all, paged []register.Row
	err := d.svc.Store.View(func(tx *ledger.Tx) error {
		var err error
		if all, _, err = d.reg.Rows(tx, asOf, 0, 0); err != nil {
			return err
		}
		for after := uint64(0); ; {
			page, next, err := d.reg.Rows(tx, asOf, after, 4)
			if err != nil {
				return err
			}
			paged = append(paged, page...)
			if next == 0 {
				return nil
			}
			after = next
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(paged) != len(all) {
		t.Fatalf("%d rows by pages of 4, %d at once", len(paged), len(all))
	}
	var whole, pages bytes.Buffer
	if err := register.WriteCSV(&whole, all); err != nil {
		t.Fatal(err)
	}
	_ = register.WriteCSV(&pages, paged)
	if whole.String() != pages.String() {
		t.Error("the pages differ from the whole register")
	}
	recs, err := csv.NewReader(&whole).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(all)+1 || !slices.Equal(recs[0], register.Header) {
		t.Fatalf("%d records, header %v", len(recs), recs[0])
	}
}

func TestCheckDate(t *testing.T) {
	now := time.Date(2025, 9, 1, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ in, want, err string }{
		{"", "2025-09-01", ""},
		{"2025-08-31", "2025-08-31", ""},
		{"2025-09-02", "", "after today"},
		{"2025-9-1", "", "YYYY-MM-DD"},
	} {
		d, err := register.CheckDate("as_of", tc.in, now)
		switch {
		case tc.err == "" && (err != nil || finance.FormatDate(d) != tc.want):
			t.Errorf("%q: %v %v", tc.in, d, err)
		case tc.err != "" && (err == nil || ledger.ErrorCode(err) != ledger.EInvalid):
			t.Errorf("%q: want %s, got %v", tc.in, tc.err, err)
		}
	}
}

// TestWorkbookHasTheCSVsCells: the workbook read back by excelize holds,
// cell for cell, what the CSV holds.
func TestWorkbookHasTheCSVsCells(t *testing.T) {
	d := loadDemo(t)
	asOf := time.Date(2025, 7, 20, 0, 0, 0, 0, time.UTC)
	var rows []register.Row
	if err := d.svc.Store.View(func(tx *ledger.Tx) (err error) {
		rows, _, err = d.reg.Rows(tx, asOf, 0, 0)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var csvOut, book bytes.Buffer
	if err := register.WriteCSV(&csvOut, rows); err != nil {
		t.Fatal(err)
	}
	if err := register.WriteXLSX(&book, rows, "2025-07-20"); err != nil {
		t.Fatal(err)
	}
	want, err := csv.NewReader(&csvOut).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&book)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := f.GetRows(register.SheetName)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d workbook rows, %d CSV records", len(got), len(want))
	}
	for i := range want {
		// GetRows leaves out trailing empty cells.
		for len(got[i]) < len(want[i]) {
			got[i] = append(got[i], "")
		}
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("row %d:\n workbook %q\n CSV      %q", i, got[i], want[i])
		}
	}
}

// TestCSVCellsNeverRunAsFormulas: a description an insider wrote as a
// formula reaches the auditor's spreadsheet as text.
func TestCSVCellsNeverRunAsFormulas(t *testing.T) {
	rows := []register.Row{{ItemID: 1, CaseID: 1, Seal: "S-1", Description: `=HYPERLINK("http://x","open")`, SeizedFrom: "@attacker", Holder: "-1+1", Location: "plain"}}
	var out bytes.Buffer
	if err := register.WriteCSV(&out, rows); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{`"'=HYPERLINK(""http://x"",""open"")"`, "'@attacker", "'-1+1", ",plain,"} {
		if !strings.Contains(got, want) {
			t.Fatalf("CSV %q lacks %q", got, want)
		}
	}
}
