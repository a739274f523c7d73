// Package ledger is Amanat's double-entry book of seized holdings: exact
// amounts (package money), transactions that balance per currency, current and
// as-of balances, idempotent writes, group commit, and the checker that proves
// the stored books consistent. It also owns the store itself: the schema of
// every bbolt bucket in the file (schema.go), the only access to them
// (bucket.go), the versioned format of stored records (codec.go) and the
// runner of the store's self-check (check.go). It is stored in bbolt and
// knows nothing of HTTP.
package ledger
