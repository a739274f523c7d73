package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/amanat-ledger/amanat/chain/access"
)

func init() {
	var db, role, name string
	var ttl time.Duration
	tokenCmd := &cobra.Command{Use: "token", Short: "Manage API tokens"}
	create := &cobra.Command{
		Use:   "create --db FILE --role ROLE --name NAME [--ttl D]",
		Short: "Print a new API token once; only its hash is stored",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := access.CheckRole(role); err != nil {
				return err
			}
			if err := access.CheckTTL(ttl); err != nil || ttl == 0 {
				return fmt.Errorf("--ttl %s: must be between 1 second and %d days", ttl, access.MaxTokenTTL/(24*time.Hour))
			}
			store, err := openStore(db, false)
			if err != nil {
				return err
			}
			defer store.Close()
			token, _, err := access.IssueToken(store, access.TokenRequest{Role: role, Name: name, TTL: ttl}, "cli")
			if err != nil {
				return fmt.Errorf("create token: %w", err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), token)
			return nil
		},
	}
	create.Flags().StringVar(&db, "db", "", "store file")
	create.Flags().StringVar(&role, "role", "", "custodian, finance, investigator, auditor or admin")
	create.Flags().StringVar(&name, "name", "", "who holds the token (recorded with every write)")
	create.Flags().DurationVar(&ttl, "ttl", access.DefaultTokenTTL, "how long the token lives (at most 366 days)")
	for _, f := range []string{"db", "role", "name"} {
		_ = create.MarkFlagRequired(f) // only fails for a flag that does not exist
	}
	tokenCmd.AddCommand(create)
	rootCmd.AddCommand(tokenCmd)
}
