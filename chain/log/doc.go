// Package log is the Merkle log of a store: an append-only RFC 6962 tree
// (golang.org/x/mod/sumdb/tlog) whose leaves are the stored bytes of custody
// entries, ledger transactions and other packages' records, with signed
// checkpoints (C2SP tlog-checkpoint bodies as signed notes), the Ed25519 key
// file, the rollback witness file, and inclusion and consistency proofs.
//
// Like tlog it knows only hashes and where a leaf's bytes live: a leaf is a
// kind byte and an id. It does not know what a custody entry means; package
// chain, which owns custody, supplies the entries' bytes when the log is
// verified. The log's hashes, leaves and indexes are buckets of the ledger's
// schema, read and written through ledger.Tx.
//
// Beside the log it keeps the head commitment (heads.go): a second RFC 6962
// tree over every item's latest custody entry and ledger transaction, whose
// root and the time of signing every checkpoint carries as extension lines,
// so that a court bundle can prove it is complete.
package log
