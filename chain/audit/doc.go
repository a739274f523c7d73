// Package audit is the store's audit log of reads and writes: one record
// per request the API answered (who, when, what path and query, from where,
// with what status), kept in a Merkle tree of its own beside the custody log
// and signed with the custody log's key under the origin "<origin>/audit".
// Reading never changes the custody log, its checkpoints or a court bundle;
// verification recomputes this tree from the stored records.
package audit
