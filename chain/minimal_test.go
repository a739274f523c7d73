package chain

// A second verifier of court bundles, written from docs/custody-format.md
// alone: standard library only, none of this package's encoder, tlog or
// note. If the page and the code ever disagree, these tests fail.

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

type mRecord struct {
	Kind      string   `json:"kind,omitempty"`
	ID        uint64   `json:"id"`
	LeafIndex uint64   `json:"leaf_index"`
	LeafHash  string   `json:"leaf_hash"`
	Canonical string   `json:"canonical"`
	Proof     []string `json:"proof"`
}

type mBundle struct {
	Format       string    `json:"format"`
	Item         uint64    `json:"item"`
	Origin       string    `json:"origin"`
	PublicKey    string    `json:"public_key"`
	Checkpoint   string    `json:"checkpoint"`
	TreeSize     uint64    `json:"tree_size"`
	RootHash     string    `json:"root_hash"`
	Entries      []mRecord `json:"entries"`
	Transactions []mRecord `json:"transactions"`
	Records      []mRecord `json:"records,omitempty"`
}

func mHash(parts ...[]byte) []byte {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}

// mCheckSignature: section 5.
func mCheckSignature(pub, note string) (body string, err error) {
	f := strings.SplitN(pub, "+", 3)
	if len(f) != 3 {
		return "", errors.New("public key is not name+hash+key")
	}
	name := f[0]
	key, err := base64.StdEncoding.DecodeString(f[2])
	if err != nil || len(key) != 33 || key[0] != 1 {
		return "", errors.New("public key is not 0x01 and 32 bytes")
	}
	keyHash := mHash([]byte(name), []byte("\n"), key)[:4]
	if hex.EncodeToString(keyHash) != f[1] {
		return "", errors.New("key hash does not match the key")
	}
	body, sigs, ok := strings.Cut(note, "\n\n")
	if !ok {
		return "", errors.New("no blank line in the checkpoint")
	}
	body += "\n"
	for _, line := range strings.Split(strings.TrimSuffix(sigs, "\n"), "\n") {
		rest, ok := strings.CutPrefix(line, "\u2014 ")
		if !ok {
			return "", errors.New("signature line without an em dash")
		}
		who, b64, _ := strings.Cut(rest, " ")
		sig, err := base64.StdEncoding.DecodeString(b64)
		if who != name || err != nil || len(sig) != 4+64 || !bytes.Equal(sig[:4], keyHash) {
			continue
		}
		if ed25519.Verify(ed25519.PublicKey(key[1:]), []byte(body), sig[4:]) {
			return body, nil
		}
		return "", errors.New("bad signature")
	}
	return "", errors.New("no signature by the bundle's key")
}

// mCheckInclusion: section 6, RFC 9162 2.1.3.2.
func mCheckInclusion(m, n uint64, leaf []byte, proof []string, root []byte) error {
	if m >= n {
		return errors.New("leaf beyond the tree")
	}
	fn, sn, r := m, n-1, leaf
	for _, ph := range proof {
		p, err := hex.DecodeString(ph)
		if err != nil || len(p) != 32 {
			return errors.New("proof hash is not hex SHA-256")
		}
		if sn == 0 {
			return errors.New("proof too long")
		}
		if fn%2 == 1 || fn == sn {
			r = mHash([]byte{1}, p, r)
			if fn%2 == 0 {
				for fn%2 == 0 && fn != 0 {
					fn >>= 1
					sn >>= 1
				}
			}
		} else {
			r = mHash([]byte{1}, r, p)
		}
		fn >>= 1
		sn >>= 1
	}
	if sn != 0 || !bytes.Equal(r, root) {
		return errors.New("proof does not lead to the root")
	}
	return nil
}

// mField finds "key value" in canonical bytes (section 2).
func mField(canonical, key string) string {
	for _, line := range strings.Split(canonical, "\n") {
		if v, ok := strings.CutPrefix(line, key+" "); ok {
			return v
		}
	}
	return ""
}

