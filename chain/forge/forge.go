package forge

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/amanat-ledger/amanat/chain/log"
)

// Record is one leaf of a bundle with its inclusion proof.
type Record struct {
	Kind      string   `json:"kind,omitempty"`
	ID        uint64   `json:"id"`
	LeafIndex uint64   `json:"leaf_index"`
	LeafHash  string   `json:"leaf_hash"`
	Canonical string   `json:"canonical"`
	Proof     []string `json:"proof"`
}

// Bundle is a court bundle as its JSON holds it.
type Bundle struct {
	Format       string   `json:"format"`
	Item         uint64   `json:"item"`
	Origin       string   `json:"origin"`
	PublicKey    string   `json:"public_key"`
	Checkpoint   string   `json:"checkpoint"`
	TreeSize     uint64   `json:"tree_size"`
	RootHash     string   `json:"root_hash"`
	Entries      []Record `json:"entries"`
	Transactions []Record `json:"transactions"`
	Records      []Record `json:"records,omitempty"`
	HeadsSize    uint64   `json:"heads_size,omitempty"`
	HeadsRoot    string   `json:"heads_root,omitempty"`
	Head         *Record  `json:"head,omitempty"`
	// KeepHead has Resign leave the head, its proof and the heads line as
	// they are: a forgery that only the head should catch. By default
	// Resign rebuilds them from what the edited bundle holds.
	KeepHead bool `json:"-"`
}

// Read decodes a bundle, refusing fields this package does not know (a
// field it dropped would make every forgery fail for the wrong reason).
func Read(data []byte) (*Bundle, error) {
	var b Bundle
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("read bundle: %w", err)
	}
	return &b, nil
}

// Line is the value of the first "key value" line of canonical bytes.
func Line(canonical, key string) (string, bool) {
	for _, l := range strings.Split(canonical, "\n") {
		if v, ok := strings.CutPrefix(l, key+" "); ok {
			return v, true
		}
	}
	return "", false
}

// SetLine replaces the value of the first "key value" line; it panics when
// there is none, so that a test never forges something other than it says.
func SetLine(canonical, key, value string) string {
	lines := strings.Split(canonical, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, key+" ") {
			lines[i] = key + " " + value
			return strings.Join(lines, "\n")
		}
	}
	panic(fmt.Sprintf("forge: no %q line in %q", key, canonical))
}

// InsertBefore puts line before the first line that starts with key and a
// space; it panics when there is none.
func InsertBefore(canonical, key, line string) string {
	i := strings.Index(canonical, "\n"+key+" ")
	if i < 0 {
		panic(fmt.Sprintf("forge: no %q line in %q", key, canonical))
	}
	return canonical[:i+1] + line + "\n" + canonical[i+1:]
}

// memHashes is a tlog.HashReader over the stored hashes of a tree.
type memHashes []tlog.Hash

func (m *memHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(*m)) {
			return nil, fmt.Errorf("hash %d not stored", x)
		}
		out[i] = (*m)[x]
	}
	return out, nil
}

