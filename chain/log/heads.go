package log

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"maps"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/amanat-ledger/amanat/ledger"
)

// The head commitment: beside the log, a second Merkle tree whose leaf
// item-1 is the head of item (how many custody entries it has and which
// leaf is the latest; how many ledger transactions post to its accounts and
// which leaf is the latest). Every checkpoint signs its root in an
// extension line, so a court bundle that carries its item's head and the
// head's inclusion proof proves that it holds every entry and transaction
// of the item up to the checkpoint, not only that the ones it holds are in
// the log.
//
// The tree is an RFC 6962 tree over heads 1..N, N the highest item id with
// anything logged: the register numbers items from one sequence, so a
// dense tree is as small as a sparse one, and its proofs are the log's own
// (section 6 of docs/custody-format.md), checked by the same code. Its
// hashes are those tlog stores for a log, so TreeHash and ProveRecord read
// it as they read the log. The store keeps the hashes of the complete
// subtrees of 2^blockLevel heads and up; a lower one is hashed from its
// heads when it is read. A commit's new heads are kept in memory, then
// stored, and each changed subtree hashed, once, before it commits. An id
// never logged is the empty head, and a stored hash never written is the
// hash of an empty subtree of its level, so a run of ids that nothing
// reached (the log accepts any item id) costs no writes. The hashes are
// keyed by level and position (headHashKey), not by tlog's stored-hash
// index.

// HeadFormat is the first line of a head leaf.
const HeadFormat = "amanat-head/1"

// headsMarker in ledger.ChainMeta says the head commitment was built for
// every leaf of the log and is kept up to date with it.
const headsMarker = "heads"

// Head is one item's leaf of the head commitment.
type Head struct {
	Item      uint64
	Entries   uint64    // custody entries of the item
	EntryLeaf uint64    // leaf index of the latest, when Entries > 0
	EntryHash tlog.Hash // its leaf hash
	Txns      uint64    // ledger transactions that post to an account of the item
	TxnLeaf   uint64    // leaf index of the latest, when Txns > 0
	TxnHash   tlog.Hash // its leaf hash
}

// Bytes is the head's leaf:
//
//	amanat-head/1\nitem N\nentries C[ LEAF HASH]\ntxns C[ LEAF HASH]\n
//
// with the latest leaf's index and hex hash after a count that is not 0.
func (h Head) Bytes() []byte { return h.appendBytes(nil) }

func (h Head) appendBytes(b []byte) []byte {
	b = append(b, HeadFormat+"\nitem "...)
	b = append(strconv.AppendUint(b, h.Item, 10), '\n')
	line := func(key string, n, leaf uint64, hash tlog.Hash) {
		b = strconv.AppendUint(append(b, key+" "...), n, 10)
		if n > 0 {
			b = strconv.AppendUint(append(b, ' '), leaf, 10)
			b = hex.AppendEncode(append(b, ' '), hash[:])
		}
		b = append(b, '\n')
	}
	line("entries", h.Entries, h.EntryLeaf, h.EntryHash)
	line("txns", h.Txns, h.TxnLeaf, h.TxnHash)
	return b
}

// leafHash is the head's leaf hash, tlog.RecordHash of Bytes, without
// keeping the bytes.
func (h Head) leafHash() tlog.Hash {
	var buf [256]byte
	return sha256.Sum256(h.appendBytes(append(buf[:0], 0)))
}

// ParseHead reads a head leaf, refusing any other spelling of it.
func ParseHead(data []byte) (Head, error) {
	var h Head
	lines := strings.Split(string(data), "\n")
	if len(lines) != 5 || lines[4] != "" || lines[0] != HeadFormat {
		return h, fmt.Errorf("head is not %s and three lines", HeadFormat)
	}
	item, ok := strings.CutPrefix(lines[1], "item ")
	if h.Item, ok = decimal(item, ok); !ok || h.Item == 0 {
		return h, fmt.Errorf("head line %q is not item and an id", lines[1])
	}
	var err error
	if h.Entries, h.EntryLeaf, h.EntryHash, err = headLine(lines[2], "entries"); err != nil {
		return h, err
	}
	if h.Txns, h.TxnLeaf, h.TxnHash, err = headLine(lines[3], "txns"); err != nil {
		return h, err
	}
	if !bytes.Equal(h.Bytes(), data) {
		return h, fmt.Errorf("head is not in its one spelling")
	}
	return h, nil
}

