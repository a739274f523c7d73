package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/amanat-ledger/amanat/fixtures"
	"github.com/amanat-ledger/amanat/httpapi"
)

// loadDemo loads the Operation Grey demo (package fixtures) into a store
// without seizures, through the API in-process, then prints one new token
// per role and three commands to try. On a store that already holds
// seizures it loads nothing and says so; the tokens are printed either way.
func loadDemo(ctx context.Context, a *app, out io.Writer, base string) error {
	if ctx == nil {
		ctx = context.Background()
	}
	// The loader's own requests are not worth an access log line each.
	srv, err := a.server(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	sum, err := fixtures.Load(ctx, srv, a.store)
	if err != nil {
		return fmt.Errorf("load the demo data: %w", err)
	}
	if sum.Loaded {
		fmt.Fprintf(out, "demo: Operation Grey loaded: %d cases, %d items, %d rates, %d custody events, %d conversion, %d reconciliations (%d API calls)\n",
			sum.Cases, sum.Items, sum.Rates, sum.CustodyEvents, sum.Conversions, sum.Reconciliations, sum.Requests)
	} else {
		fmt.Fprintf(out, "demo: not loaded: %s\n", sum.Reason)
	}

	fmt.Fprintln(out, "demo: new API tokens, one per role, shown once (only their hashes are stored); paste these lines into a shell:")
	fmt.Fprintf(out, "export AMANAT=%s\n", base)
	tokens := map[string]string{}
	for _, role := range httpapi.Roles {
		token, err := httpapi.CreateToken(a.store, role, "demo-"+role, "demo")
		if err != nil {
			return fmt.Errorf("demo token for %s: %w", role, err)
		}
		tokens[role] = token
		fmt.Fprintf(out, "export %s=%s\n", tokenVar(role), token)
	}

	item := sum.Saved["nhq_btc_taproot"] // the organiser's bitcoin: the longest custody story
	if item == "" {
		item = "1"
	}
	fmt.Fprintln(out, "demo: try")
	for _, c := range []struct{ role, path, what string }{
		{httpapi.RoleFinance, "/v1/valuation?as_of=2025-06-08&group_by=circle", "what each circle held on 8 June 2025, in PKR"},
		{httpapi.RoleInvestigator, "/v1/items/" + item + "/custody", "the chain of custody of the organiser's bitcoin"},
		{httpapi.RoleAuditor, "/v1/verify", "check the books and the custody log"},
	} {
		fmt.Fprintf(out, "  # %s\n  curl -s -H \"Authorization: Bearer $%s\" \"$AMANAT%s\"\n", c.what, tokenVar(c.role), c.path)
	}
	return nil
}

// tokenVar is the shell variable the demo and the README use for a role's
// token: CUSTODIAN_TOKEN, FINANCE_TOKEN, ...
func tokenVar(role string) string { return strings.ToUpper(role) + "_TOKEN" }
