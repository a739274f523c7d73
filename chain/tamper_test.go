package chain

import (
	"bytes"

	"os"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/amanat-ledger/amanat/ledger"
)

// busyLog is a store with two items, their ledger transactions and a few
// custody entries each. Leaves: 0 txn 1, 1 entry 1 (item 1), 2 txn 2,
// 3 entry 2 (item 2), 4 entry 3 (item 1), 5 entry 4 (item 1), 6 entry 5 (item 2).
func busyLog(t *testing.T) *testLog {
	t.Helper()
	l := mustOpen(t)
	l.seize(t, 1, "1500.00")
	l.seize(t, 2, "250.00")
	l.append(t,
		Entry{Item: 1, Event: EventTransferred, At: at(10), RecordedBy: "custodian:asma", From: "SI Bilal", To: "Asif"},
		Entry{Item: 1, Event: EventReceived, At: at(20), RecordedBy: "custodian:asif", Location: Location{Circle: "islamabad", Room: "malkhana"}},
	)
	l.append(t, Entry{Item: 2, Event: EventUnsealed, At: at(30), RecordedBy: "custodian:asma"})
	return l
}

// tamper closes the store, changes its file with bbolt directly, and runs
// the offline verifier on the result.
func tamper(t *testing.T, l *testLog, change func(btx *bolt.Tx) error) error {
	t.Helper()
	l.close(t)
	db, err := bolt.Open(l.db, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(change); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return verifyFile(t, l)
}

func verifyFile(t *testing.T, l *testLog) error {
	t.Helper()
	s, err := ledger.Open(l.db, ledger.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = VerifyStore(s, l.key, testKinds)
	return err
}

func replaceIn(t *testing.T, b *bolt.Bucket, key []byte, old, new string) {
	t.Helper()
	v := b.Get(key)
	if !bytes.Contains(v, []byte(old)) {
		t.Fatalf("%q not in %q", old, v)
	}
	if err := b.Put(key, bytes.Replace(bytes.Clone(v), []byte(old), []byte(new), 1)); err != nil {
		t.Fatal(err)
	}
}

func TestTamperingIsNamed(t *testing.T) {
	rows := []struct {
		name   string
		change func(t *testing.T, btx *bolt.Tx) error
		want   string
	}{
		{"nothing changed", func(t *testing.T, btx *bolt.Tx) error { return nil }, ""},
		{"one byte of a custody fact", func(t *testing.T, btx *bolt.Tx) error {
			replaceIn(t, btx.Bucket(bucketEntries), be64(4), `"malkhana"`, `"malkhanb"`)
			return nil
		}, "custody entry 4: leaf hash does not match the log (log leaf 5)"},
		{"one byte of an amount in a ledger transaction", func(t *testing.T, btx *bolt.Tx) error {
			b := btx.Bucket([]byte("ledger.txns"))
			v := bytes.Clone(b.Get(be64(2)))
			i := bytes.Index(v, []byte("250.00"))
			v[i] = '9'
			return b.Put(be64(2), v)
		}, "ledger transaction 2: leaf hash does not match the log (log leaf 2)"},
		{"an entry deleted", func(t *testing.T, btx *bolt.Tx) error {
			return btx.Bucket(bucketEntries).Delete(be64(3))
		}, "custody entry 3: missing from the store (log leaf 4)"},
		{"two entries swapped", func(t *testing.T, btx *bolt.Tx) error {
			b := btx.Bucket(bucketEntries)
			a, c := bytes.Clone(b.Get(be64(3))), bytes.Clone(b.Get(be64(4)))
			if err := b.Put(be64(3), c); err != nil {
				return err
			}
			return b.Put(be64(4), a)
		}, "custody entry 3: leaf hash does not match the log (log leaf 4)"},
		{"a fact and its leaf hash changed together", func(t *testing.T, btx *bolt.Tx) error {
			replaceIn(t, btx.Bucket(bucketEntries), be64(4), `"malkhana"`, `"malkhanb"`)
			e := btx.Bucket(bucketEntries).Get(be64(4))
			h := recordHash(e)
			return btx.Bucket(bucketHashes).Put(be64(uint64(storedIndex(5))), h[:])
		}, "log leaf 5 (custody entry 4): stored tree hash"},
		{"the derived holder changed", func(t *testing.T, btx *bolt.Tx) error {
			replaceIn(t, btx.Bucket(bucketState), be64(1), "\x04Asif", "\x04Bsif")
			return nil
		}, "item 1: stored custody state does not match the log"},
		{"the log truncated by its last leaf", func(t *testing.T, btx *bolt.Tx) error {
			// Remove entry 5 everywhere a careful forger would.
			if err := btx.Bucket(bucketEntries).Delete(be64(5)); err != nil {
				return err
			}
			if err := btx.Bucket(bucketEntries).SetSequence(4); err != nil {
				return err
			}
			if err := btx.Bucket(bucketItems).Delete(itemKey(2, 2)); err != nil {
				return err
			}
			lv := btx.Bucket(bucketLeaves)
			if err := lv.Delete(be64(6)); err != nil {
				return err
			}
			if err := lv.SetSequence(6); err != nil {
				return err
			}
			hb := btx.Bucket(bucketHashes)
			for i := storedCount(6); i < storedCount(7); i++ {
				if err := hb.Delete(be64(uint64(i))); err != nil {
					return err
				}
			}
			return nil
		}, "item 2: stored custody state does not match the log"},
		{"the stored checkpoint forged", func(t *testing.T, btx *bolt.Tx) error {
			m := btx.Bucket(bucketMeta)
			v := bytes.Clone(m.Get([]byte("checkpoint")))
			v[len(v)-5] ^= 1
			return m.Put([]byte("checkpoint"), v)
		}, "stored checkpoint: checkpoint signature"},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			l := busyLog(t)
			err := tamper(t, l, func(btx *bolt.Tx) error { return r.change(t, btx) })
			if r.want == "" {
				if err != nil {
					t.Fatalf("untouched store fails: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), r.want) {
				t.Fatalf("got %v\nwant %q", err, r.want)
			}
		})
	}
}

// Copying an older database file over the current one is caught by the
// witness checkpoint kept beside the key, and a truncation that fixes up
// every derived view is caught by the stored checkpoint.
func TestRollbackIsCaught(t *testing.T) {
	l := mustOpen(t)
	l.seize(t, 1, "10.00")
	old := backup(t, l)
	l.append(t, Entry{Item: 1, Event: EventUnsealed, At: at(5), RecordedBy: "custodian:asma"})
	l.close(t)
	if err := verifyFile(t, l); err != nil {
		t.Fatalf("before the rollback: %v", err)
	}
	if err := os.WriteFile(l.db, old, 0o600); err != nil {
		t.Fatal(err)
	}
	err := verifyFile(t, l)
	if err == nil || !strings.Contains(err.Error(), "the log was rolled back: the witness checkpoint") {
		t.Fatalf("rollback not caught: %v", err)
	}

	// Without the witness, a truncation of leaves that leaves the signed
	// checkpoint in place is caught by that checkpoint.
	l2 := busyLog(t)
	err = tamper(t, l2, func(btx *bolt.Tx) error {
		// Drop leaf 6 and entry 5 and rebuild item 2's state as it was.
		st, err := loadState(&ledger.Tx{Bolt: btx}, 2)
		if err != nil {
			return err
		}
		st.Entries, st.LastSeq, st.Seal, st.LastAt = 1, 2, Seal{Number: "FIA-ISB-0001", State: SealIntact}, t0
		first := btx.Bucket(bucketEntries).Get(be64(2))
		h := recordHash(first)
		st.LastHash = leafHex(h)
		if err := saveState(&ledger.Tx{Bolt: btx}, st); err != nil {
			return err
		}
		for _, del := range []struct {
			b []byte
			k []byte
		}{{bucketEntries, be64(5)}, {bucketItems, itemKey(2, 2)}, {bucketLeaves, be64(6)}} {
			if err := btx.Bucket(del.b).Delete(del.k); err != nil {
				return err
			}
		}
		btx.Bucket(bucketEntries).SetSequence(4)
		btx.Bucket(bucketLeaves).SetSequence(6)
		for i := storedCount(6); i < storedCount(7); i++ {
			btx.Bucket(bucketHashes).Delete(be64(uint64(i)))
		}
		return os.Remove(WitnessPath(l2.key))
	})
	if err == nil || !strings.Contains(err.Error(), "stored checkpoint signs 7 leaves but the log holds 6: the log was truncated") {
		t.Fatalf("truncation not caught: %v", err)
	}
}

func backup(t *testing.T, l *testLog) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := l.store.DB().View(func(btx *bolt.Tx) error { _, err := btx.WriteTo(&buf); return err }); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func recordHash(data []byte) tlog.Hash { return tlog.RecordHash(data) }
func storedIndex(leaf int64) int64     { return tlog.StoredHashIndex(0, leaf) }
func storedCount(n int64) int64        { return tlog.StoredHashCount(n) }
