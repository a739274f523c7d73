package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/amanat-ledger/amanat/chain/evidence"
	"github.com/amanat-ledger/amanat/chain/register"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/export"
	"github.com/amanat-ledger/amanat/ledger/finance"
)

func init() { rootCmd.AddCommand(newExportCmd()) }

// newExportCmd builds `amanat export` (a fresh one per test).
func newExportCmd() *cobra.Command {
	var db, format, asOf, xlsx, key string
	cmd := &cobra.Command{
		Use:   "export --db FILE --format journal|csv|balances|register [--as-of DATE] [--xlsx FILE]",
		Short: "Write the ledger to standard output for hledger, ledger or a spreadsheet",
		Long: "export writes the books to standard output.\n\n" +
			"  journal   the plain-text format of hledger and ledger: commodity declarations with each\n" +
			"            currency's scale, account declarations, P directives for the stored rates and\n" +
			"            every transaction; `hledger -f FILE bal` and `ledger -f FILE bal` agree exactly\n" +
			"            with Amanat's balances\n" +
			"  csv       one row per posting, with a header row\n" +
			"  balances  Amanat's own non-zero balances, account TAB currency TAB amount, to check the\n" +
			"            journal against\n" +
			"  register  the malkhana register: one row per item as the store stood at the end of\n" +
			"            --as-of (default today): seal, status, holder, location, holdings, court\n" +
			"            orders, last count and PKR value; CSV, or with --xlsx FILE an Excel workbook.\n" +
			"            It reads the custody log, so the store's key file must be beside it (or --key)\n\n" +
			"--as-of DATE limits the export to what took effect by the end of that date (UTC).\n" +
			"The store must not be open in a running server (use GET /v1/backup and export the copy).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format == "register" {
				return exportRegister(cmd, db, key, asOf, xlsx)
			}
			if xlsx != "" {
				return fmt.Errorf("--xlsx: only --format register writes a workbook")
			}
			var opt export.Options
			if asOf != "" {
				d, err := finance.ParseDate(asOf)
				if err != nil {
					return fmt.Errorf("--as-of: %w", err)
				}
				opt.AsOf = d
			}
			if format != "journal" && format != "csv" && format != "balances" {
				return fmt.Errorf("--format %q: use journal, csv, balances or register", format)
			}
			store, err := openStore(db, true)
			if err != nil {
				return err
			}
			defer store.Close()
			opt.Rates = finance.New(finance.Config{})
			w := bufio.NewWriterSize(cmd.OutOrStdout(), 1<<16)
			err = store.View(func(tx *ledger.Tx) error {
				switch format {
				case "journal":
					_, err := export.Journal(tx, w, opt)
					return err
				case "csv":
					_, err := export.CSV(tx, w, opt)
					return err
				default:
					bs, err := export.Balances(tx, opt)
					if err != nil {
						return err
					}
					return export.WriteBalances(w, bs)
				}
			})
			if err != nil {
				return err
			}
			return w.Flush()
		},
	}
	cmd.Flags().StringVar(&db, "db", "", "store file")
	cmd.Flags().StringVar(&format, "format", "journal", "journal, csv, balances or register")
	cmd.Flags().StringVar(&asOf, "as-of", "", "export what took effect by the end of this date (YYYY-MM-DD, UTC)")
	cmd.Flags().StringVar(&xlsx, "xlsx", "", "with --format register: write an Excel workbook to this file instead of CSV to standard output")
	cmd.Flags().StringVar(&key, "key", "", "with --format register: the custody log's key file (default: the store file plus .key)")
	_ = cmd.MarkFlagRequired("db")
	return cmd
}

// exportRegister writes the malkhana register as of asOf (default today)
// as CSV to standard output, or as a workbook to xlsx. The workbook is
// written whole to a temporary file and renamed, so a failed export
// leaves no half-written file under the name asked for.
func exportRegister(cmd *cobra.Command, db, key, asOf, xlsx string) error {
	if err := storeExists(db); err != nil {
		return err
	}
	if key == "" {
		key = db + ".key"
	}
	svc, err := openService(db, key, true)
	if err != nil {
		return err
	}
	defer svc.Close()
	reg := register.Register{Items: evidence.Reader(svc.Custody), Custody: svc.Custody, Finance: svc.Finance}
	var rows []register.Row
	var day time.Time
	err = svc.Store.View(func(tx *ledger.Tx) error {
		if day, err = register.CheckDate("--as-of", asOf, tx.Now); err != nil {
			return err
		}
		rows, _, err = reg.Rows(tx, day, 0, 0)
		return err
	})
	if err != nil {
		return err
	}
	if xlsx == "" {
		w := bufio.NewWriterSize(cmd.OutOrStdout(), 1<<16)
		if err := register.WriteCSV(w, rows); err != nil {
			return err
		}
		return w.Flush()
	}
	return writeFileAtomic(xlsx, func(w io.Writer) error { return register.WriteXLSX(w, rows, finance.FormatDate(day)) })
}

// writeFileAtomic writes path through fn by way of a temporary file in the
// same directory, renamed into place only when fn and the close succeed.
func writeFileAtomic(path string, fn func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".amanat-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := fn(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