func headLine(s, key string) (n, leaf uint64, hash tlog.Hash, err error) {
	rest, ok := strings.CutPrefix(s, key+" ")
	f := strings.Split(rest, " ")
	if n, ok = decimal(f[0], ok); !ok || (n == 0) != (len(f) == 1) || (n > 0 && len(f) != 3) {
		return 0, 0, hash, fmt.Errorf("head line %q is not %s, a count and, after a count other than 0, a leaf index and hash", s, key)
	}
	if n == 0 {
		return 0, 0, hash, nil
	}
	if leaf, ok = decimal(f[1], true); !ok {
		return 0, 0, hash, fmt.Errorf("head line %q: leaf index %q is not a decimal number", s, f[1])
	}
	x, err := hex.DecodeString(f[2])
	if err != nil || len(x) != tlog.HashSize || hex.EncodeToString(x) != f[2] {
		return 0, 0, hash, fmt.Errorf("head line %q: %q is not 64 lower-case hex digits", s, f[2])
	}
	copy(hash[:], x)
	return n, leaf, hash, nil
}

// decimal reads a decimal number without sign or leading zeros.
func decimal(s string, ok bool) (uint64, bool) {
	n, err := strconv.ParseUint(s, 10, 64)
	return n, ok && err == nil && strconv.FormatUint(n, 10) == s
}

// headHashes reads the head tree's hashes. Those of the subtrees below
// level blockLevel are not stored: each is hashed from the heads it covers,
// which one cursor reads from the store. A hash of a higher level that was
// never stored is that of an empty subtree of its level: the leaves no item
// has reached cost nothing (emptyHash).
type headHashes struct{ tx *ledger.Tx }

func (r headHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		level, k := tlog.SplitStoredHashIndex(x)
		if level < blockLevel {
			hs, err := blockHashes(r.tx, uint64(k)<<level, 1<<level)
			if err != nil {
				return nil, err
			}
			out[i] = subtreeHash(hs)
			continue
		}
		v := r.tx.Get(ledger.ChainHeadHashes, headHashKey(level, k))
		switch {
		case v == nil:
			out[i] = emptyHash(level)
		case len(v) != tlog.HashSize:
			return nil, fmt.Errorf("stored head hash %d is not a SHA-256 hash", x)
		default:
			copy(out[i][:], v)
		}
	}
	return out, nil
}

// blockLevel is the lowest level of the head tree whose hashes the store
// keeps: one stored hash covers 2^blockLevel heads, and an update rewrites
// one hash per level from there up, not one per level from the leaf.
const blockLevel = 4

// blockHashes are the leaf hashes of the n heads of leaves [lo, lo+n): the
// heads the open transaction wrote as written, the others as stored, an id
// never logged the empty head.
func blockHashes(tx *ledger.Tx, lo, n uint64) ([]tlog.Hash, error) {
	hs := make([]tlog.Hash, n)
	for i := range hs {
		hs[i] = emptyHash(0)
	}
	c := tx.Cursor(ledger.ChainHeads)
	for k, v := c.Seek(BE64(lo + 1)); k != nil && Uint64(k) <= lo+n; k, v = c.Next() {
		h, err := parseHeadValue(Uint64(k), v)
		if err != nil {
			return nil, err
		}
		hs[Uint64(k)-1-lo] = h.leafHash()
	}
	if p := openHeads(tx); p != nil {
		for item := lo + 1; item <= lo+n && len(p.heads) > 0; item++ {
			if h, ok := p.heads[item]; ok {
				hs[item-1-lo] = h.leafHash()
			}
		}
	}
	return hs, nil
}

// subtreeHash is the hash of the complete subtree whose leaf hashes are hs
// (a power of two of them).
func subtreeHash(hs []tlog.Hash) tlog.Hash {
	for len(hs) > 1 {
		next := make([]tlog.Hash, len(hs)/2)
		for i := range next {
			next[i] = tlog.NodeHash(hs[2*i], hs[2*i+1])
		}
		hs = next
	}
	return hs[0]
}

// EmptyHead is the leaf of an item id with nothing logged.
const EmptyHead = HeadFormat + "\n"

// emptyHashes[l] is the hash of a subtree of 2^l empty heads.
var emptyHashes = func() []tlog.Hash {
	hs := []tlog.Hash{tlog.RecordHash([]byte(EmptyHead))}
	for l := 1; l < 64; l++ {
		hs = append(hs, tlog.NodeHash(hs[l-1], hs[l-1]))
	}
	return hs
}()

