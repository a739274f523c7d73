package main

import (
	"bufio"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/amanat-ledger/amanat/chain/audit"
	"github.com/amanat-ledger/amanat/ledger"
)

func init() {
	parent := &cobra.Command{Use: "audit", Short: "The audit log of the API's reads and writes"}
	parent.AddCommand(newAuditExportCmd())
	rootCmd.AddCommand(parent)
}

// newAuditExportCmd builds `amanat audit export` (a fresh one per test).
func newAuditExportCmd() *cobra.Command {
	var db, from, to, format string
	cmd := &cobra.Command{
		Use:   "export --db FILE [--from DATE] [--to DATE] [--format csv|jsonl]",
		Short: "Write the audit log of a store no server has open to standard output",
		Long: "audit export writes every recorded request, in record order: CSV (the default, a header\n" +
			"row first, cells a spreadsheet would run as formulas prefixed with an apostrophe) or JSON\n" +
			"lines (one record a line, as stored). --from and --to bound the records by when they were\n" +
			"recorded: a date (YYYY-MM-DD) is a whole UTC day, an RFC 3339 instant is exact (--to\n" +
			"exclusive). `amanat verify` checks the audit log's tree and signed checkpoint.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "csv" && format != "jsonl" {
				return fmt.Errorf("--format %q: use csv or jsonl", format)
			}
			start, err := audit.ParseBound(from, false)
			if err != nil {
				return fmt.Errorf("--from: %w", err)
			}
			end, err := audit.ParseBound(to, true)
			if err != nil {
				return fmt.Errorf("--to: %w", err)
			}
			store, err := openStore(db, true)
			if err != nil {
				return err
			}
			defer store.Close()
			w := bufio.NewWriterSize(cmd.OutOrStdout(), 1<<16)
			write := func(r audit.Record) error { return audit.WriteJSONL(w, r) }
			var cw *audit.CSVWriter
			if format == "csv" {
				if cw, err = audit.NewCSVWriter(w); err != nil {
					return err
				}
				write = cw.Write
			}
			if err := store.View(func(tx *ledger.Tx) error { return audit.Each(tx, start, end, write) }); err != nil {
				return fmt.Errorf("audit export: %w", err)
			}
			if cw != nil {
				if err := cw.Flush(); err != nil {
					return err
				}
			}
			return w.Flush()
		},
	}
	cmd.Flags().StringVar(&db, "db", "", "store file")
	cmd.Flags().StringVar(&from, "from", "", "records at or after this date or instant")
	cmd.Flags().StringVar(&to, "to", "", "records up to this date (its end) or instant")
	cmd.Flags().StringVar(&format, "format", "csv", "csv or jsonl")
	_ = cmd.MarkFlagRequired("db") // only fails for a flag that does not exist
	return cmd
}
