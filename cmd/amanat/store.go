package main

import (
	"fmt"
	"os"

	"github.com/amanat-ledger/amanat/ledger"
)

// openStore opens the store for a command. A command that only reads opens it
// read-only, so it can run beside nothing but never creates a file by mistake.
func openStore(path string, readOnly bool) (*ledger.Store, error) {
	if path == "" {
		return nil, fmt.Errorf("--db is required")
	}
	if readOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("no store at %s: %w", path, err)
		}
	}
	return ledger.Open(path, ledger.Options{ReadOnly: readOnly})
}