// Resign makes the bundle consistent again after edits to what it holds:
// each entry's prev_hash names the leaf hash of the entry before it, every
// leaf hash is recomputed from its canonical bytes, the tree of tree_size
// leaves is rebuilt with each record at its leaf_index (the leaves the
// bundle does not show get stand-in hashes: a verifier sees only the
// bundle), every proof and the root are recomputed, and the checkpoint is
// signed anew with skey, a signed-note private key as the store's key file
// holds it. It returns the bundle as indented JSON.
func (b *Bundle) Resign(skey string) ([]byte, error) {
	if _, err := note.NewSigner(strings.TrimSpace(skey)); err != nil {
		return nil, fmt.Errorf("forge: signing key: %w", err)
	}
	for i := range b.Entries {
		r := &b.Entries[i]
		if i > 0 {
			if _, ok := Line(r.Canonical, "prev_hash"); ok {
				r.Canonical = SetLine(r.Canonical, "prev_hash", b.Entries[i-1].LeafHash)
			}
		}
		h := tlog.RecordHash([]byte(r.Canonical))
		r.LeafHash = log.HashHex(h)
	}
	all := []*Record{}
	for _, list := range [][]Record{b.Entries, b.Transactions, b.Records} {
		for i := range list {
			all = append(all, &list[i])
		}
	}
	at := map[uint64]tlog.Hash{}
	for _, r := range all {
		h := tlog.RecordHash([]byte(r.Canonical))
		r.LeafHash = log.HashHex(h)
		if r.LeafIndex >= b.TreeSize {
			return nil, fmt.Errorf("forge: leaf %d is beyond tree_size %d", r.LeafIndex, b.TreeSize)
		}
		if old, ok := at[r.LeafIndex]; ok && old != h {
			return nil, fmt.Errorf("forge: two different records at leaf %d", r.LeafIndex)
		}
		at[r.LeafIndex] = h
	}
	var hashes memHashes
	for i := uint64(0); i < b.TreeSize; i++ {
		h, ok := at[i]
		if !ok {
			h = tlog.RecordHash([]byte(fmt.Sprintf("forge: leaf %d is not in the bundle", i)))
		}
		hs, err := tlog.StoredHashesForRecordHash(int64(i), h, &hashes)
		if err != nil {
			return nil, fmt.Errorf("forge: tree: %w", err)
		}
		hashes = append(hashes, hs...)
	}
	root, err := tlog.TreeHash(int64(b.TreeSize), &hashes)
	if err != nil {
		return nil, fmt.Errorf("forge: root: %w", err)
	}
	for _, r := range all {
		p, err := tlog.ProveRecord(int64(b.TreeSize), int64(r.LeafIndex), &hashes)
		if err != nil {
			return nil, fmt.Errorf("forge: proof of leaf %d: %w", r.LeafIndex, err)
		}
		r.Proof = make([]string, len(p))
		for i, h := range p {
			r.Proof[i] = log.HashHex(h)
		}
	}
	b.RootHash = log.HashHex(root)

	// The checkpoint keeps its origin line and any extension lines; the
	// heads line becomes that of the rebuilt head unless KeepHead.
	body, _, _ := strings.Cut(b.Checkpoint, "\n\n")
	lines := strings.SplitN(body, "\n", 4)
	text := lines[0] + "\n" + strconv.FormatUint(b.TreeSize, 10) + "\n" + base64.StdEncoding.EncodeToString(root[:]) + "\n"
	if len(lines) == 4 && lines[3] != "" {
		ext := lines[3]
		if b.Head != nil && !b.KeepHead {
			if ext, err = b.rebuildHead(ext); err != nil {
				return nil, err
			}
		}
		text += ext + "\n"
	}
	if b.Checkpoint, err = sign(text, skey); err != nil {
		return nil, err
	}
	return b.marshal()
}

// sign signs text as a note with skey.
func sign(text, skey string) (string, error) {
	signer, err := note.NewSigner(strings.TrimSpace(skey))
	if err != nil {
		return "", fmt.Errorf("forge: signing key: %w", err)
	}
	msg, err := note.Sign(&note.Note{Text: text}, signer)
	if err != nil {
		return "", fmt.Errorf("forge: sign: %w", err)
	}
	return string(msg), nil
}

func (b *Bundle) marshal() ([]byte, error) {
	out, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("forge: %w", err)
	}
	return append(out, '\n'), nil
}

// rebuildHead makes the bundle's head count and name its last entry and
// transaction, proves it in a head commitment of heads_size leaves whose
// other leaves are stand-ins, and returns the extension lines ext with the
// heads line of that commitment.
func (b *Bundle) rebuildHead(ext string) (string, error) {
	line := func(key string, rs []Record) string {
		if len(rs) == 0 {
			return key + " 0"
		}
		last := rs[len(rs)-1]
		return fmt.Sprintf("%s %d %d %s", key, len(rs), last.LeafIndex, last.LeafHash)
	}
	h := b.Head
	h.Canonical = fmt.Sprintf("%s\nitem %d\n%s\n%s\n", log.HeadFormat, b.Item, line("entries", b.Entries), line("txns", b.Transactions))
	leaf := tlog.RecordHash([]byte(h.Canonical))
	h.LeafHash = log.HashHex(leaf)
	var hashes memHashes
	for i := uint64(0); i < b.HeadsSize; i++ {
		x := tlog.RecordHash([]byte(fmt.Sprintf("forge: head %d is not in the bundle", i)))
		if i == h.LeafIndex {
			x = leaf
		}
		hs, err := tlog.StoredHashesForRecordHash(int64(i), x, &hashes)
		if err != nil {
			return "", fmt.Errorf("forge: heads: %w", err)
		}
		hashes = append(hashes, hs...)
	}
	root, err := tlog.TreeHash(int64(b.HeadsSize), &hashes)
	if err != nil {
		return "", fmt.Errorf("forge: heads root: %w", err)
	}
	p, err := tlog.ProveRecord(int64(b.HeadsSize), int64(h.LeafIndex), &hashes)
	if err != nil {
		return "", fmt.Errorf("forge: head proof: %w", err)
	}
	h.Proof = make([]string, len(p))
	for i, x := range p {
		h.Proof[i] = log.HashHex(x)
	}
	b.HeadsRoot = log.HashHex(root)
	lines := strings.Split(ext, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "heads ") {
			lines[i] = fmt.Sprintf("heads %d %s", b.HeadsSize, base64.StdEncoding.EncodeToString(root[:]))
		}
	}
	return strings.Join(lines, "\n"), nil
}
