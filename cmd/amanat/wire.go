package main

import (
	"log/slog"

	"github.com/amanat-ledger/amanat/httpapi"
	"github.com/amanat-ledger/amanat/ledger"
)

// app is every service of one store, wired together once per process.
type app struct {
	store    *ledger.Store
	checkers []httpapi.Checker
}

// openApp opens the store and the services that keep buckets in it.
func openApp(db, keyPath string, readOnly bool) (*app, error) {
	store, err := openStore(db, readOnly)
	if err != nil {
		return nil, err
	}
	return &app{store: store}, nil
}

func (a *app) server(log *slog.Logger) (*httpapi.Server, error) {
	return httpapi.New(httpapi.Config{Store: a.store, Logger: log, Checkers: a.checkers})
}

func (a *app) Close() error { return a.store.Close() }

// allCheckers is the ledger's checker followed by every other part's.
func (a *app) allCheckers() []httpapi.Checker {
	return append([]httpapi.Checker{httpapi.LedgerChecker}, a.checkers...)
}