// mVerify: section 7, steps 1 to 4.
func mVerify(data []byte, trustedKey string) error {
	var b mBundle
	if err := json.Unmarshal(data, &b); err != nil {
		return err
	}
	if b.Format != "amanat-custody-bundle/1" {
		return errors.New("unknown format")
	}
	if b.PublicKey != trustedKey {
		return errors.New("not the published key")
	}
	body, err := mCheckSignature(b.PublicKey, b.Checkpoint)
	if err != nil {
		return err
	}
	lines := strings.Split(body, "\n")
	if len(lines) < 4 || lines[0] != b.Origin || lines[1] != strconv.FormatUint(b.TreeSize, 10) {
		return errors.New("checkpoint body differs from the bundle")
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || hex.EncodeToString(root) != b.RootHash {
		return errors.New("checkpoint root differs from root_hash")
	}
	check := func(r mRecord) error {
		leaf := mHash([]byte{0}, []byte(r.Canonical))
		if hex.EncodeToString(leaf) != r.LeafHash {
			return fmt.Errorf("record %d: leaf hash", r.ID)
		}
		if err := mCheckInclusion(r.LeafIndex, b.TreeSize, leaf, r.Proof, root); err != nil {
			return fmt.Errorf("record %d: %w", r.ID, err)
		}
		return nil
	}
	prev := "none"
	named := map[string]bool{}
	for i, r := range b.Entries {
		if err := check(r); err != nil {
			return err
		}
		c := r.Canonical
		if !strings.HasPrefix(c, "amanat-custody/1\n") || mField(c, "seq") != fmt.Sprint(r.ID) ||
			mField(c, "leaf_index") != fmt.Sprint(r.LeafIndex) || mField(c, "item") != fmt.Sprint(b.Item) ||
			mField(c, "item_seq") != fmt.Sprint(i+1) {
			return fmt.Errorf("entry %d: does not say what the bundle says", r.ID)
		}
		if mField(c, "prev_hash") != prev {
			return fmt.Errorf("entry %d: broken chain", r.ID)
		}
		prev = r.LeafHash
		if t := mField(c, "ledger_txn"); t != "0" {
			named[t] = true
		}
	}
	for _, r := range b.Transactions {
		if err := check(r); err != nil {
			return err
		}
		if mField(r.Canonical, "id") != fmt.Sprint(r.ID) {
			return fmt.Errorf("transaction %d: id line differs", r.ID)
		}
		delete(named, fmt.Sprint(r.ID))
	}
	if len(named) != 0 || len(b.Entries) == 0 {
		return errors.New("a named transaction is missing, or no entries")
	}
	for _, r := range b.Records {
		if err := check(r); err != nil {
			return err
		}
		if !strings.HasPrefix(r.Canonical, fmt.Sprintf("amanat-record/1\nkind %s\nid %d\n", r.Kind, r.ID)) || r.ID != b.Item {
			return fmt.Errorf("record %s %d: does not say what the bundle says", r.Kind, r.ID)
		}
	}
	return nil
}

func TestMinimalVerifierAcceptsBundles(t *testing.T) {
	saved, err := os.ReadFile("testdata/example-bundle.json")
	if err != nil {
		t.Fatal(err)
	}
	var b mBundle
	if err := json.Unmarshal(saved, &b); err != nil {
		t.Fatal(err)
	}
	if err := mVerify(saved, b.PublicKey); err != nil {
		t.Fatalf("the documented example: %v", err)
	}

	l := busyLog(t)
	l.itemRecord(t, 1, "a brown envelope of USD notes, seal FIA-ISB-0001")
	for item := uint64(1); item <= 2; item++ {
		data, err := l.c.ExportItem(context.Background(), item)
		if err != nil {
			t.Fatal(err)
		}
		var b mBundle
		if err := json.Unmarshal(data, &b); err != nil {
			t.Fatal(err)
		}
		if want := map[uint64]int{1: 1, 2: 0}[item]; len(b.Records) != want {
			t.Fatalf("item %d: %d records in the bundle, want %d", item, len(b.Records), want)
		}
		if err := mVerify(data, l.c.PublicKey()); err != nil {
			t.Fatalf("item %d: %v", item, err)
		}
		if _, err := CheckBundle(data, l.c.PublicKey()); err != nil {
			t.Fatalf("item %d, production checker: %v", item, err)
		}
	}
}

// Every byte that matters is covered: both verifiers refuse a bundle with
// any one of them changed.
func TestBundleTamperingIsRefused(t *testing.T) {
	l := busyLog(t)
	l.itemRecord(t, 1, "a brown envelope of USD notes, seal FIA-ISB-0001")
	data, err := l.c.ExportItem(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	key := l.c.PublicKey()
	edits := map[string]func(b *mBundle){
		"a custody fact": func(b *mBundle) { b.Entries[1].Canonical = strings.Replace(b.Entries[1].Canonical, "Asif", "Asim", 1) },
		"an amount": func(b *mBundle) {
			b.Transactions[0].Canonical = strings.Replace(b.Transactions[0].Canonical, "1500.00", "1400.00", 1)
		},
		"an entry left out":   func(b *mBundle) { b.Entries = append(b.Entries[:1], b.Entries[2:]...) },
		"two entries swapped": func(b *mBundle) { b.Entries[1], b.Entries[2] = b.Entries[2], b.Entries[1] },
		"a proof hash":        func(b *mBundle) { b.Entries[0].Proof[0] = strings.Repeat("0", 64) },
		"the signature": func(b *mBundle) {
			b.Checkpoint = strings.Replace(b.Checkpoint, "\n\n\u2014", "\n\n\u2014", 1)[:len(b.Checkpoint)-6] + "AAAA=\n"
		},
		"the tree size":            func(b *mBundle) { b.TreeSize++ },
		"the linked transaction":   func(b *mBundle) { b.Transactions = nil },
		"another key":              func(b *mBundle) { b.PublicKey = strings.Replace(b.PublicKey, "+", "+0", 1) },
		"a leaf index":             func(b *mBundle) { b.Entries[2].LeafIndex-- },
		"the checkpoint root line": func(b *mBundle) { b.RootHash = strings.Repeat("a", 64) },
		"the item's own record": func(b *mBundle) {
			b.Records[0].Canonical = strings.Replace(b.Records[0].Canonical, "brown", "green", 1)
		},
		"another item's record": func(b *mBundle) { b.Records[0].ID = 2 },
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			var b mBundle
			if err := json.Unmarshal(data, &b); err != nil {
				t.Fatal(err)
			}
			edit(&b)
			bad, _ := json.Marshal(b)
			if err := mVerify(bad, key); err == nil {
				t.Error("minimal verifier accepted it")
			}
			if _, err := CheckBundle(bad, key); err == nil {
				t.Error("CheckBundle accepted it")
			}
		})
	}
}
