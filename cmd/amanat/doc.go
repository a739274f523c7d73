// Command amanat runs and administers the Amanat ledger of seized assets: the
// API server, the store checker, tokens, exports and backups. Each command
// opens its store through package service (wire.go), or, when it needs
// only the books (export, backup, token create), the bare store; it holds
// flags, output and signals, and no domain rule.
package main
