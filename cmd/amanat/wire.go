package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/chain/evidence"
	"github.com/amanat-ledger/amanat/httpapi"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/finance"
)

// app is every service of one store, wired together once per process.
type app struct {
	store    *ledger.Store
	keyPath  string // the custody signing key's file
	custody  *chain.Custody
	evidence *evidence.Registry // nil when read-only
	finance  *finance.Service
	checkers []httpapi.Checker // run after the ledger's own checker
}

// openApp opens an existing store and the services that keep buckets in it.
// The custody log is opened first because it must see every ledger write (it
// is the ledger's notary). Read-only opens create nothing, not even a key; a
// missing store is refused (see openStore).
func openApp(db, keyPath string, readOnly bool) (*app, error) {
	store, err := openStore(db, readOnly)
	if err != nil {
		return nil, err
	}
	return wireApp(store, keyPath, readOnly)
}

// createApp is openApp for the commands that make a store when it is missing
// (serve and init); it opens the store for writing.
func createApp(db, keyPath string) (*app, error) {
	store, err := createStore(db)
	if err != nil {
		return nil, err
	}
	return wireApp(store, keyPath, false)
}

// wireApp wires the services onto an open store; on failure it closes the
// store.
func wireApp(store *ledger.Store, keyPath string, readOnly bool) (a *app, err error) {
	a = &app{store: store, keyPath: keyPath}
	defer func() {
		if err != nil {
			store.Close()
		}
	}()
	if readOnly {
		a.custody, err = chain.Open(store, keyPath)
	} else {
		a.custody, err = chain.New(store, keyPath)
	}
	if err != nil {
		return nil, fmt.Errorf("open custody log: %w", err)
	}
	custody := a.custody
	a.checkers = []httpapi.Checker{{Name: "custody", Run: func(tx *ledger.Tx) (any, error) { return custody.Verify(tx) }}}
	if readOnly {
		a.finance = finance.New(finance.Config{Custody: evidence.FinanceCustody(custody)})
		return a, nil
	}
	if a.evidence, err = evidence.New(context.Background(), store, custody); err != nil {
		return nil, err
	}
	a.finance = finance.New(finance.Config{Items: evidence.FinanceItems(a.evidence, custody), Custody: evidence.FinanceCustody(custody), Records: custody})
	a.evidence.Value = evidence.FinanceValue(a.finance)
	return a, nil
}

func (a *app) server(log *slog.Logger) (*httpapi.Server, error) {
	return httpapi.New(httpapi.Config{
		Store:    a.store,
		Logger:   log,
		Checkers: a.checkers,
		Evidence: a.evidence,
		Finance:  a.finance,
		Custody:  a.custody,
	})
}

// allCheckers is the ledger's checker followed by every other part's.
func (a *app) allCheckers() []httpapi.Checker {
	return append([]httpapi.Checker{httpapi.LedgerChecker}, a.checkers...)
}

// Close signs a last checkpoint (custody), then closes the store.
func (a *app) Close() error {
	var errs []error
	if a.custody != nil {
		if err := a.custody.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close custody log: %w", err))
		}
	}
	if err := a.store.Close(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
