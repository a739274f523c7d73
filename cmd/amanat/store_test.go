package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// runRoot runs the real amanat command tree with args, after putting every
// flag back to its default (cobra keeps flag values between Execute calls).
func runRoot(t *testing.T, args ...string) (string, error) {
	t.Helper()
	resetFlags(rootCmd)
	return runCmd(t, rootCmd, args...)
}

func resetFlags(cmd *cobra.Command) {
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			// Set would append to the last run's list.
			_ = sv.Replace(nil)
			f.Changed = false
			return
		}
		_ = f.Value.Set(f.DefValue) // the default was accepted when the flag was made
		f.Changed = false
	})
	for _, c := range cmd.Commands() {
		resetFlags(c)
	}
}

// walk calls fn for cmd and every command below it, skipping the commands
// cobra adds by itself (help, completion).
func walk(cmd *cobra.Command, fn func(*cobra.Command)) {
	fn(cmd)
	for _, c := range cmd.Commands() {
		if c.Name() == "help" || c.Name() == "completion" {
			continue
		}
		walk(c, fn)
	}
}

// TestCommandsRefuseAMissingStore runs every command that takes --db, except
// serve and init (which create a store), against a file that does not exist:
// each must fail, name the file and say how to make a store, and create
// nothing (before, `token create --db typo.db` silently made a new store).
func TestCommandsRefuseAMissingStore(t *testing.T) {
	sheet := filepath.Join(t.TempDir(), "rates.csv")
	if err := os.WriteFile(sheet, []byte("currency,rate,effective,source\nUSD,278.65,2025-06-02,sbp-interbank\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The arguments each command needs besides --db, so that only the
	// missing store can be what it refuses.
	rest := map[string][]string{
		"amanat audit export":        nil,
		"amanat backup":              {"--out", "OUT"},
		"amanat custody checkpoint":  nil,
		"amanat custody consistency": {"--old", "1"},
		"amanat custody export":      {"--item", "1"},
		"amanat custody proof":       {"--seq", "1"},
		"amanat export":              {"--format", "journal"},
		"amanat rates import":        {sheet},
		"amanat token create":        {"--role", "admin", "--name", "asma"},
		"amanat user create":         {"--role", "admin", "--name", "asma"},
		"amanat user list":           nil,
		"amanat user disable":        {"--name", "asma"},
		"amanat user passwd":         {"--name", "asma"},
		"amanat verify":              nil,
	}
	var withDB []string
	walk(rootCmd, func(c *cobra.Command) {
		if c.Flags().Lookup("db") != nil && c.Name() != "serve" && c.Name() != "init" {
			withDB = append(withDB, c.CommandPath())
		}
	})
	for _, path := range withDB {
		if _, ok := rest[path]; !ok {
			t.Errorf("%s takes --db: add it to this test", path)
		}
	}
	for path, extra := range rest {
		if !slices.Contains(withDB, path) {
			t.Errorf("%s no longer takes --db", path)
			continue
		}
		t.Run(path, func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, "typo.db")
			args := append(strings.Fields(strings.TrimPrefix(path, "amanat ")), "--db", db)
			for _, a := range extra {
				args = append(args, strings.ReplaceAll(a, "OUT", filepath.Join(dir, "backup.db")))
			}
			out, err := runRoot(t, args...)
			if err == nil {
				t.Fatalf("%s ran against a missing store:\n%s", path, out)
			}
			if msg := err.Error(); !strings.Contains(msg, "no store at "+db) || !strings.Contains(msg, "amanat init --db "+db) {
				t.Errorf("the error does not name the file and how to create it: %v", err)
			}
			left, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range left {
				t.Errorf("%s created %s", path, f.Name())
			}
		})
	}
}

// TestInitCreatesAStoreOthersOpen: init makes the store and its key, says
// where, refuses to run twice, and the other commands then accept the store.
func TestInitCreatesAStoreOthersOpen(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "books.db")
	out, err := runRoot(t, "init", "--db", db)
	if err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	for _, want := range []string{"created store " + db, "signing key " + db + ".key", db + ".key.pub", db + ".checkpoint", db + ".audit.checkpoint"} {
		if !strings.Contains(out, want) {
			t.Errorf("init does not say %q:\n%s", want, out)
		}
	}
	for _, f := range []string{db, db + ".key", db + ".key.pub"} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("init made no %s: %v", f, err)
		}
	}
	before, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runRoot(t, "init", "--db", db); err == nil || !strings.Contains(err.Error(), db+" already exists") {
		t.Fatalf("a second init: %v", err)
	}
	if after, _ := os.ReadFile(db); string(after) != string(before) {
		t.Fatal("a refused init changed the store")
	}
	if out, err := runRoot(t, "token", "create", "--db", db, "--role", "admin", "--name", "asma"); err != nil || !strings.HasPrefix(out, "amt_") {
		t.Fatalf("token create on an initialised store: %v\n%s", err, out)
	}
	if out, err := runRoot(t, "verify", "--db", db); err != nil || !strings.Contains(out, "verified: all invariants hold") {
		t.Fatalf("verify of an initialised store: %v\n%s", err, out)
	}
}
