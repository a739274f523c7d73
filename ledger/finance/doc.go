// Package finance owns what finance staff do with the books: PKR rates and
// their history, valuation of the holdings on any date, conversions
// (liquidations) through a conversion account, and reconciliation of the
// books against physical counts and on-chain balances. It works inside
// ledger transactions and keeps its own records in the schema's finance.*
// buckets of the same store; it knows nothing of HTTP.
package finance
