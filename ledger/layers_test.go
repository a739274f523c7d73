package ledger

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/amanat-ledger/amanat/"

// mayImport is docs/architecture.md's table of who may import whom, among
// the project's own packages (non-test files). A package not listed here
// fails the test until it is placed.
var mayImport = map[string][]string{
	"ledger/money":                  {},
	"ledger/text":                   {},
	"ledger":                        {"ledger/money", "ledger/text"},
	"ledger/finance":                {"ledger", "ledger/money", "ledger/text"},
	"ledger/export":                 {"ledger", "ledger/finance", "ledger/money"},
	"ledger/export/crosscheck":      {},
	"chain/address":                 {},
	"chain/log":                     {"ledger"},
	"chain":                         {"ledger", "ledger/money", "ledger/text", "chain/log", "chain/address"},
	"chain/forge":                   {"chain/log"},
	"chain/access":                  {"ledger", "ledger/text"},
	"chain/evidence":                {"ledger", "ledger/money", "ledger/text", "ledger/finance", "chain", "chain/log", "chain/address"},
	"chain/alerts":                  {"ledger", "ledger/finance", "chain", "chain/evidence"},
	"chain/register":                {"ledger", "ledger/money", "ledger/finance", "chain", "chain/evidence"},
	"chain/service":                 {"ledger", "ledger/finance", "chain", "chain/log", "chain/access", "chain/evidence", "chain/alerts"},
	"httpapi":                       {"ledger", "ledger/money", "ledger/text", "ledger/finance", "chain", "chain/address", "chain/access", "chain/evidence", "chain/alerts", "chain/register", "chain/service", "web"},
	"web":                           {},
	"fixtures":                      {"ledger", "chain/access", "chain/service", "httpapi"},
	"fixtures/internal/gen":         {},
	"fixtures/internal/gen/genaddr": {"fixtures/internal/gen"},
	"cmd/amanat":                    {"*"},
}

// TestLayers holds every package's imports to the table: the arrows point
// inward (cmd → httpapi → chain → ledger), nothing imports cmd, and only the
// store (package ledger) imports bbolt.
func TestLayers(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	pkgs := map[string]map[string]bool{}
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		rel = filepath.ToSlash(rel)
		if pkgs[rel] == nil {
			pkgs[rel] = map[string]bool{}
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			pkgs[rel][p] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for p := range pkgs {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, p := range names {
		allowed, ok := mayImport[p]
		if !ok {
			t.Errorf("package %s is not in the layer table (ledger/layers_test.go, docs/architecture.md)", p)
			continue
		}
		for imp := range pkgs[p] {
			if strings.HasPrefix(imp, "go.etcd.io/bbolt") && p != "ledger" {
				t.Errorf("%s imports %s: only the store (package ledger) touches bbolt", p, imp)
			}
			own, isOwn := strings.CutPrefix(imp, module)
			if !isOwn || len(allowed) == 1 && allowed[0] == "*" {
				continue
			}
			if !contains(allowed, own) {
				t.Errorf("%s imports %s, which the layer table does not allow", p, own)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
