package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func init() {
	var db, keyPath string
	cmd := &cobra.Command{
		Use:   "verify --db FILE [--key FILE]",
		Short: "Check every ledger invariant, the whole custody log and the audit log",
		Long: "verify proves from the stored records alone that every transaction balances per currency,\n" +
			"every balance and history entry equals the sum of its postings, and the custody log and its\n" +
			"signed checkpoint hold, and so do the audit log of the API's requests and its own signed checkpoint.\n" +
			"Exit 0 when all holds; exit 1 naming the first bad record.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if keyPath == "" {
				keyPath = db + ".key"
			}
			a, err := openService(db, keyPath, true)
			if err != nil {
				return err
			}
			defer a.Close()
			parts, ok := a.RunChecks()
			out := cmd.OutOrStdout()
			for _, p := range parts {
				if p.OK {
					fmt.Fprintf(out, "ok    %s: %v\n", p.Name, p.Summary)
				} else {
					fmt.Fprintf(out, "FAIL  %s: %s\n", p.Name, p.Error)
				}
			}
			if !ok {
				return exitError{1}
			}
			fmt.Fprintln(out, "verified: all invariants hold")
			return nil
		},
	}
	cmd.Flags().StringVar(&db, "db", "", "store file")
	cmd.Flags().StringVar(&keyPath, "key", "", "custody log signing key (default: the store file plus .key)")
	_ = cmd.MarkFlagRequired("db") // only fails for a flag that does not exist
	rootCmd.AddCommand(cmd)
}