func emptyHash(level int) tlog.Hash { return emptyHashes[level] }

// HeadsSize is the number of leaves of the head commitment: the highest
// item id it holds.
func HeadsSize(tx *ledger.Tx) uint64 { return tx.Sequence(ledger.ChainHeads) }

// HeadsBuilt says whether the store keeps the head commitment (a store
// written before it is built on its first read-write open).
func HeadsBuilt(tx *ledger.Tx) bool { return tx.Get(ledger.ChainMeta, []byte(headsMarker)) != nil }

// EmptyHeadsRoot is the root of a head commitment with no leaves, RFC
// 6962's hash of the empty tree.
var EmptyHeadsRoot = tlog.Hash(sha256.Sum256(nil))

// HeadsRoot is the size and root hash of the head commitment.
func HeadsRoot(tx *ledger.Tx) (uint64, tlog.Hash, error) {
	n := HeadsSize(tx)
	if n == 0 {
		return 0, EmptyHeadsRoot, nil
	}
	root, err := tlog.TreeHash(int64(n), headHashes{tx})
	if err != nil {
		return 0, root, fmt.Errorf("head commitment root at %d: %w", n, err)
	}
	return n, root, nil
}

// ReadHead is item's head: an empty head when nothing of it is logged. A
// head written by the open transaction is read as written, before it is
// stored (flushHeads).
func ReadHead(tx *ledger.Tx, item uint64) (Head, error) {
	if p := openHeads(tx); p != nil {
		if h, ok := p.heads[item]; ok {
			return h, nil
		}
		if item > p.stored {
			return Head{Item: item}, nil
		}
	}
	v := tx.Get(ledger.ChainHeads, BE64(item))
	if v == nil {
		return Head{Item: item}, nil
	}
	return parseHeadValue(item, v)
}

func parseHeadValue(item uint64, v []byte) (Head, error) {
	if len(v) != headValueSize || v[0] != headValueVersion {
		return Head{}, fmt.Errorf("stored head of item %d is not a version %d head", item, headValueVersion)
	}
	h := Head{Item: item, Entries: Uint64(v[1:]), EntryLeaf: Uint64(v[9:]), Txns: Uint64(v[17:]), TxnLeaf: Uint64(v[25:])}
	copy(h.EntryHash[:], v[33:65])
	copy(h.TxnHash[:], v[65:97])
	return h, nil
}

// hasHead says whether anything of item is logged.
func hasHead(tx *ledger.Tx, item uint64) bool {
	if p := openHeads(tx); p != nil {
		if _, ok := p.heads[item]; ok {
			return true
		}
	}
	return tx.Get(ledger.ChainHeads, BE64(item)) != nil
}

// A stored head is a version byte, then big-endian entries, entry leaf,
// txns and txn leaf, then the two leaf hashes: reading it is cheap, and
// its leaf bytes (Bytes) are made only when the tree is hashed.
const (
	headValueVersion = 1
	headValueSize    = 1 + 4*8 + 2*tlog.HashSize
)

func headValue(h Head) []byte {
	v := make([]byte, 1, headValueSize)
	v[0] = headValueVersion
	for _, n := range []uint64{h.Entries, h.EntryLeaf, h.Txns, h.TxnLeaf} {
		v = binary.BigEndian.AppendUint64(v, n)
	}
	v = append(v, h.EntryHash[:]...)
	return append(v, h.TxnHash[:]...)
}

// pendingHeads are the heads the open transaction wrote, kept in memory
// (ledger.Tx.Local) until flushHeads stores them and hashes them into the
// tree before it commits: an item with several entries in one commit is
// stored and hashed once, and nothing marks the changed heads in the store.
// size is HeadsSize as the transaction leaves it (only writeHead grows it),
// so that an entry reads neither it nor the hook list again; no head past
// stored is in the store (the size when the heads were last stored), so
// reading one is not a read of the store.
type pendingHeads struct {
	heads        map[uint64]Head
	size, stored uint64
}

// openHeads is the open transaction's pending heads, nil when it wrote none.
func openHeads(tx *ledger.Tx) *pendingHeads {
	p, _ := tx.Local(headsHookKey, nil).(*pendingHeads)
	return p
}

