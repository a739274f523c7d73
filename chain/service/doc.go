// Package service wires one Amanat store into the service every front end
// uses: the books (ledger), the custody log that notarises them (chain),
// the evidence register, the finance desk and the API tokens, opened once
// per process by Open and closed by Close. The CLI, the HTTP server, the
// demo loader and the tests all open a store through it, so that each
// sees the same wiring and none wires its own.
//
// It lives beneath chain because the custody log is what the wiring is
// built around: the log must be installed as the store's notary before any
// write, and the register and finance are built on it. It imports every
// domain package and access; no domain package imports it, and it knows
// nothing of HTTP.
package service
