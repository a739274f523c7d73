// Package witness is the C2SP tlog-witness protocol on both sides, for
// custody logs held in different circles.
//
// A Witness (witness.go) is what a circle runs beside, but apart from, a
// store it does not control: it keeps the latest checkpoint it cosigned for
// each log it is told to watch, cosigns a newer one only with a valid
// consistency proof from the one it holds, and refuses a fork or a rollback.
// Its cosignatures are C2SP cosignature/v1 (timestamped Ed25519) lines from
// github.com/transparency-dev/formats/note.
//
// A Client (client.go) is the store's side: after commits it sends its
// newest checkpoint with a consistency proof to each witness it was given,
// one request in flight per witness and the newest checkpoint winning,
// verifies the cosignatures it gets back and keeps them in the store
// (bucket witness.cosignatures), so that the checkpoint and court bundles
// can carry them. Writes never wait for a witness.
//
// The checkpoint is treated as opaque signed bytes with an origin, a size
// and a root hash: its extension lines, if any, are signed over and carried,
// never read.
package witness
