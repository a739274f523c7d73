package log

import (
	"context"
	"crypto/sha256"
	"errors"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tdlog "github.com/transparency-dev/formats/log"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/amanat-ledger/amanat/ledger"
)

func openHeadsStore(t testing.TB) (*ledger.Store, *Log) {
	t.Helper()
	dir := t.TempDir()
	now := time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)
	store, err := ledger.Open(filepath.Join(dir, "amanat.db"), ledger.Options{NoSync: true, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	l, err := Open(store, filepath.Join(dir, "amanat.db.key"), nil, Options{WitnessPath: "-"})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Write(context.Background(), func(tx *ledger.Tx) error {
		return BuildHeads(tx, func(uint64) (uint64, error) { return 0, nil })
	}); err != nil {
		t.Fatal(err)
	}
	return store, l
}

// naiveRoot is the RFC 6962 root of heads 1..n computed from scratch, the
// empty head for ids never written.
func naiveRoot(heads map[uint64]Head, n uint64) tlog.Hash {
	var level []tlog.Hash
	for id := uint64(1); id <= n; id++ {
		data := []byte(EmptyHead)
		if h, ok := heads[id]; ok {
			data = h.Bytes()
		}
		level = append(level, tlog.RecordHash(data))
	}
	var mth func(hs []tlog.Hash) tlog.Hash
	mth = func(hs []tlog.Hash) tlog.Hash {
		if len(hs) == 1 {
			return hs[0]
		}
		k := 1
		for k*2 < len(hs) {
			k *= 2
		}
		return tlog.NodeHash(mth(hs[:k]), mth(hs[k:]))
	}
	if n == 0 {
		return sha256.Sum256(nil)
	}
	return mth(level)
}

// The head commitment, updated in place and grown over gaps of ids, always
// has the root a from-scratch RFC 6962 tree of the heads has, and every
// head's proof checks with x/mod's tlog and transparency-dev's verifier.
func TestHeadCommitmentMatchesATreeBuiltFromScratch(t *testing.T) {
	store, _ := openHeadsStore(t)
	rng := rand.New(rand.NewPCG(1, 2))
	heads := map[uint64]Head{}
	var max uint64
	for step := 0; step < 300; step++ {
		item := uint64(rng.IntN(40) + 1)
		if step%50 == 49 {
			item = max + uint64(rng.IntN(70)) + 1 // a gap of ids never logged
		}
		var leaf tlog.Hash
		leaf[0], leaf[1] = byte(step), byte(step>>8)
		err := store.Write(context.Background(), func(tx *ledger.Tx) error {
			return noteEntry(tx, item, uint64(step), leaf)
		})
		if err != nil {
			t.Fatal(err)
		}
		h := heads[item]
		h.Item, h.Entries, h.EntryLeaf, h.EntryHash = item, h.Entries+1, uint64(step), leaf
		heads[item] = h
		max = maxU(max, item)
		store.View(func(tx *ledger.Tx) error {
			n, root, err := HeadsRoot(tx)
			if err != nil || n != max || root != naiveRoot(heads, max) {
				t.Fatalf("step %d (item %d): size %d root %x, want %d %x (%v)", step, item, n, root, max, naiveRoot(heads, max), err)
			}
			p, err := ProveHead(tx, item)
			if err != nil {
				t.Fatal(err)
			}
			if err := tlog.CheckRecord(p.Hashes, int64(n), root, int64(item-1), tlog.RecordHash(h.Bytes())); err != nil {
				t.Fatalf("step %d: x/mod refuses the head proof: %v", step, err)
			}
			var path [][]byte
			for _, x := range p.Hashes {
				path = append(path, x[:])
			}
			if err := proof.VerifyInclusion(rfc6962.DefaultHasher, item-1, n, p.LeafHash[:], path, root[:]); err != nil {
				t.Fatalf("step %d: transparency-dev refuses the head proof: %v", step, err)
			}
			return nil
		})
	}
}

func maxU(a, b uint64) uint64 {
	if a > b {
		return a
	}
	return b
}

// A head has one spelling: ParseHead reads back what Bytes writes and
// refuses any other.
func TestHeadHasOneSpelling(t *testing.T) {
	h := Head{Item: 7, Entries: 3, EntryLeaf: 40, EntryHash: tlog.Hash{1}, Txns: 2, TxnLeaf: 38, TxnHash: tlog.Hash{2}}
	got, err := ParseHead(h.Bytes())
	if err != nil || got != h {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	good := string(h.Bytes())
	for name, bad := range map[string]string{
		"leading zero":        strings.Replace(good, "item 7", "item 07", 1),
		"upper-case hex":      strings.Replace(good, "0100000000", "01000000AA", 1),
		"count 0 with a leaf": "amanat-head/1\nitem 7\nentries 0 1 " + HashHex(tlog.Hash{}) + "\ntxns 0\n",
		"no final newline":    strings.TrimSuffix(good, "\n"),
		"item 0":              strings.Replace(good, "item 7", "item 0", 1),
		"other format":        strings.Replace(good, "amanat-head/1", "amanat-head/2", 1),
	} {
		if _, err := ParseHead([]byte(bad)); err == nil {
			t.Errorf("%s: ParseHead accepted %q", name, bad)
		}
	}
}

// Every checkpoint carries the head commitment and its time as extension
// lines under the one signature, and the independent readers still accept
// it: x/mod's note.Open and transparency-dev's log.ParseCheckpoint.
func TestCheckpointExtensionLinesAreSignedAndReadable(t *testing.T) {
	store, l := openHeadsStore(t)
	err := store.Write(context.Background(), func(tx *ledger.Tx) error {
		l.SignOnCommit(tx)
		i, h, err := AppendLeaf(tx, KindCustody, 1, []byte("an entry of item 3"))
		if err != nil {
			return err
		}
		return noteEntry(tx, 3, i, h)
	})
	if err != nil {
		t.Fatal(err)
	}
	cp, err := l.Checkpoint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var n uint64
	var root tlog.Hash
	store.View(func(tx *ledger.Tx) error { n, root, err = HeadsRoot(tx); return err })
	if !cp.Ext.HasHeads || cp.Ext.HeadsSize != 3 || n != 3 || cp.Ext.HeadsRoot != root || !cp.Ext.Time.Equal(time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("checkpoint extensions %+v, heads %d %x", cp.Ext, n, root)
	}
	if !strings.Contains(string(cp.Note), "\nheads 3 ") || !strings.Contains(string(cp.Note), "\ntime 2026-01-15T09:00:00Z\n\n") {
		t.Fatalf("checkpoint:\n%s", cp.Note)
	}
	v, err := note.NewVerifier(l.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := note.Open(cp.Note, note.VerifierList(v)); err != nil {
		t.Fatalf("x/mod note.Open: %v", err)
	}
	got, other, _, err := tdlog.ParseCheckpoint(cp.Note, l.Origin(), v)
	if err != nil {
		t.Fatalf("transparency-dev ParseCheckpoint: %v", err)
	}
	if got.Size != cp.Size || string(got.Hash) != string(cp.Root[:]) || !strings.HasPrefix(string(other), "heads 3 ") {
		t.Fatalf("transparency-dev read size %d hash %x other %q", got.Size, got.Hash, other)
	}
	// The lines are signed: changing one breaks the signature.
	forged := strings.Replace(string(cp.Note), "time 2026-01-15T09:00:00Z", "time 2026-01-16T09:00:00Z", 1)
	if _, err := l.ParseNote([]byte(forged)); err == nil {
		t.Fatal("a checkpoint with a changed time line passed")
	}
}

// Extension lines have one spelling each and come once.
func TestParseExtensionsRefusesOtherSpellings(t *testing.T) {
	root := "GnmMAHJedvdgJumh2RGjurWxKksGmmrSYOpFt6l8hF4="
	body := "o\n3\n" + root + "\n"
	for name, bad := range map[string]string{
		"heads twice":       "heads 1 " + root + "\nheads 1 " + root + "\n",
		"time before heads": "time 2026-01-15T09:00:00Z\nheads 1 " + root + "\n",
		"fractional time":   "time 2026-01-15T09:00:00.5Z\n",
		"offset time":       "time 2026-01-15T14:00:00+05:00\n",
		"bad root":          "heads 1 GnmMAHJedvdg\n",
		"size leading 0":    "heads 01 " + root + "\n",
	} {
		if _, err := ParseExtensions(body + bad); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	x, err := ParseExtensions(body + "heads 1 " + root + "\nsomething else\ntime 2026-01-15T09:00:00Z\n")
	if err != nil || !x.HasHeads || x.HeadsSize != 1 || x.Time.IsZero() {
		t.Fatalf("%+v %v", x, err)
	}
}

// Heads written many to a commit, several of one item, are kept in memory
// and stored and hashed once before the commit: after every commit the
// stored heads are the latest written, every stored hash is that of what
// it covers and the root is a from-scratch tree's; a write that fails
// leaves nothing behind, and within a write a head reads as last written.
func TestBatchedHeadUpdatesMatchATreeBuiltFromScratch(t *testing.T) {
	store, _ := openHeadsStore(t)
	rng := rand.New(rand.NewPCG(3, 4))
	heads := map[uint64]Head{}
	var size uint64
	errFail := errors.New("this write fails")
	for commit := 0; commit < 120; commit++ {
		next, nextSize := maps.Clone(heads), size
		fail := commit%9 == 8
		err := store.Write(context.Background(), func(tx *ledger.Tx) error {
			for k := 0; k < 1+rng.IntN(40); k++ {
				item := uint64(rng.IntN(int(max(size, 8)))) + 1
				if rng.IntN(20) == 0 {
					item = nextSize + uint64(rng.IntN(300)) + 1 // grow over a gap
				}
				h := next[item]
				h.Item = item
				var leaf tlog.Hash
				leaf[0], leaf[1], leaf[2] = byte(commit), byte(k), byte(rng.IntN(256))
				if rng.IntN(2) == 0 {
					h.Entries, h.EntryLeaf, h.EntryHash = h.Entries+1, uint64(commit*100+k), leaf
				} else {
					h.Txns, h.TxnLeaf, h.TxnHash = h.Txns+1, uint64(commit*100+k), leaf
				}
				if err := writeHead(tx, h); err != nil {
					return err
				}
				if got, err := ReadHead(tx, item); err != nil || got != h || !hasHead(tx, item) {
					t.Fatalf("commit %d: item %d reads %+v within its write, want %+v (%v)", commit, item, got, h, err)
				}
				next[item], nextSize = h, max(nextSize, item)
			}
			if fail {
				return errFail
			}
			return nil
		})
		if fail != errors.Is(err, errFail) || !fail && err != nil {
			t.Fatalf("commit %d: %v", commit, err)
		}
		if !fail {
			heads, size = next, nextSize
		}
		store.View(func(tx *ledger.Tx) error {
			n, root, err := HeadsRoot(tx)
			if err != nil || n != size || root != naiveRoot(heads, size) {
				t.Fatalf("commit %d: size %d root %x, want %d %x (%v)", commit, n, root, size, naiveRoot(heads, size), err)
			}
			if err := checkHeadHashes(tx, size); err != nil {
				t.Fatalf("commit %d: %v", commit, err)
			}
			if got := tx.Len(ledger.ChainHeads); got != len(heads) {
				t.Fatalf("commit %d: %d heads stored, want %d", commit, got, len(heads))
			}
			for item, want := range heads {
				if got, err := ReadHead(tx, item); err != nil || got != want {
					t.Fatalf("commit %d: stored head of item %d is %+v, want %+v (%v)", commit, item, got, want, err)
				}
			}
			if tx.Len(ledger.ChainHeadsDirty) != 0 {
				t.Fatalf("commit %d: the marks bucket is written", commit)
			}
			return nil
		})
	}
}

// A store written when the hashes below blockLevel were stored keeps its
// root (nothing reads them), passes its check, and drops them on its next
// read-write open (BuildHeads).
func TestHashesBelowTheBlockLevelAreDroppedAndNeverRead(t *testing.T) {
	store, _ := openHeadsStore(t)
	err := store.Write(context.Background(), func(tx *ledger.Tx) error {
		for item := uint64(1); item <= 40; item++ {
			if err := noteEntry(tx, item, item, tlog.Hash{byte(item)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var root tlog.Hash
	err = store.Write(context.Background(), func(tx *ledger.Tx) error {
		_, root, err = HeadsRoot(tx)
		for level := 0; level < blockLevel; level++ {
			if err := putHeadHash(tx, level, 1, tlog.Hash{0xee}); err != nil { // stale, as an older store's
				return err
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	check := func(current bool) {
		t.Helper()
		store.View(func(tx *ledger.Tx) error {
			_, got, err := HeadsRoot(tx)
			if err != nil || got != root {
				t.Fatalf("root %x, want %x (%v)", got, root, err)
			}
			if err := checkHeadHashes(tx, 40); err != nil {
				t.Fatal(err)
			}
			if HeadsCurrent(tx) != current {
				t.Fatalf("HeadsCurrent is %v", !current)
			}
			return nil
		})
	}
	check(false)
	if err := store.Write(context.Background(), func(tx *ledger.Tx) error {
		return BuildHeads(tx, func(uint64) (uint64, error) { return 0, nil })
	}); err != nil {
		t.Fatal(err)
	}
	check(true)
}

// A head's leaf hash is tlog's record hash of its bytes.
func TestHeadLeafHashIsTheRecordHashOfItsBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 200; i++ {
		h := Head{Item: rng.Uint64() | 1, Entries: uint64(rng.IntN(3)), Txns: uint64(rng.IntN(3))}
		if h.Entries > 0 {
			h.EntryLeaf, h.EntryHash = rng.Uint64(), tlog.Hash{byte(i), 1}
		}
		if h.Txns > 0 {
			h.TxnLeaf, h.TxnHash = rng.Uint64(), tlog.Hash{byte(i), 2}
		}
		if h.leafHash() != tlog.RecordHash(h.Bytes()) {
			t.Fatalf("%+v: leaf hash differs from the record hash of %q", h, h.Bytes())
		}
	}
}

// An item's head is read from the commit's memory, and a head past the size
// the store held is not read from the store: after the commit's heads are
// stored (flushHeads, as the checkpoint's signing does) they are read back
// from the store, and a rolled-back write leaves nothing of what it noted.
func TestHeadReadsKeepCountAcrossAFlushAndARollback(t *testing.T) {
	store, _ := openHeadsStore(t)
	errFail := errors.New("this write fails")
	note := func(tx *ledger.Tx, item uint64, n int) {
		t.Helper()
		for i := 0; i < n; i++ {
			if err := noteEntry(tx, item, uint64(i), tlog.Hash{byte(item), byte(i)}); err != nil {
				t.Error(err)
			}
		}
	}
	entries := func(tx *ledger.Tx, item uint64) uint64 {
		t.Helper()
		h, err := ReadHead(tx, item)
		if err != nil {
			t.Error(err)
		}
		return h.Entries
	}
	if err := store.Write(context.Background(), func(tx *ledger.Tx) error {
		note(tx, 5, 2)
		if err := flushHeads(tx); err != nil {
			return err
		}
		note(tx, 5, 1)
		note(tx, 3, 1)
		if got := entries(tx, 5); got != 3 {
			t.Errorf("item 5 reads %d entries after its heads were stored within the commit, want 3", got)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := store.Write(context.Background(), func(tx *ledger.Tx) error {
		note(tx, 40, 2)
		note(tx, 5, 1)
		return errFail
	}); !errors.Is(err, errFail) {
		t.Fatalf("the failing write: %v", err)
	}
	if err := store.Write(context.Background(), func(tx *ledger.Tx) error {
		note(tx, 40, 1)
		note(tx, 5, 1)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	store.View(func(tx *ledger.Tx) error {
		for item, want := range map[uint64]uint64{3: 1, 5: 4, 40: 1} {
			if got := entries(tx, item); got != want {
				t.Fatalf("item %d has %d entries stored, want %d", item, got, want)
			}
		}
		heads := map[uint64]Head{}
		for _, item := range []uint64{3, 5, 40} {
			heads[item], _ = ReadHead(tx, item)
		}
		if n, root, err := HeadsRoot(tx); err != nil || n != 40 || root != naiveRoot(heads, 40) {
			t.Fatalf("size %d root %x, want 40 %x (%v)", n, root, naiveRoot(heads, 40), err)
		}
		return checkHeadHashes(tx, 40)
	})
}
