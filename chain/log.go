package chain

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/mod/sumdb/tlog"
)

// Buckets owned by the custody log, in the ledger's file.
var (
	bucketMeta    = []byte("chain.meta")    // "format", "origin", "vkey", "checkpoint"
	bucketEntries = []byte("chain.entries") // BE(seq) -> canonical entry
	bucketItems   = []byte("chain.items")   // BE(item) BE(item_seq) -> BE(seq)
	bucketState   = []byte("chain.state")   // BE(item) -> stateVersion, JSON ItemState
	bucketLeaves  = []byte("chain.leaves")  // BE(leaf index) -> kind, BE(record id)[, record kind name]; Sequence() is the tree size
	bucketHashes  = []byte("chain.hashes")  // BE(tlog stored hash index) -> 32-byte hash
	bucketTxLeaf  = []byte("chain.txleaf")  // BE(ledger transaction id) -> BE(leaf index)
)

var allBuckets = [][]byte{bucketMeta, bucketEntries, bucketItems, bucketState, bucketLeaves, bucketHashes, bucketTxLeaf}

const storeFormat = "amanat-custody-store/1"

// Leaf kinds in the leaves bucket.
const (
	KindCustody     = 'c'
	KindTransaction = 't'
)

func be64(n uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	return b[:]
}

func kindName(k byte) string {
	if k == KindTransaction {
		return "ledger transaction"
	}
	return "custody entry"
}

// boltHashes reads the log's stored hashes from the bucket.
type boltHashes struct{ b *bolt.Bucket }

func (r boltHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		v := r.b.Get(be64(uint64(x)))
		if len(v) != tlog.HashSize {
			return nil, fmt.Errorf("stored hash %d is missing", x)
		}
		copy(out[i][:], v)
	}
	return out, nil
}

func hashReader(btx *bolt.Tx) tlog.HashReader { return boltHashes{btx.Bucket(bucketHashes)} }

// treeSize is the number of leaves in the log.
func treeSize(btx *bolt.Tx) uint64 { return btx.Bucket(bucketLeaves).Sequence() }

// appendLeaf adds data as the next leaf of the log and returns its index and
// leaf hash. kind and id say where the record lives.
func appendLeaf(btx *bolt.Tx, kind byte, id uint64, data []byte) (uint64, tlog.Hash, error) {
	leaves := btx.Bucket(bucketLeaves)
	n := leaves.Sequence()
	hashes, err := tlog.StoredHashes(int64(n), data, hashReader(btx))
	if err != nil {
		return 0, tlog.Hash{}, fmt.Errorf("log leaf %d: %w", n, err)
	}
	hb := btx.Bucket(bucketHashes)
	base := uint64(tlog.StoredHashIndex(0, int64(n)))
	for i, h := range hashes {
		if err := hb.Put(be64(base+uint64(i)), h[:]); err != nil {
			return 0, tlog.Hash{}, fmt.Errorf("store log hash: %w", err)
		}
	}
	var v [9]byte
	v[0] = kind
	binary.BigEndian.PutUint64(v[1:], id)
	if err := leaves.Put(be64(n), v[:]); err != nil {
		return 0, tlog.Hash{}, fmt.Errorf("store log leaf: %w", err)
	}
	if err := leaves.SetSequence(n + 1); err != nil {
		return 0, tlog.Hash{}, fmt.Errorf("grow log: %w", err)
	}
	return n, hashes[0], nil
}

// leafHash is the stored leaf hash at index i.
func leafHash(btx *bolt.Tx, i uint64) (tlog.Hash, error) {
	hs, err := hashReader(btx).ReadHashes([]int64{tlog.StoredHashIndex(0, int64(i))})
	if err != nil {
		return tlog.Hash{}, err
	}
	return hs[0], nil
}

// Checkpoint is a signed statement of the log's size and root hash.
type Checkpoint struct {
	Origin string
	Size   uint64
	Root   tlog.Hash
	Note   []byte // the signed note: body, blank line, signature line
}

// checkpointBody is the C2SP tlog-checkpoint body: origin, size and base64
// root hash, each on its own line.
func checkpointBody(origin string, size uint64, root tlog.Hash) string {
	return origin + "\n" + strconv.FormatUint(size, 10) + "\n" + base64.StdEncoding.EncodeToString(root[:]) + "\n"
}

// parseCheckpointBody reads a checkpoint body. Extension lines after the
// root are allowed by C2SP and ignored.
func parseCheckpointBody(text string) (origin string, size uint64, root tlog.Hash, err error) {
	lines := strings.SplitN(text, "\n", 4)
	if len(lines) < 4 {
		return "", 0, root, fmt.Errorf("checkpoint has fewer than three lines")
	}
	origin = lines[0]
	if origin == "" {
		return "", 0, root, fmt.Errorf("checkpoint has no origin")
	}
	size, err = strconv.ParseUint(lines[1], 10, 64)
	if err != nil || strconv.FormatUint(size, 10) != lines[1] {
		return "", 0, root, fmt.Errorf("checkpoint size %q is not a decimal number", lines[1])
	}
	b, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(b) != tlog.HashSize {
		return "", 0, root, fmt.Errorf("checkpoint root %q is not a base64 SHA-256 hash", lines[2])
	}
	copy(root[:], b)
	return origin, size, root, nil
}

func beUint(b []byte) uint64 { return binary.BigEndian.Uint64(b) }
