package service

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/amanat-ledger/amanat/chain/witness"
)

func TestOpenWiresEveryServiceAndReadOnlyCreatesNothing(t *testing.T) {
	db := filepath.Join(t.TempDir(), "amanat.db")
	svc, err := Open(db, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if svc.Custody == nil || svc.Evidence == nil || svc.Finance == nil || svc.Tokens == nil || svc.Evidence.Value == nil {
		t.Fatalf("a writable open lacks a service: %+v", svc)
	}
	if svc.KeyPath != db+".key" {
		t.Fatalf("key %s, want the store file plus .key", svc.KeyPath)
	}
	if parts, ok := svc.RunChecks(); !ok || len(parts) != 3 || parts[0].Name != "ledger" || parts[1].Name != "custody" || parts[2].Name != "audit" {
		t.Fatalf("checks of a new store: %+v", parts)
	}
	if err := svc.Close(); err != nil {
		t.Fatal(err)
	}

	other := filepath.Join(t.TempDir(), "other.key")
	ro, err := Open(db, Options{ReadOnly: true, Key: other})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if ro.Evidence != nil || ro.Tokens != nil || ro.Finance == nil {
		t.Fatalf("a read-only open has a register or token store, or no finance: %+v", ro)
	}
	if _, err := os.Stat(other); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a read-only open made a key: %v", err)
	}
	if _, ok := ro.RunChecks(); !ok {
		t.Fatal("a read-only open fails its checks")
	}
}

func TestStartWitnessesOnceAndOnlyWritable(t *testing.T) {
	db := filepath.Join(t.TempDir(), "amanat.db")
	svc, err := Open(db, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.StartWitnesses(nil, witness.Options{}); err != nil {
		t.Fatal(err)
	}
	if n := len(svc.Checks); n != 4 || svc.Checks[n-1].Name != "witnesses" {
		t.Fatalf("checks with witnesses: %+v", svc.Checks)
	}
	if err := svc.StartWitnesses(nil, witness.Options{}); err == nil {
		t.Fatal("the witnesses were started twice")
	}
	if err := svc.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := Open(db, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if err := ro.StartWitnesses(nil, witness.Options{}); err == nil {
		t.Fatal("a read-only store started witnesses")
	}
}
