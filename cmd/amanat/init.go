package main

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/chain/audit"
)

func init() { rootCmd.AddCommand(newInitCmd()) }

// newInitCmd builds `amanat init` (a fresh one per test). It is, with serve,
// the only command that creates a store; every other command refuses a
// missing one so that a mistyped --db never starts a second set of books.
func newInitCmd() *cobra.Command {
	var db, keyPath string
	cmd := &cobra.Command{
		Use:   "init --db FILE [--key FILE]",
		Short: "Create an empty store and its custody signing key, and say where they are",
		Long: "init creates a new, empty store and the Ed25519 key that signs its custody checkpoints\n" +
			"(mode 0600, its public half beside it as KEY.pub). It refuses a store that already exists.\n" +
			"An existing key file is used, not replaced. `amanat serve` also creates a missing store.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if db == "" {
				return fmt.Errorf("--db is required")
			}
			if _, err := os.Stat(db); err == nil {
				return fmt.Errorf("%s already exists; init only creates a new store", db)
			} else if !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("store %s: %w", db, err)
			}
			key := cmp.Or(keyPath, db+".key")
			_, keyErr := os.Stat(key)
			a, err := createService(db, key)
			if err != nil {
				return err
			}
			if err := a.Close(); err != nil {
				return fmt.Errorf("close %s: %w", db, err)
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "created store %s\n", db)
			if keyErr == nil {
				fmt.Fprintf(out, "signing key %s (existing; its public half is in %s.pub)\n", key, key)
			} else {
				fmt.Fprintf(out, "signing key %s (new, mode 0600: keep it secret and apart from backups of the store)\n", key)
				fmt.Fprintf(out, "public key  %s.pub (publish it: court bundles are checked against it)\n", key)
			}
			fmt.Fprintf(out, "checkpoint  %s (written once the log has a signed checkpoint: the latest one, kept outside the store)\n", chain.WitnessPath(key))
			fmt.Fprintf(out, "audit       %s (the audit log's latest signed checkpoint, kept the same way)\n", audit.WitnessPath(chain.WitnessPath(key)))
			return nil
		},
	}
	cmd.Flags().StringVar(&db, "db", "", "store file to create")
	cmd.Flags().StringVar(&keyPath, "key", "", "custody log signing key (default: the store file plus .key)")
	_ = cmd.MarkFlagRequired("db") // only fails for a flag that does not exist
	return cmd
}
