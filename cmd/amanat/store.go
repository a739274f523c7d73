package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/amanat-ledger/amanat/ledger"
)

// openStore opens an existing store for a command. A command that only reads
// opens it read-only. A missing file is refused, never created: a typo in
// --db must not start a second, empty set of books beside the real one. Only
// `amanat init` and `amanat serve` create a store (createService).
func openStore(path string, readOnly bool) (*ledger.Store, error) {
	if err := storeExists(path); err != nil {
		return nil, err
	}
	return ledger.Open(path, ledger.Options{ReadOnly: readOnly})
}

// storePath says why path cannot name a store to create.
func storePath(path string) error {
	if path == "" {
		return fmt.Errorf("--db is required")
	}
	return nil
}

// storeExists says why path is not a store file a command may open.
func storeExists(path string) error {
	if err := storePath(path); err != nil {
		return err
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("no store at %s: create one with `amanat init --db %s` (or `amanat serve --db %s`), or check the path", path, path, path)
	case err != nil:
		return fmt.Errorf("store %s: %w", path, err)
	case fi.IsDir():
		return fmt.Errorf("store %s is a directory, not a store file", path)
	}
	return nil
}