// writeHead keeps h as item's head, grows the commitment to h.Item leaves
// when it is smaller, and stores and hashes h before the transaction
// commits (flushHeads): a commit that writes many entries of a few items
// hashes each path of the tree once, not once per entry.
func writeHead(tx *ledger.Tx, h Head) error {
	p := tx.Local(headsHookKey, func() any {
		tx.BeforeCommit(headsHookKey, flushHeads)
		n := HeadsSize(tx)
		return &pendingHeads{heads: map[uint64]Head{}, size: n, stored: n}
	}).(*pendingHeads)
	p.heads[h.Item] = h
	if h.Item > p.size {
		if err := tx.SetSequence(ledger.ChainHeads, h.Item); err != nil {
			return fmt.Errorf("grow the head commitment: %w", err)
		}
		p.size = h.Item
	}
	return nil
}

const headsHookKey = "chain.heads"

// flushHeads stores the heads written in this transaction, in item order,
// and hashes them into the tree: the subtree of 2^blockLevel heads each is
// in, hashed from its heads, and every complete subtree above it, level by
// level, each once, a child hashed in the same pass taken from memory
// rather than read back; and, when the tree grew, the subtrees that
// straddle its old last leaf. The ones wholly past it hold only heads
// written now, or none, and read as empty (headHashes). It runs before the
// checkpoint is signed (signHook) and before commit.
func flushHeads(tx *ledger.Tx) error {
	p := openHeads(tx)
	if p == nil || len(p.heads) == 0 {
		return nil
	}
	items := slices.Sorted(maps.Keys(p.heads))
	var blocks []uint64
	for _, item := range items {
		if err := tx.Put(ledger.ChainHeads, BE64(item), headValue(p.heads[item])); err != nil {
			return fmt.Errorf("store head of item %d: %w", item, err)
		}
		if b := (item - 1) >> blockLevel; len(blocks) == 0 || blocks[len(blocks)-1] != b {
			blocks = append(blocks, b)
		}
	}
	clear(p.heads)
	p.stored = p.size
	n0, n := tx.Sequence(ledger.ChainHeadHashes), HeadsSize(tx)
	if b := (n0 - 1) >> blockLevel; n > n0 && n0 > 0 && !slices.Contains(blocks, b) {
		blocks = append(blocks, b)
		slices.Sort(blocks)
	}
	changed, fresh := blocks[:0], map[int64]tlog.Hash{}
	for _, b := range blocks {
		if (b+1)<<blockLevel > n {
			continue // not complete: never read from the store
		}
		hs, err := blockHashes(tx, b<<blockLevel, 1<<blockLevel)
		if err != nil {
			return err
		}
		x := subtreeHash(hs)
		if err := putHeadHash(tx, blockLevel, int64(b), x); err != nil {
			return err
		}
		changed, fresh[int64(b)] = append(changed, b), x
	}
	if err := hashUp(tx, changed, fresh, int64(n)); err != nil {
		return err
	}
	return tx.SetSequence(ledger.ChainHeadHashes, n)
}

// hashUp stores, level by level, the hash of every complete subtree of a
// tree of n leaves above the changed subtrees of blockLevel (in increasing
// order); fresh holds their hashes.
func hashUp(tx *ledger.Tx, changed []uint64, fresh map[int64]tlog.Hash, n int64) error {
	r := headHashes{tx}
	child := func(level int, k int64) (tlog.Hash, error) {
		if x, ok := fresh[k]; ok {
			return x, nil
		}
		hs, err := r.ReadHashes([]int64{tlog.StoredHashIndex(level, k)})
		if err != nil {
			return tlog.Hash{}, err
		}
		return hs[0], nil
	}
	for level := blockLevel + 1; len(changed) > 0; level++ {
		up := changed[:0]
		next := make(map[int64]tlog.Hash, len(changed)/2+1)
		for _, k := range changed {
			p := int64(k >> 1)
			if (p+1)<<level > n || len(up) > 0 && up[len(up)-1] == uint64(p) {
				continue
			}
			up = append(up, uint64(p))
			left, err := child(level-1, 2*p)
			if err != nil {
				return err
			}
			right, err := child(level-1, 2*p+1)
			if err != nil {
				return err
			}
			x := tlog.NodeHash(left, right)
			if err := putHeadHash(tx, level, p, x); err != nil {
				return err
			}
			next[p] = x
		}
		changed, fresh = up, next
	}
	return nil
}

