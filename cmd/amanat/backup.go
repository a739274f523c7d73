package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/amanat-ledger/amanat/ledger"
)

func init() {
	var db, out string
	cmd := &cobra.Command{
		Use:   "backup --db FILE --out FILE",
		Short: "Write a consistent copy of a store that no server has open",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return fmt.Errorf("--out is required")
			}
			store, err := openStore(db, true)
			if err != nil {
				return err
			}
			defer store.Close()
			if err := writeBackup(store, out); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "backup written to %s\n", out)
			return nil
		},
	}
	cmd.Flags().StringVar(&db, "db", "", "store file")
	cmd.Flags().StringVar(&out, "out", "", "backup file to create")
	rootCmd.AddCommand(cmd)
}

// writeBackup copies one snapshot of store to out through a temporary file,
// synced and renamed into place, so a crash never leaves a half backup under
// the final name.
func writeBackup(store *ledger.Store, out string) error {
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("%s exists; choose a new file", out)
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), ".amanat-backup-*")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer os.Remove(tmp.Name())
	err = store.View(func(tx *ledger.Tx) error {
		_, err := tx.WriteTo(tmp)
		return err
	})
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o600)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), out)
	}
	if err != nil {
		return fmt.Errorf("backup to %s: %w", out, err)
	}
	return nil
}
