package ledger

import (
	"path/filepath"
	"testing"
)

func TestSchemaNamesAreUniqueAndCreated(t *testing.T) {
	seen := map[string]bool{}
	for _, b := range Schema {
		if seen[b.Name()] || b.Owner == "" || b.Holds == "" {
			t.Fatalf("bucket %q is declared twice or undocumented", b.Name())
		}
		seen[b.Name()] = true
	}
	s, err := Open(filepath.Join(t.TempDir(), "s.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Write(t.Context(), func(tx *Tx) error {
		if err := tx.Create(); err != nil {
			return err
		}
		for _, b := range Schema {
			if !tx.Has(b) {
				t.Errorf("bucket %s not created", b.Name())
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestBucketAccessThroughTx(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "s.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Write(t.Context(), func(tx *Tx) error {
		id, err := tx.NextSequence(FinanceRates)
		if err != nil || id != 1 {
			t.Fatalf("NextSequence = %d, %v", id, err)
		}
		for _, k := range []string{"b", "a", "c"} {
			if err := tx.Put(FinanceRates, []byte(k), []byte("v"+k)); err != nil {
				return err
			}
		}
		return tx.Delete(FinanceRates, []byte("c"))
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(func(tx *Tx) error {
		if string(tx.Get(FinanceRates, []byte("a"))) != "va" || tx.Get(FinanceRates, []byte("c")) != nil {
			t.Error("Get after Put and Delete")
		}
		var keys string
		c := tx.Cursor(FinanceRates)
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			keys += string(k)
		}
		if keys != "ab" || tx.Len(FinanceRates) != 2 || tx.Sequence(FinanceRates) != 1 {
			t.Errorf("keys %q, len %d, sequence %d", keys, tx.Len(FinanceRates), tx.Sequence(FinanceRates))
		}
		if k, _ := tx.Cursor(AuthTokens).First(); k != nil {
			t.Error("a cursor on an empty bucket found a key")
		}
		if err := tx.Put(FinanceRates, []byte("x"), nil); err == nil {
			t.Error("Put in a read-only transaction")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
