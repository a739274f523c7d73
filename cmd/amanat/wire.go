package main

import (
	"log/slog"

	"github.com/amanat-ledger/amanat/chain/alerts"
	"github.com/amanat-ledger/amanat/chain/service"
	"github.com/amanat-ledger/amanat/httpapi"
)

// openService opens an existing store with every service that keeps
// buckets in it (package service). Read-only opens create nothing, not even
// a key; a missing store is refused (see openStore).
func openService(db, keyPath string, readOnly bool) (*service.Service, error) {
	if err := storeExists(db); err != nil {
		return nil, err
	}
	return service.Open(db, service.Options{Key: keyPath, ReadOnly: readOnly})
}

// createService is openService for the commands that make a store when it
// is missing (serve and init); it opens the store for writing.
func createService(db, keyPath string) (*service.Service, error) {
	return createServiceWith(db, keyPath, alerts.Limits{})
}

// createServiceWith is createService holding alerts and valuations to
// limits (serve's flags; zero fields take their defaults).
func createServiceWith(db, keyPath string, limits alerts.Limits) (*service.Service, error) {
	if err := storePath(db); err != nil {
		return nil, err
	}
	return service.Open(db, service.Options{Key: keyPath, Limits: limits})
}

// newServer is the API over svc.
func newServer(svc *service.Service, log *slog.Logger) (*httpapi.Server, error) {
	return httpapi.New(httpapi.Config{Service: svc, Logger: log})
}
