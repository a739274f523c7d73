package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/audit"
	"github.com/amanat-ledger/amanat/chain/service"
	"github.com/amanat-ledger/amanat/fixtures"
	"github.com/amanat-ledger/amanat/ledger"
)

// demoTokenBy is the created_by of the tokens the demo prints; a store that
// holds live ones has had the demo loaded.
const demoTokenBy = "demo"

// loadDemo loads the Operation Grey demo (package fixtures) into a store
// without seizures, through the API in-process, then gives each demo user
// (fixtures.DemoUsers) a new token and password, prints them once, and
// prints three commands to try.
//
// On a store that already holds seizures it loads nothing and mints no
// tokens: tokens are stored only as hashes, so the first run's cannot be
// shown again, and minting more on every restart would leave a heap of live
// credentials with the same names. It says so instead, and how to get a
// token or start over.
func loadDemo(ctx context.Context, a *service.Service, out io.Writer, db, base string) error {
	if ctx == nil {
		ctx = context.Background()
	}
	// The loader's own requests are not worth an access log line each.
	srv, err := newServer(a, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	sum, err := fixtures.Load(ctx, srv, a.Store)
	if err != nil {
		return fmt.Errorf("load the demo data: %w", err)
	}
	if !sum.Loaded {
		loaded, err := demoTokensExist(a)
		if err != nil {
			return err
		}
		if loaded {
			fmt.Fprintf(out, "demo: Operation Grey is already loaded in %s; nothing new was loaded and no new tokens were made.\n", db)
			fmt.Fprintln(out, "demo: its tokens were printed when it was first loaded and cannot be shown again (only their hashes are stored).")
		} else {
			fmt.Fprintf(out, "demo: not loaded: %s; no tokens were made.\n", sum.Reason)
		}
		fmt.Fprintf(out, "demo: for a new token, stop the server and run: amanat token create --db %s --role ROLE --name NAME\n", db)
		witness := chain.WitnessPath(a.KeyPath)
		fmt.Fprintf(out, "demo: to start over, stop the server, delete %s, %s, %s.pub, %s and %s, and serve --demo again\n", db, a.KeyPath, a.KeyPath, witness, audit.WitnessPath(witness))
		fmt.Fprintf(out, "export AMANAT=%s\n", base)
		return nil
	}
	fmt.Fprintf(out, "demo: Operation Grey loaded: %d cases, %d items, %d rates, %d custody events, %d conversion, %d reconciliations (%d API calls)\n",
		sum.Cases, sum.Items, sum.Rates, sum.CustodyEvents, sum.Conversions, sum.Reconciliations, sum.Requests)

	if err := printDemoUsers(ctx, a, out, base); err != nil {
		return err
	}

	item := sum.Saved["nhq_btc_taproot"] // the organiser's bitcoin: the longest custody story
	if item == "" {
		item = "1"
	}
	fmt.Fprintln(out, "demo: try")
	for _, c := range []struct{ role, path, what string }{
		{access.RoleFinance, "/v1/valuation?as_of=2025-06-08&group_by=circle", "what each circle held on 8 June 2025, in PKR"},
		{access.RoleInvestigator, "/v1/items/" + item + "/custody", "the chain of custody of the organiser's bitcoin"},
		{access.RoleAuditor, "/v1/verify", "check the books and the custody log"},
	} {
		fmt.Fprintf(out, "  # %s\n  curl -sS --fail-with-body -H \"Authorization: Bearer $%s\" \"$AMANAT%s\"\n", c.what, tokenVar(c.role), c.path)
	}
	return nil
}

// demoTokensExist says whether the store holds a live token the demo printed.
func demoTokensExist(svc *service.Service) (bool, error) {
	found := false
	err := svc.Store.View(func(tx *ledger.Tx) error {
		recs, err := svc.Tokens.List(tx)
		for _, r := range recs {
			if r.CreatedBy == demoTokenBy && r.Revoked == nil && strings.HasPrefix(r.Name, "demo-") {
				found = true
			}
		}
		return err
	})
	if err != nil {
		return false, fmt.Errorf("read the store's tokens: %w", err)
	}
	return found, nil
}

// printDemoUsers gives every demo user a new random console password and a
// new API token, and prints both once as shell lines: the role variables
// (CUSTODIAN_TOKEN, ...) hold the HQ users' tokens, then each user has
// <LOGIN>_TOKEN and <LOGIN>_PASSWORD (docs/demo.md fixes the format).
func printDemoUsers(ctx context.Context, a *service.Service, out io.Writer, base string) error {
	demo := fixtures.DemoUsers()
	passwords := make([]string, len(demo))
	for i, d := range demo {
		pw, err := demoPassword()
		if err != nil {
			return err
		}
		if err := a.Users.SetPassword(ctx, d.Login, pw); err != nil {
			return fmt.Errorf("demo password of %s: %w", d.Login, err)
		}
		passwords[i] = pw
	}
	tokens := make([]string, len(demo))
	err := a.Store.Write(ctx, func(tx *ledger.Tx) error {
		for i, d := range demo {
			tok, _, err := a.Tokens.Issue(tx, access.TokenRequest{User: d.Login, Name: "demo-" + d.Login}, demoTokenBy)
			if err != nil {
				return fmt.Errorf("demo token of %s: %w", d.Login, err)
			}
			tokens[i] = tok
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "demo: users, each with a new API token and console password, shown once (only their hashes are stored); paste these lines into the shell you run the examples from:")
	fmt.Fprintf(out, "export AMANAT=%s\n", base)
	for _, role := range access.Roles {
		for i, d := range demo {
			if d.Login == fixtures.HQUser(role) {
				fmt.Fprintf(out, "export %s=%s\n", tokenVar(role), tokens[i])
			}
		}
	}
	for i, d := range demo {
		fmt.Fprintf(out, "export %s_TOKEN=%s\n", loginVar(d.Login), tokens[i])
		fmt.Fprintf(out, "export %s_PASSWORD=%s\n", loginVar(d.Login), passwords[i])
	}
	return nil
}

// demoPassword is a random password of 20 URL-safe characters (120 bits),
// which a shell takes unquoted.
func demoPassword() (string, error) {
	for {
		var raw [15]byte
		if _, err := rand.Read(raw[:]); err != nil {
			return "", fmt.Errorf("demo password: %w", err)
		}
		if pw := base64.RawURLEncoding.EncodeToString(raw[:]); access.CheckPassword(pw) == "" {
			return pw, nil
		}
	}
}

// loginVar is a login as the prefix of its shell variables: upper-cased,
// with '-' as '_' (LAHORE_CUSTODIAN).
func loginVar(login string) string { return strings.ToUpper(strings.ReplaceAll(login, "-", "_")) }

// tokenVar is the shell variable the demo and the README use for a role's
// token: CUSTODIAN_TOKEN, FINANCE_TOKEN, ...
func tokenVar(role string) string { return strings.ToUpper(role) + "_TOKEN" }
