package main

import (
	"context"
	"fmt"
	"io"

	"github.com/amanat-ledger/amanat/httpapi"
)

// loadDemo prints one new token per role. The demo data set itself is loaded
// by package fixtures once it exists.
func loadDemo(_ context.Context, a *app, out io.Writer) error {
	for _, role := range httpapi.Roles {
		token, err := httpapi.CreateToken(a.store, role, "demo-"+role, "demo")
		if err != nil {
			return fmt.Errorf("demo token for %s: %w", role, err)
		}
		fmt.Fprintf(out, "%-13s %s\n", role, token)
	}
	return nil
}
