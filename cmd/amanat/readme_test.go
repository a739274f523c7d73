package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// readmeCLITable is the first cell of each row of the README's CLI table,
// without its backquotes: "amanat export --db FILE [--format ...]".
func readmeCLITable(t *testing.T) []string {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## CLI\n")
	if !ok {
		t.Fatal("README.md has no ## CLI section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var rows []string
	for _, line := range strings.Split(section, "\n") {
		if !strings.HasPrefix(line, "| `amanat") {
			continue
		}
		cell, _, _ := strings.Cut(strings.TrimPrefix(line, "| "), " | ")
		rows = append(rows, strings.ReplaceAll(strings.Trim(cell, "`"), `\|`, "|"))
	}
	if len(rows) == 0 {
		t.Fatal("README.md's CLI section has no table rows")
	}
	return rows
}

// TestREADMECLITableCoversEveryCommandAndFlag walks the real command tree:
// every command that runs has a row of the README's CLI table starting with
// its full name, and every flag it takes is spelled in that row; every row
// names a command that exists. The table had drifted (no export --format
// balances, no custody check --key-file, no rates import flags).
func TestREADMECLITableCoversEveryCommandAndFlag(t *testing.T) {
	rows := readmeCLITable(t)
	rowOf := func(path string) (string, bool) {
		for _, r := range rows {
			if r == path || strings.HasPrefix(r, path+" ") {
				return r, true
			}
		}
		return "", false
	}
	paths := map[string]bool{}
	walk(rootCmd, func(c *cobra.Command) {
		if !c.Runnable() || c.Hidden {
			return
		}
		path := c.CommandPath()
		paths[path] = true
		row, ok := rowOf(path)
		if !ok {
			t.Errorf("README's CLI table has no row for %s", path)
			return
		}
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if f.Hidden || f.Name == "help" {
				return
			}
			if !regexp.MustCompile(`(^|[\s\[|])--` + regexp.QuoteMeta(f.Name) + `([\s\]|=]|$)`).MatchString(row) {
				t.Errorf("README's row for %s does not mention --%s: %s", path, f.Name, row)
			}
		})
	})
	for _, r := range rows {
		name := []string{}
		for _, w := range strings.Fields(r) {
			if strings.HasPrefix(w, "-") || strings.HasPrefix(w, "[") || strings.ToUpper(w) == w {
				break
			}
			name = append(name, w)
		}
		if !paths[strings.Join(name, " ")] {
			t.Errorf("README's CLI table has a row for %q, which is not a command", strings.Join(name, " "))
		}
	}
}
