// Package crosscheck runs the real hledger and ledger programs over an
// exported journal and reads back their balance reports, so that tests and
// CI can prove the tools agree exactly with Amanat's own balances.
package crosscheck
