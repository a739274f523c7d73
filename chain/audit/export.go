package audit

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
)

// ParseBound reads a bound of a time range: a date (YYYY-MM-DD) is a whole
// UTC day, from its start or, as the end of a range (end), to its end; an
// RFC 3339 instant is exact. "" is no bound (the zero time).
func ParseBound(v string, end bool) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if d, err := time.Parse(time.DateOnly, v); err == nil {
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return d, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, errors.New("must be a date (YYYY-MM-DD) or an RFC 3339 instant")
	}
	return t.UTC(), nil
}

// CSVHeader is the first row of WriteCSV.
var CSVHeader = []string{"seq", "at", "actor", "token_id", "method", "path", "query", "remote", "status", "item_id", "case_id", "request_id"}

// CSVWriter writes records as RFC 4180 CSV (CRLF line ends) under
// CSVHeader. A cell a spreadsheet would run as a formula (it begins with =,
// +, -, @, a tab or a carriage return) gets a leading apostrophe: a path or
// an actor's name must never become a formula on an auditor's machine.
type CSVWriter struct{ w *csv.Writer }

// NewCSVWriter writes the header row to w.
func NewCSVWriter(w io.Writer) (*CSVWriter, error) {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	return &CSVWriter{cw}, cw.Write(CSVHeader)
}

// Write writes one record.
func (c *CSVWriter) Write(r Record) error {
	id := func(n uint64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatUint(n, 10)
	}
	cells := []string{strconv.FormatUint(r.Seq, 10), r.At.Format(time.RFC3339Nano), r.Actor, id(r.TokenID), r.Method, r.Path, r.Query,
		r.Remote, strconv.Itoa(r.Status), id(r.ItemID), id(r.CaseID), r.RequestID}
	for i, s := range cells {
		if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
			cells[i] = "'" + s
		}
	}
	return c.w.Write(cells)
}

// Flush writes what is buffered.
func (c *CSVWriter) Flush() error { c.w.Flush(); return c.w.Error() }

// WriteJSONL writes r as one line of JSON, the record as stored.
func WriteJSONL(w io.Writer, r Record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