// headHashKey is the key of the hash of subtree k of level: the level
// first, so that the few hashes of the upper levels, which every update
// rewrites, share pages of the store (tlog's own index interleaves the
// levels, which spreads one update over a page per level).
func headHashKey(level int, k int64) []byte {
	key := make([]byte, 9)
	key[0] = byte(level)
	binary.BigEndian.PutUint64(key[1:], uint64(k))
	return key
}

func putHeadHash(tx *ledger.Tx, level int, k int64, x tlog.Hash) error {
	if err := tx.Put(ledger.ChainHeadHashes, headHashKey(level, k), x[:]); err != nil {
		return fmt.Errorf("store head hash: %w", err)
	}
	return nil
}

// NoteEntry makes the custody entry at leaf (leaf hash hash) item's latest
// in the head commitment, in the transaction that appends it. Nothing is
// noted before the commitment is built (BuildHeads counts it then). A
// transaction that already wrote a head has the commitment built (BuildHeads
// writes heads only in the transaction that marks it built, and nothing
// unmarks it), so only its first entry reads the mark.
func NoteEntry(tx *ledger.Tx, item, leaf uint64, hash tlog.Hash) error {
	if !headsKept(tx) {
		return nil
	}
	return noteEntry(tx, item, leaf, hash)
}

// headsKept is HeadsBuilt, answered without a read once the transaction
// has written a head.
func headsKept(tx *ledger.Tx) bool { return openHeads(tx) != nil || HeadsBuilt(tx) }

func noteEntry(tx *ledger.Tx, item, leaf uint64, hash tlog.Hash) error {
	h, err := ReadHead(tx, item)
	if err != nil {
		return err
	}
	h.Entries, h.EntryLeaf, h.EntryHash = h.Entries+1, leaf, hash
	return writeHead(tx, h)
}

// noteTxn makes the ledger transaction id at leaf the latest of every item
// whose account custody:item:<item> it posts to, and indexes it under them.
func noteTxn(tx *ledger.Tx, id, leaf uint64, hash tlog.Hash, canonical []byte) error {
	for _, item := range TxnItems(canonical) {
		h, err := ReadHead(tx, item)
		if err != nil {
			return err
		}
		h.Txns, h.TxnLeaf, h.TxnHash = h.Txns+1, leaf, hash
		if err := writeHead(tx, h); err != nil {
			return err
		}
		if err := tx.Put(ledger.ChainItemTxns, append(BE64(item), BE64(id)...), nil); err != nil {
			return fmt.Errorf("index ledger transaction %d under item %d: %w", id, item, err)
		}
	}
	return nil
}

