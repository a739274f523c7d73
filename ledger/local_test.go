package ledger

import (
	"context"
	"errors"
	"testing"
)

// A transaction's Local value is made once and kept for that transaction
// alone: its BeforeCommit hook sees it, and the next write, or the next
// attempt after a rollback, starts without it.
func TestLocalIsKeptForItsTransactionAlone(t *testing.T) {
	s := mustOpen(t)
	type counter struct{ n int }
	get := func(tx *Tx) *counter { return tx.Local("test", func() any { return &counter{} }).(*counter) }
	var seen []int
	for _, fail := range []bool{false, true, false} {
		err := s.Write(context.Background(), func(tx *Tx) error {
			if tx.Local("test", nil) != nil {
				t.Fatal("a new transaction has a Local value already")
			}
			get(tx).n++
			get(tx).n++
			tx.BeforeCommit("test", func(tx *Tx) error { seen = append(seen, get(tx).n); return nil })
			if fail {
				return errors.New("this write fails")
			}
			return nil
		})
		if fail != (err != nil) {
			t.Fatalf("write (fail %v): %v", fail, err)
		}
	}
	if len(seen) != 2 || seen[0] != 2 || seen[1] != 2 {
		t.Fatalf("the hooks saw %v, want [2 2]", seen)
	}
}
