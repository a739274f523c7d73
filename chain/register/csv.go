package register

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"
)

// Header names the columns of the register's CSV and workbook, in order.
var Header = []string{"item_id", "case_id", "fir", "circle", "seal", "kind", "description", "seized_from", "seized_at", "seized_by",
	"holdings", "status", "holder", "location", "court_orders", "last_count_date", "last_count_matched", "value_pkr", "missing_rates"}

// Cells is a row as the CSV and the workbook write it: amounts as plain
// decimals, holdings as "USD 1500.00; VND 2000000", court orders by number
// joined with "; ", an unknown value (no rate) empty with missing_rates
// naming the currencies.
func (r *Row) Cells() []string {
	hold := make([]string, 0, len(r.Holdings))
	for _, h := range r.Holdings {
		hold = append(hold, h.Currency+" "+h.Amount)
	}
	var countDate, matched, value string
	if r.LastCount != nil {
		countDate, matched = r.LastCount.Date, strconv.FormatBool(r.LastCount.Matched)
	}
	if r.ValuePKR != nil {
		value = *r.ValuePKR
	}
	return []string{strconv.FormatUint(r.ItemID, 10), strconv.FormatUint(r.CaseID, 10), r.FIR, r.Circle, r.Seal, r.Kind, r.Description,
		r.SeizedFrom, r.SeizedAt.UTC().Format(time.RFC3339), r.SeizedBy, strings.Join(hold, "; "), r.Status, r.Holder, r.Location,
		strings.Join(r.CourtOrders, "; "), countDate, matched, value, strings.Join(r.MissingRates, "; ")}
}

// WriteCSV writes the register as RFC 4180 CSV (CRLF line ends), a header
// row first. A cell that a spreadsheet would run as a formula (it begins
// with =, +, -, @, a tab or a carriage return) is written with a leading
// apostrophe, which spreadsheets show as text: a custodian's description
// must never become a formula on an auditor's machine. The workbook needs no
// such guard; its text cells are typed as text.
func WriteCSV(w io.Writer, rows []Row) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(Header); err != nil {
		return err
	}
	for i := range rows {
		if err := cw.Write(inert(rows[i].Cells())); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// inert defuses cells a spreadsheet would read as a formula.
func inert(cells []string) []string {
	for i, c := range cells {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			cells[i] = "'" + c
		}
	}
	return cells
}
