package log

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/amanat-ledger/amanat/ledger"
)

// TestWitnessNeverMovesBackwards: an older checkpoint never replaces the
// witness file's newer one, or a rollback to it would pass.
func TestWitnessNeverMovesBackwards(t *testing.T) {
	dir := t.TempDir()
	store, err := ledger.Open(filepath.Join(dir, "amanat.db"), ledger.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	key := filepath.Join(dir, "amanat.db.key")
	l, err := Open(store, key, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	leaf := func(id uint64, data string) {
		t.Helper()
		err := store.Write(context.Background(), func(tx *ledger.Tx) error {
			l.SignOnCommit(tx)
			_, _, err := AppendLeaf(tx, KindCustody, id, []byte(data))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	leaf(1, "the first leaf")
	var old []byte
	store.View(func(tx *ledger.Tx) error {
		old = append([]byte(nil), tx.Get(ledger.ChainMeta, []byte("checkpoint"))...)
		return nil
	})
	leaf(2, "the second leaf")
	if err := l.Close(); err != nil { // writes the newest checkpoint
		t.Fatal(err)
	}
	newest, err := os.ReadFile(WitnessPath(key))
	if err != nil {
		t.Fatal(err)
	}
	l.maybeWitness(old, true)
	got, err := os.ReadFile(WitnessPath(key))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(newest) || string(old) == string(newest) {
		t.Fatalf("the witness moved back to the older checkpoint")
	}
}
