package main

import (
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/finance"
)

// rateColumns are the columns a rate sheet must have, in any order.
var rateColumns = []string{"currency", "rate", "effective", "source"}

// readRateSheet reads a published rate sheet: a header row naming the
// columns currency, rate, effective and source (any order, other columns
// ignored), then one rate a row. Every row is checked before anything is
// stored; the error names the first bad row (counting the header as row 1)
// and column.
func readRateSheet(r io.Reader) ([]finance.RateInput, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("the sheet is empty; it needs a header row: %s", strings.Join(rateColumns, ","))
	}
	if err != nil {
		return nil, fmt.Errorf("row 1: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, c := range rateColumns {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("row 1: the header has no %q column (it needs %s)", c, strings.Join(rateColumns, ", "))
		}
	}
	var out []finance.RateInput
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("row %d: %w", row, err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		get := func(c string) string {
			if i := col[c]; i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		in := finance.RateInput{Currency: get("currency"), Rate: get("rate"), Effective: get("effective"), Source: get("source")}
		if _, err := finance.CheckRate(in); err != nil {
			var e *ledger.Error
			if errors.As(err, &e) && len(e.Fields) > 0 {
				return nil, fmt.Errorf("row %d, column %s: %s", row, e.Fields[0].Field, e.Fields[0].Reason)
			}
			return nil, fmt.Errorf("row %d: %w", row, err)
		}
		out = append(out, in)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the sheet has a header but no rates")
	}
	return out, nil
}

func init() { rootCmd.AddCommand(newRatesCmd()) }

// newRatesCmd builds `amanat rates` (a fresh one per test).
func newRatesCmd() *cobra.Command {
	rates := &cobra.Command{Use: "rates", Short: "Manage PKR exchange rates"}
	var db, name, keyPath string
	imp := &cobra.Command{
		Use:   "import --db FILE [--name NAME] [--key FILE] CSVFILE",
		Short: "Import a published rate sheet, all rows or none",
		Long: "import reads a CSV rate sheet with a header row naming the columns currency, rate,\n" +
			"effective (YYYY-MM-DD) and source, one rate a row (PKR per one unit), and stores every\n" +
			"rate in one transaction. A bad row stores nothing and is named with its column.\n" +
			"Rates are never changed: a row for a currency, date and source already entered\n" +
			"supersedes the earlier entry. The store must not be open in a running server.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			rows, err := readRateSheet(f)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			// Through the app, so that each rate is logged in the custody log.
			a, err := openService(db, cmp.Or(keyPath, db+".key"), false)
			if err != nil {
				return err
			}
			defer a.Close()
			svc := a.Finance
			actor := "finance:" + name
			err = a.Store.Write(context.Background(), func(tx *ledger.Tx) error {
				for i, in := range rows {
					if _, err := svc.AddRate(tx, in, actor); err != nil {
						return fmt.Errorf("row %d: %w", i+2, err)
					}
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "imported %d rates from %s\n", len(rows), args[0])
			return nil
		},
	}
	imp.Flags().StringVar(&db, "db", "", "store file")
	imp.Flags().StringVar(&name, "name", "rates-import", "who enters the rates (recorded as finance:NAME)")
	imp.Flags().StringVar(&keyPath, "key", "", "custody log signing key (default: the store file plus .key)")
	_ = imp.MarkFlagRequired("db")
	rates.AddCommand(imp)
	return rates
}
