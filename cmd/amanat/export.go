package main

import (
	"bufio"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/export"
	"github.com/amanat-ledger/amanat/ledger/finance"
)

func init() { rootCmd.AddCommand(newExportCmd()) }

// newExportCmd builds `amanat export` (a fresh one per test).
func newExportCmd() *cobra.Command {
	var db, format, asOf string
	cmd := &cobra.Command{
		Use:   "export --db FILE --format journal|csv|balances [--as-of DATE]",
		Short: "Write the ledger to standard output for hledger, ledger or a spreadsheet",
		Long: "export writes the books to standard output.\n\n" +
			"  journal   the plain-text format of hledger and ledger: commodity declarations with each\n" +
			"            currency's scale, account declarations, P directives for the stored rates and\n" +
			"            every transaction; `hledger -f FILE bal` and `ledger -f FILE bal` agree exactly\n" +
			"            with Amanat's balances\n" +
			"  csv       one row per posting, with a header row\n" +
			"  balances  Amanat's own non-zero balances, account TAB currency TAB amount, to check the\n" +
			"            journal against\n\n" +
			"--as-of DATE limits the export to what took effect by the end of that date (UTC).\n" +
			"The store must not be open in a running server (use GET /v1/backup and export the copy).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var opt export.Options
			if asOf != "" {
				d, err := finance.ParseDate(asOf)
				if err != nil {
					return fmt.Errorf("--as-of: %w", err)
				}
				opt.AsOf = d
			}
			if format != "journal" && format != "csv" && format != "balances" {
				return fmt.Errorf("--format %q: use journal, csv or balances", format)
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
	cmd.Flags().StringVar(&format, "format", "journal", "journal, csv or balances")
	cmd.Flags().StringVar(&asOf, "as-of", "", "export what took effect by the end of this date (YYYY-MM-DD, UTC)")
	_ = cmd.MarkFlagRequired("db")
	return cmd
}
