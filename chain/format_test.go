package chain

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/amanat-ledger/amanat/ledger"
)

var update = flag.Bool("update", false, "rewrite the worked example in docs/custody-format.md")

const formatDoc = "../docs/custody-format.md"

// exampleLog is the store of the worked example: a fixed key, a fixed clock,
// one seizure (ledger transaction 1, custody entry 1) and one transfer.
func exampleLog(t *testing.T) (*testLog, []byte) {
	t.Helper()
	dir := t.TempDir()
	l := &testLog{dir: dir, db: filepath.Join(dir, "amanat.db"), key: filepath.Join(dir, "amanat.db.key"), now: time.Date(2025, 6, 2, 11, 30, 0, 0, time.UTC)}
	skey, _, err := note.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{7}, 64)), "amanat.custody/0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(l.key, []byte(skey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	l.open(t)
	seized := seizedEntry(1, 0)
	seized.Attachments = seized.Attachments[:1]
	if _, err := l.seizeWith(seized, "1500.00"); err != nil {
		t.Fatal(err)
	}
	l.append(t, Entry{Item: 1, Event: EventTransferred, At: time.Date(2025, 6, 2, 11, 0, 0, 0, time.UTC), RecordedBy: "custodian:asma",
		From: "SI Bilal", To: "Malkhana In-charge Asif", Purpose: "deposit in the malkhana",
		Remarks: "handed over in a sealed bag; receipt form \"MK-7\" signed"})
	l.itemRecord(t, 1, "USD 1,500.00 in notes, seal FIA-ISB-0001")
	b, err := l.c.ExportItem(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	return l, b
}

func (l *testLog) seizeWith(e Entry, amount string) (Entry, error) {
	var out Entry
	err := l.store.Write(context.Background(), func(tx *ledger.Tx) error {
		txn, err := postSeizure(tx, e.Item, amount)
		if err != nil {
			return err
		}
		e.LedgerTxn = txn.ID
		out, err = l.c.Append(tx, e)
		return err
	})
	return out, err
}

// TestFormatExample keeps docs/custody-format.md's worked example equal to
// what the code writes (go test ./chain -run TestFormatExample -update
// rewrites it).
func TestFormatExample(t *testing.T) {
	_, bundle := exampleLog(t)
	var b Bundle
	if err := json.Unmarshal(bundle, &b); err != nil {
		t.Fatal(err)
	}
	e := b.Entries[1]
	var w strings.Builder
	fmt.Fprintf(&w, "The public key (`GET /v1/custody/key`, `public_key` in a bundle):\n\n```\n%s\n```\n\n", b.PublicKey)
	fmt.Fprintf(&w, "Custody entry %d (leaf %d), its canonical bytes exactly (every line ends in one newline, `\\n`):\n\n```\n%s```\n\n", e.ID, e.LeafIndex, e.Canonical)
	fmt.Fprintf(&w, "Its leaf hash, SHA-256 of one zero byte followed by those bytes:\n\n```\n%s\n```\n\n", e.LeafHash)
	fmt.Fprintf(&w, "The signed checkpoint of the tree of %d leaves (body, blank line, signature line):\n\n```\n%s```\n\n", b.TreeSize, b.Checkpoint)
	fmt.Fprintf(&w, "The root hash in hex: `%s`.\n\n", b.RootHash)
	fmt.Fprintf(&w, "The inclusion proof of leaf %d in the tree of %d leaves (`proof` in the bundle):\n\n```\n%s\n```\n\n", e.LeafIndex, b.TreeSize, strings.Join(e.Proof, "\n"))
	t0 := b.Transactions[0]
	fmt.Fprintf(&w, "Leaf 0 is ledger transaction %d, whose canonical bytes are\n\n```\n%s```\n\nwith leaf hash `%s`; leaf 1 is custody entry 1 with leaf hash `%s`.\n",
		t0.ID, t0.Canonical, t0.LeafHash, b.Entries[0].LeafHash)
	fmt.Fprintf(&w, "\nLeaf 3 is the item's own record. The item's head (`head` in the bundle, leaf %d of the head commitment of %d leaves), its bytes exactly:\n\n```\n%s```\n\n", b.Head.LeafIndex, b.HeadsSize, b.Head.Canonical)
	fmt.Fprintf(&w, "Its leaf hash `%s` is the whole commitment's root (`heads_root`, the base64 of the checkpoint's `heads` line) since the store has one item; its proof is empty (`[]`).\n", b.Head.LeafHash)
	want := w.String()

	doc, err := os.ReadFile(formatDoc)
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- example:begin -->\n", "<!-- example:end -->"
	i, j := bytes.Index(doc, []byte(begin)), bytes.Index(doc, []byte(end))
	if i < 0 || j < i {
		t.Fatalf("%s has no example markers", formatDoc)
	}
	if *update {
		out := append(append(append([]byte{}, doc[:i+len(begin)]...), want...), doc[j:]...)
		if err := os.WriteFile(formatDoc, out, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("testdata/example-bundle.json", bundle, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got := string(doc[i+len(begin) : j]); got != want {
		t.Errorf("the worked example in %s is out of date; run go test ./chain -run TestFormatExample -update\n--- doc\n%s\n--- code\n%s", formatDoc, got, want)
	}
	if saved, err := os.ReadFile("testdata/example-bundle.json"); err != nil || !bytes.Equal(saved, bundle) {
		t.Errorf("testdata/example-bundle.json is out of date (%v); run with -update", err)
	}
}
