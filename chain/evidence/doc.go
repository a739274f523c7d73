// Package evidence owns the evidence register: cases, seized items and
// seals, and what each event in an item's custody does. Registering a
// seizure writes the items, the ledger transaction that puts each holding
// into custody and each item's first custody entry; recording a later
// custody event appends its entry, posts the release of an event that ends
// custody and claims a new seal, in the same write (custody.go). It builds
// every ledger account name of a case and an item (accounts.go), and
// adapts the register and the custody log to what finance needs of them
// (finance.go).
//
// Its records live in the store's evidence buckets (ledger.EvidenceCases,
// ...), written only inside a ledger.Tx, so an event commits with its
// postings and custody entries or not at all. It knows nothing of HTTP.
package evidence
