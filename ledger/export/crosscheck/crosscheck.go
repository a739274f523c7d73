package crosscheck

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os/exec"
	"sort"
	"strconv"
	"strings"
)

// Balances maps "account\tcurrency" to the amount as the tool printed it.
type Balances map[string]string

// Key is the map key of an account's balance in a currency.
func Key(account, currency string) string { return account + "\t" + currency }

func run(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, stderr.String())
	}
	return out, nil
}

// Hledger reads each account's own balance per commodity from hledger's
// balance report (flat list, one row per commodity, CSV). It first runs
// `hledger check -s`, which insists that every account and commodity is
// declared.
func Hledger(journal string) (Balances, error) {
	if _, err := run("hledger", "-f", journal, "check", "-s"); err != nil {
		return nil, err
	}
	out, err := run("hledger", "-f", journal, "balance", "--flat", "--layout=bare", "-O", "csv", "-N")
	if err != nil {
		return nil, err
	}
	rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("hledger csv: %w", err)
	}
	b := Balances{}
	for i, r := range rows {
		if i == 0 {
			continue // header
		}
		if len(r) != 3 {
			return nil, fmt.Errorf("hledger row %d: %q", i, r)
		}
		if isZero(r[2]) {
			continue
		}
		b[Key(r[0], unquote(r[1]))] = r[2]
	}
	return b, nil
}

// Ledger reads each account's own balance per commodity from ledger's
// balance report (`--flat` with a format that prints the account's own
// amount; a multi-commodity amount continues on lines without a tab).
func Ledger(journal string) (Balances, error) {
	out, err := run("ledger", "-f", journal, "--pedantic", "balance", "--flat", "--no-total", "--balance-format", "%(account)\t%(display_amount)\n")
	if err != nil {
		return nil, err
	}
	b := Balances{}
	account := ""
	for n, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		if line == "" {
			continue
		}
		amount := line
		if a, rest, ok := strings.Cut(line, "\t"); ok {
			account, amount = a, rest
		}
		amount = strings.TrimSpace(amount)
		if account == "" {
			return nil, fmt.Errorf("ledger line %d: amount before any account: %q", n+1, line)
		}
		if isZero(amount) {
			continue
		}
		qty, sym, ok := strings.Cut(amount, " ")
		if !ok {
			return nil, fmt.Errorf("ledger line %d: amount without a commodity: %q", n+1, line)
		}
		b[Key(account, unquote(sym))] = qty
	}
	return b, nil
}

func unquote(sym string) string {
	if u, err := strconv.Unquote(sym); err == nil {
		return u
	}
	return sym
}

func isZero(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return true
	}
	if q, _, ok := strings.Cut(s, " "); ok {
		s = q
	}
	return strings.Trim(s, "-0.") == ""
}

// Diff lists, in order, every balance where got differs from want as text:
// the tools must print exactly Amanat's amounts, at each currency's scale.
func Diff(tool string, want, got Balances) []string {
	keys := map[string]bool{}
	for k := range want {
		keys[k] = true
	}
	for k := range got {
		keys[k] = true
	}
	var out []string
	for k := range keys {
		w, g := want[k], got[k]
		if w != g {
			if w == "" {
				w = "(none)"
			}
			if g == "" {
				g = "(none)"
			}
			out = append(out, fmt.Sprintf("%s: Amanat %s, %s %s", strings.ReplaceAll(k, "\t", " "), w, tool, g))
		}
	}
	sort.Strings(out)
	return out
}

// ParseSummary reads Amanat's balance summary (account TAB currency TAB
// amount a line), as `amanat export --format balances` writes it.
func ParseSummary(data []byte) (Balances, error) {
	b := Balances{}
	for n, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			return nil, fmt.Errorf("summary line %d: %q", n+1, line)
		}
		b[Key(f[0], f[1])] = f[2]
	}
	return b, nil
}
