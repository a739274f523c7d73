// Package chain owns the chain of custody of seized items: custody entries
// and their per-item state machine, court bundles and their offline check,
// and the verifier that replays every item's entries from the store. The
// entries are leaves of the store's Merkle log (package chain/log), which
// chain uses for everything log-like: leaves, signed checkpoints, the key
// and witness files, proofs, and the records of other packages that the log
// covers. docs/custody.md explains the rules; docs/custody-format.md the
// bytes.
package chain