// TxnItems are the items whose account custody:item:<id> the canonical
// ledger transaction posts to, each once, in increasing id: the
// transactions of an item are those that post to its own account (a move
// out of superdari, a reconciliation's variance, a conversion all do).
func TxnItems(canonical []byte) []uint64 {
	var out []uint64
	for line := range strings.SplitSeq(string(canonical), "\n") {
		rest, ok := strings.CutPrefix(line, "posting custody:item:")
		if !ok {
			continue
		}
		num, _, _ := strings.Cut(rest, " ")
		if id, ok := decimal(num, true); ok && id > 0 && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// ItemTxns are the ids of the ledger transactions of item (TxnItems), in
// increasing id.
func ItemTxns(tx *ledger.Tx, item uint64) []uint64 {
	var out []uint64
	prefix := BE64(item)
	c := tx.Cursor(ledger.ChainItemTxns)
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		out = append(out, Uint64(k[8:]))
	}
	return out
}

// BuildHeads builds the head commitment of a store written before it, from
// every leaf of the log, once: entryItem names the item of the custody
// entry seq (the log does not read entries).
func BuildHeads(tx *ledger.Tx, entryItem func(seq uint64) (uint64, error)) error {
	if HeadsBuilt(tx) {
		return dropLowHeadHashes(tx)
	}
	n := Size(tx)
	for i := uint64(0); i < n; i++ {
		lv := tx.Get(ledger.ChainLeaves, BE64(i))
		if len(lv) < 9 {
			return fmt.Errorf("log leaf %d is missing", i)
		}
		hash, err := LeafHash(tx, i)
		if err != nil {
			return err
		}
		id := Uint64(lv[1:9])
		switch lv[0] {
		case KindCustody:
			item, err := entryItem(id)
			if err != nil {
				return fmt.Errorf("head commitment: leaf %d: %w", i, err)
			}
			err = noteEntry(tx, item, i, hash)
			if err != nil {
				return err
			}
		case KindTransaction:
			raw := tx.RawTransaction(id)
			if raw == nil {
				return fmt.Errorf("head commitment: leaf %d: ledger transaction %d is missing", i, id)
			}
			if err := noteTxn(tx, id, i, hash, raw); err != nil {
				return err
			}
		}
	}
	return tx.Put(ledger.ChainMeta, []byte(headsMarker), []byte(HeadFormat))
}

// HeadsCurrent says whether the store keeps the head commitment as this
// version writes it: built, and without the hashes below blockLevel that
// earlier versions stored (BuildHeads drops them).
func HeadsCurrent(tx *ledger.Tx) bool {
	k, _ := tx.Cursor(ledger.ChainHeadHashes).First()
	return HeadsBuilt(tx) && (k == nil || int(k[0]) >= blockLevel)
}

// dropLowHeadHashes deletes the hashes below blockLevel a store written by
// an earlier version keeps: nothing reads them (headHashes hashes those
// subtrees from their heads), and they would go stale.
func dropLowHeadHashes(tx *ledger.Tx) error {
	var keys [][]byte
	c := tx.Cursor(ledger.ChainHeadHashes)
	for k, _ := c.First(); k != nil && int(k[0]) < blockLevel; k, _ = c.Next() {
		keys = append(keys, bytes.Clone(k))
	}
	for _, k := range keys {
		if err := tx.Delete(ledger.ChainHeadHashes, k); err != nil {
			return fmt.Errorf("drop a head hash below level %d: %w", blockLevel, err)
		}
	}
	return nil
}

// HeadProof is item's head with its inclusion proof in the head commitment
// of HeadsSize leaves whose root is Root.
type HeadProof struct {
	Head      Head
	Leaf      uint64 // item - 1
	HeadsSize uint64
	LeafHash  tlog.Hash
	Root      tlog.Hash
	Hashes    []tlog.Hash
	Canonical []byte
}

// ProveHead proves item's head in the head commitment as it is now.
func ProveHead(tx *ledger.Tx, item uint64) (HeadProof, error) {
	if !HeadsBuilt(tx) {
		return HeadProof{}, ledger.Errorf(ledger.EConflict, "this store's head commitment is not built yet: open it for writing once")
	}
	n, root, err := HeadsRoot(tx)
	if err != nil {
		return HeadProof{}, err
	}
	if item == 0 || item > n {
		return HeadProof{}, ledger.Errorf(ledger.ENotFound, "item %d has nothing in the log", item)
	}
	if !hasHead(tx, item) {
		return HeadProof{}, ledger.Errorf(ledger.ENotFound, "item %d has nothing in the log", item)
	}
	h, err := ReadHead(tx, item)
	if err != nil {
		return HeadProof{}, err
	}
	p, err := tlog.ProveRecord(int64(n), int64(item-1), headHashes{tx})
	if err != nil {
		return HeadProof{}, fmt.Errorf("prove head of item %d: %w", item, err)
	}
	data := h.Bytes()
	return HeadProof{Head: h, Leaf: item - 1, HeadsSize: n, LeafHash: tlog.RecordHash(data), Root: root, Hashes: p, Canonical: data}, nil
}

// Extension lines of a checkpoint, after the root hash: the head
// commitment's size and base64 root, and the time of signing.
const (
	extHeads = "heads "
	extTime  = "time "
)

// Extensions are what Amanat's extension lines of a checkpoint say.
type Extensions struct {
	HasHeads  bool
	HeadsSize uint64
	HeadsRoot tlog.Hash
	Time      time.Time // zero when the checkpoint is not dated
}

// Lines are the extension lines, each with its newline.
func (x Extensions) Lines() string {
	s := ""
	if x.HasHeads {
		s += extHeads + strconv.FormatUint(x.HeadsSize, 10) + " " + base64.StdEncoding.EncodeToString(x.HeadsRoot[:]) + "\n"
	}
	if !x.Time.IsZero() {
		s += extTime + x.Time.UTC().Format(time.RFC3339) + "\n"
	}
	return s
}

// ParseExtensions reads Amanat's extension lines of a checkpoint body
// (after origin, size and root). Each may come once, heads before time, in
// its one spelling; lines of other extensions are left to their readers.
func ParseExtensions(text string) (Extensions, error) {
	var x Extensions
	lines := strings.SplitN(text, "\n", 4)
	if len(lines) < 4 {
		return x, fmt.Errorf("checkpoint has fewer than three lines")
	}
	for _, line := range strings.Split(strings.TrimSuffix(lines[3], "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, extHeads):
			if x.HasHeads || !x.Time.IsZero() {
				return x, fmt.Errorf("checkpoint has a second or late heads line")
			}
			f := strings.Split(strings.TrimPrefix(line, extHeads), " ")
			n, ok := decimal(f[0], len(f) == 2)
			if !ok {
				return x, fmt.Errorf("checkpoint line %q is not heads, a size and a base64 root", line)
			}
			b, err := base64.StdEncoding.DecodeString(f[1])
			if err != nil || len(b) != tlog.HashSize || base64.StdEncoding.EncodeToString(b) != f[1] {
				return x, fmt.Errorf("checkpoint heads root %q is not the standard base64 of a SHA-256 hash", f[1])
			}
			x.HasHeads, x.HeadsSize = true, n
			copy(x.HeadsRoot[:], b)
		case strings.HasPrefix(line, extTime):
			if !x.Time.IsZero() {
				return x, fmt.Errorf("checkpoint has a second time line")
			}
			s := strings.TrimPrefix(line, extTime)
			t, err := time.Parse(time.RFC3339, s)
			if err != nil || t.UTC().Format(time.RFC3339) != s || t.IsZero() {
				return x, fmt.Errorf("checkpoint time %q is not RFC 3339 in UTC, whole seconds", s)
			}
			x.Time = t.UTC()
		}
	}
	return x, nil
}

// FreshFor is how long a checkpoint's time stays current: Checkpoint signs
// the same tree again, with the time of now, when the stored checkpoint is
// older, so that a bundle exported from a quiet store still says how
// recently the log was as it shows.
const FreshFor = time.Minute

// currentExtensions are the extension lines a checkpoint of the log as tx
// leaves it carries: the head commitment once it is built, and the time.
func currentExtensions(tx *ledger.Tx) (Extensions, error) {
	x := Extensions{Time: tx.Now.UTC().Truncate(time.Second)}
	if !HeadsBuilt(tx) {
		return x, nil
	}
	n, root, err := HeadsRoot(tx)
	if err != nil {
		return x, err
	}
	x.HasHeads, x.HeadsSize, x.HeadsRoot = true, n, root
	return x, nil
}

// sameHeads says whether two checkpoints commit to the same heads.
func sameHeads(a, b Extensions) bool {
	return a.HasHeads == b.HasHeads && a.HeadsSize == b.HeadsSize && a.HeadsRoot == b.HeadsRoot
}

// stale says whether cp should be signed again at now: it is undated or
// older than FreshFor.
func (l *Log) stale(cp Checkpoint, now time.Time) bool {
	return cp.Ext.Time.IsZero() || now.Sub(cp.Ext.Time) > FreshFor
}

// headsRootOf is the RFC 6962 hash of heads of leaves [lo, lo+n), from the
// heads alone (items: their ids, sorted): a power-of-two range that holds
// none is a subtree of empty heads, so a sparse commitment costs its heads,
// not its size.
func headsRootOf(heads map[uint64]*Head, items []uint64, lo, n uint64) tlog.Hash {
	i, _ := slices.BinarySearch(items, lo+1)
	if i == len(items) || items[i] > lo+n {
		if n&(n-1) == 0 {
			return emptyHash(bits.TrailingZeros64(n))
		}
	}
	if n == 1 {
		return heads[lo+1].leafHash()
	}
	k := uint64(1) << (bits.Len64(n-1) - 1)
	return tlog.NodeHash(headsRootOf(heads, items, lo, k), headsRootOf(heads, items, lo+k, n-k))
}

// CheckHeads recomputes the head commitment from the log's leaves (entryItem
// names the item of custody entry seq) and checks the stored heads, the
// stored tree and the signed checkpoint's heads line against it, when the
// store keeps the commitment.
func CheckHeads(tx *ledger.Tx, entryItem func(seq uint64) (uint64, error)) error {
	if !HeadsBuilt(tx) {
		return nil
	}
	want := map[uint64]*Head{}
	head := func(item uint64) *Head {
		if want[item] == nil {
			want[item] = &Head{Item: item}
		}
		return want[item]
	}
	var size uint64
	for i := uint64(0); i < Size(tx); i++ {
		lv := tx.Get(ledger.ChainLeaves, BE64(i))
		hash, err := LeafHash(tx, i)
		if len(lv) < 9 || err != nil {
			return fmt.Errorf("head commitment: log leaf %d is missing", i)
		}
		switch id := Uint64(lv[1:9]); lv[0] {
		case KindCustody:
			item, err := entryItem(id)
			if err != nil {
				return fmt.Errorf("head commitment: leaf %d: %w", i, err)
			}
			h := head(item)
			h.Entries, h.EntryLeaf, h.EntryHash = h.Entries+1, i, hash
			size = max(size, item)
		case KindTransaction:
			for _, item := range TxnItems(tx.RawTransaction(id)) {
				h := head(item)
				h.Txns, h.TxnLeaf, h.TxnHash = h.Txns+1, i, hash
				size = max(size, item)
			}
		}
	}
	if n := HeadsSize(tx); n != size {
		return fmt.Errorf("head commitment holds %d items, the log names items up to %d", n, size)
	}
	items := slices.Sorted(maps.Keys(want))
	for _, item := range items {
		got, err := ReadHead(tx, item)
		if err != nil {
			return err
		}
		if got != *want[item] {
			w := want[item]
			return fmt.Errorf("head of item %d says %d entries (latest at leaf %d) and %d transactions (latest at leaf %d); the log, %d (%d) and %d (%d)",
				item, got.Entries, got.EntryLeaf, got.Txns, got.TxnLeaf, w.Entries, w.EntryLeaf, w.Txns, w.TxnLeaf)
		}
	}
	if n := tx.Len(ledger.ChainHeads); n != len(items) {
		return fmt.Errorf("%d heads are stored, the log names %d items", n, len(items))
	}
	root := EmptyHeadsRoot
	if size > 0 {
		root = headsRootOf(want, items, 0, size)
	}
	if _, stored, err := HeadsRoot(tx); err != nil || stored != root {
		return fmt.Errorf("head commitment: the stored tree's root differs from the heads' (%v)", err)
	}
	if err := checkHeadHashes(tx, size); err != nil {
		return err
	}
	return checkSignedHeads(tx, size, root)
}

// checkSignedHeads checks the stored checkpoint's heads line, when it signs
// the whole log, against the recomputed commitment.
func checkSignedHeads(tx *ledger.Tx, size uint64, root tlog.Hash) error {
	msg := tx.Get(ledger.ChainMeta, []byte("checkpoint"))
	if msg == nil {
		return nil
	}
	body, _, _ := strings.Cut(string(msg), "\n\n")
	_, n, _, err := ParseCheckpointBody(body + "\n")
	if err != nil || n != Size(tx) {
		return nil // the checkpoint's own check reports it, or it is of an older log
	}
	x, err := ParseExtensions(body + "\n")
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if !x.HasHeads || x.HeadsSize != size || x.HeadsRoot != root {
		return fmt.Errorf("the checkpoint's heads line (%d items) is not the head commitment of the log (%d items, root %s)", x.HeadsSize, size, HashHex(root))
	}
	return nil
}

// checkHeadHashes checks every stored hash of the tree that a proof may
// read: a leaf's is its head's hash, an interior one that of its children.
// With the root checked against the heads, a wrong stored hash is found
// whether or not the root reads it.
func checkHeadHashes(tx *ledger.Tx, size uint64) error {
	r := headHashes{tx}
	c := tx.Cursor(ledger.ChainHeadHashes)
	for key, v := c.First(); key != nil; key, v = c.Next() {
		level, k := int(key[0]), int64(Uint64(key[1:]))
		if uint64(k+1)<<level > size || level < blockLevel {
			continue // not complete yet, or of a store not yet opened for writing since hashes below blockLevel were stored: never read
		}
		var want tlog.Hash
		if level == 0 {
			data := []byte(EmptyHead)
			if tx.Get(ledger.ChainHeads, BE64(uint64(k+1))) != nil {
				h, err := ReadHead(tx, uint64(k+1))
				if err != nil {
					return err
				}
				data = h.Bytes()
			}
			want = tlog.RecordHash(data)
		} else {
			hs, err := r.ReadHashes([]int64{tlog.StoredHashIndex(level-1, 2*k), tlog.StoredHashIndex(level-1, 2*k+1)})
			if err != nil {
				return err
			}
			want = tlog.NodeHash(hs[0], hs[1])
		}
		if !bytes.Equal(v, want[:]) {
			return fmt.Errorf("head commitment: the stored hash of level %d, subtree %d, is not the hash of what it covers", level, k)
		}
	}
	return nil
}
