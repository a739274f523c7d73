// Package alerts computes the open alerts of a store as of now: items in
// transit, not deposited, checked out or not counted for too long, and held
// currencies whose rate is stale. Nothing is stored: every alert is derived
// from the custody log, the register and the finance desk at the instant of
// the reading transaction (tx.Now, the store's clock), so an alert clears by
// itself once what it asks for is recorded. docs/alerts.md gives the rules.
package alerts
