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
func loadDemo(ctx context.Context, a *app, out io.Writer) error {
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

	fmt.Fprintln(out, "demo: new API tokens, one per role (shown once; only their hashes are stored):")
	tokens := map[string]string{}
	for _, role := range httpapi.Roles {
		token, err := httpapi.CreateToken(a.store, role, "demo-"+role, "demo")
		if err != nil {
			return fmt.Errorf("demo token for %s: %w", role, err)
		}
		tokens[role] = token
		fmt.Fprintf(out, "%-13s %s\n", role, token)
	}

	base := "http://" + serveAddr()
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
		fmt.Fprintf(out, "  # %s\n  curl -s -H 'Authorization: Bearer %s' '%s%s'\n", c.what, tokens[c.role], base, c.path)
	}
	return nil
}

// serveAddr is the address `amanat serve` was told to listen on, for the
// example commands (the demo loads before the listener opens).
func serveAddr() string {
	addr := "127.0.0.1:8080"
	for _, c := range rootCmd.Commands() {
		if c.Name() == "serve" {
			if f := c.Flags().Lookup("addr"); f != nil && f.Value.String() != "" {
				addr = f.Value.String()
			}
		}
	}
	if strings.HasPrefix(addr, ":") {
		addr = "127.0.0.1" + addr
	}
	return addr
}
