package chain

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
	"pgregory.net/rapid"

	"github.com/amanat-ledger/amanat/ledger"
)

// The tests' own record kind: notes stored as BE(id) -> bytes in
// "test.notes", the way evidence stores cases and items.
var bucketNotes = []byte("test.notes")

const noteKind = "test.note"

// ... and items, keyed by item id as evidence keys them: a court bundle
// carries the item's own record.
var bucketTestItems = []byte("test.items")

const testItemKind = "test.item"

// ... and court orders, which entries name by court_order_id, under the
// kind name the register gives them, so that the format document's
// verifier knows them.
var bucketTestOrders = []byte("test.orders")

const testOrderKind = "evidence.court_order"

// testKinds are the record kinds every test log is opened with.
var testKinds = []ledger.RecordKind{
	{Name: noteKind, Label: "note", Each: eachNote},
	{Name: testItemKind, Label: "item record", Item: true, Each: func(tx *ledger.Tx, fn func(id uint64, stored []byte) error) error {
		b := tx.Bolt.Bucket(bucketTestItems)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error { return fn(beUint(k), v) })
	}, Cash: func(stored []byte) (bool, error) { return bytes.HasPrefix(stored, []byte("\x01cash")), nil }},
	{Name: testOrderKind, Label: "court order", Orders: true, Each: func(tx *ledger.Tx, fn func(id uint64, stored []byte) error) error {
		b := tx.Bolt.Bucket(bucketTestOrders)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error { return fn(beUint(k), v) })
	}},
}

// courtOrder stores and logs court order id as the register stores one: a
// version byte 1 and its JSON.
func (l *testLog) courtOrder(t testing.TB, id uint64, json string) {
	t.Helper()
	err := l.store.Write(context.Background(), func(tx *ledger.Tx) error {
		b, err := tx.Bolt.CreateBucketIfNotExists(bucketTestOrders)
		if err != nil {
			return err
		}
		data := append([]byte{1}, json...)
		if err := b.Put(be64(id), data); err != nil {
			return err
		}
		return l.c.LogRecord(tx, testOrderKind, id, data)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// itemRecord stores and logs item's own record.
func (l *testLog) itemRecord(t testing.TB, item uint64, text string) {
	t.Helper()
	err := l.store.Write(context.Background(), func(tx *ledger.Tx) error {
		b, err := tx.Bolt.CreateBucketIfNotExists(bucketTestItems)
		if err != nil {
			return err
		}
		data := append([]byte{1}, text...)
		if err := b.Put(be64(item), data); err != nil {
			return err
		}
		return l.c.LogRecord(tx, testItemKind, item, data)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func eachNote(tx *ledger.Tx, fn func(id uint64, stored []byte) error) error {
	b := tx.Bolt.Bucket(bucketNotes)
	if b == nil {
		return nil
	}
	return b.ForEach(func(k, v []byte) error { return fn(beUint(k), v) })
}

// putNote stores a note without logging it (as a package that does not know
// the record log would).
func putNote(tx *ledger.Tx, text string) (uint64, []byte, error) {
	b, err := tx.Bolt.CreateBucketIfNotExists(bucketNotes)
	if err != nil {
		return 0, nil, err
	}
	id, err := b.NextSequence()
	if err != nil {
		return 0, nil, err
	}
	data := append([]byte{1}, text...)
	return id, data, b.Put(be64(id), data)
}

// note stores and logs a note in one write, as an owner of records does.
func (l *testLog) note(t testing.TB, text string) uint64 {
	t.Helper()
	var id uint64
	err := l.store.Write(context.Background(), func(tx *ledger.Tx) error {
		var data []byte
		var err error
		if id, data, err = putNote(tx, text); err != nil {
			return err
		}
		return l.c.LogRecord(tx, noteKind, id, data)
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestRecordLeafBytes(t *testing.T) {
	got := RecordLeaf("evidence.item", 7, []byte("\x01{\"seal\":\"FIA-1\"}"))
	want := "amanat-record/1\nkind evidence.item\nid 7\n\x01{\"seal\":\"FIA-1\"}"
	if string(got) != want {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

// recordLog is busyLog with two notes: leaves 7 (note 1) and 8 (note 2).
func recordLog(t *testing.T) *testLog {
	t.Helper()
	l := busyLog(t)
	l.note(t, "FIR 112/2025, circle islamabad")
	l.note(t, "seal FIA-ISB-0002, a black Samsung phone")
	if rep := l.mustVerify(t); rep.Records != 2 || rep.Leaves != 9 {
		t.Fatalf("report %+v, want 2 records in 9 leaves", rep)
	}
	return l
}

func TestRecordTamperingIsNamed(t *testing.T) {
	rows := []struct {
		name   string
		change func(t *testing.T, btx *bolt.Tx) error
		want   string
	}{
		{"nothing changed", func(t *testing.T, btx *bolt.Tx) error { return nil }, ""},
		{"one byte of a record", func(t *testing.T, btx *bolt.Tx) error {
			replaceIn(t, btx.Bucket(bucketNotes), be64(2), "black", "blank")
			return nil
		}, "note 2: leaf hash does not match the log (log leaf 8)"},
		{"a record deleted", func(t *testing.T, btx *bolt.Tx) error {
			return btx.Bucket(bucketNotes).Delete(be64(1))
		}, "note 1: missing from the store (log leaf 7)"},
		{"a record added without a leaf", func(t *testing.T, btx *bolt.Tx) error {
			return btx.Bucket(bucketNotes).Put(be64(3), []byte("\x01forged"))
		}, "note 3 is not in the log"},
		{"two records swapped", func(t *testing.T, btx *bolt.Tx) error {
			b := btx.Bucket(bucketNotes)
			a, c := bytes.Clone(b.Get(be64(1))), bytes.Clone(b.Get(be64(2)))
			if err := b.Put(be64(1), c); err != nil {
				return err
			}
			return b.Put(be64(2), a)
		}, "note 1: leaf hash does not match the log (log leaf 7)"},
		{"a record's leaf made to name another record", func(t *testing.T, btx *bolt.Tx) error {
			return btx.Bucket(bucketLeaves).Put(be64(8), recordLeafValue(noteKind, 1))
		}, "note 1 is in the log twice (log leaves 7 and 8)"},
		{"the record index emptied", func(t *testing.T, btx *bolt.Tx) error {
			return btx.Bucket(bucketRecords).Delete(recordKey(noteKind, 2))
		}, "note 2: the record index does not point at log leaf 8"},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			l := recordLog(t)
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

func TestRecordIsLoggedOnce(t *testing.T) {
	l := mustOpen(t)
	id := l.note(t, "once")
	err := l.store.Write(context.Background(), func(tx *ledger.Tx) error {
		return l.c.LogRecord(tx, noteKind, id, []byte("\x01once"))
	})
	if err == nil || !strings.Contains(err.Error(), "test.note 1 is already in the log (log leaf 0)") {
		t.Fatalf("second LogRecord: %v", err)
	}
	l.mustVerify(t)
}

func TestUnknownRecordKindFailsVerify(t *testing.T) {
	l := mustOpen(t)
	err := l.store.Write(context.Background(), func(tx *ledger.Tx) error {
		return l.c.LogRecord(tx, "test.unregistered", 1, []byte("x"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.verify(t); err == nil || !strings.Contains(err.Error(), `log leaf 0 is a record of kind "test.unregistered"`) {
		t.Fatalf("verify: %v", err)
	}
}

// A store written before records were logged holds records without leaves:
// read-only verify says how to fix it, the first read-write open backfills
// them in id order, and from then on a record added by hand is reported,
// never adopted.
func TestOldStoreRecordsAreBackfilledOnce(t *testing.T) {
	l := busyLog(t)
	for i := 1; i <= 3; i++ {
		if err := l.store.Write(context.Background(), func(tx *ledger.Tx) error {
			_, _, err := putNote(tx, fmt.Sprintf("old note %d", i))
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	// What an old store looks like: no record index, no backfill marks.
	err := tamper(t, l, func(btx *bolt.Tx) error {
		if err := btx.DeleteBucket(bucketRecords); err != nil {
			return err
		}
		return btx.Bucket(bucketMeta).Delete(backfilledKey(noteKind))
	})
	if err == nil || !strings.Contains(err.Error(), "note 1 is not in the log (the store holds note records from before they were logged: open it once read-write") {
		t.Fatalf("verify of the old store: %v", err)
	}

	l.open(t) // backfills
	rep := l.mustVerify(t)
	if rep.Records != 3 || rep.Leaves != 10 || rep.Unsigned != 0 {
		t.Fatalf("after backfill: %+v", rep)
	}
	err = l.store.View(func(tx *ledger.Tx) error {
		for id := uint64(1); id <= 3; id++ {
			i, ok := l.c.log.RecordLeafIndex(tx, noteKind, id)
			if !ok || i != 6+id {
				t.Errorf("note %d at leaf %d (%v), want %d", id, i, ok, 6+id)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	err = tamper(t, l, func(btx *bolt.Tx) error {
		return btx.Bucket(bucketNotes).Put(be64(4), []byte("\x01added by hand"))
	})
	if err == nil || !strings.Contains(err.Error(), "note 4 is not in the log") {
		t.Fatalf("hand-added record: %v", err)
	}
	l.open(t) // no second backfill
	if _, err := l.verify(t); err == nil || !strings.Contains(err.Error(), "note 4 is not in the log") {
		t.Fatalf("hand-added record after reopening: %v", err)
	}
}

func TestRecordLogIsReadOnlyWhenOpened(t *testing.T) {
	l := mustOpen(t)
	c, err := Open(l.store, l.key, testKinds)
	if err != nil {
		t.Fatal(err)
	}
	err = l.store.Write(context.Background(), func(tx *ledger.Tx) error {
		return c.LogRecord(tx, noteKind, 1, []byte("x"))
	})
	if ledger.ErrorCode(err) != ledger.EInternal {
		t.Fatalf("LogRecord on a read-only log: %v", err)
	}
}

// Random interleavings of records, ledger transactions, custody entries and
// writes that log a record and then fail: verify holds after each, counts
// exactly the committed records, and names any one of them once its stored
// bytes change.
func TestRandomRecordStreams(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		l := mustOpen(t)
		defer l.close(t)
		notes, item := 0, uint64(0)
		steps := rapid.IntRange(1, 30).Draw(rt, "steps")
		for s := 0; s < steps; s++ {
			switch rapid.IntRange(0, 3).Draw(rt, "what") {
			case 0:
				l.note(t, rapid.StringN(0, 40, -1).Draw(rt, "text"))
				notes++
			case 1:
				item++
				l.seize(t, item, "10.00")
			case 2: // a write that logs a record, then fails: nothing stays
				err := l.store.Write(context.Background(), func(tx *ledger.Tx) error {
					id, data, err := putNote(tx, "rolled back")
					if err != nil {
						return err
					}
					if err := l.c.LogRecord(tx, noteKind, id, data); err != nil {
						return err
					}
					return ledger.Errorf(ledger.EInvalid, "refused after logging")
				})
				if ledger.ErrorCode(err) != ledger.EInvalid {
					rt.Fatalf("failing write: %v", err)
				}
			case 3: // records and a transaction in one write
				k := rapid.IntRange(1, 5).Draw(rt, "batch")
				err := l.store.Write(context.Background(), func(tx *ledger.Tx) error {
					for j := 0; j < k; j++ {
						id, data, err := putNote(tx, "batch")
						if err != nil {
							return err
						}
						if err := l.c.LogRecord(tx, noteKind, id, data); err != nil {
							return err
						}
					}
					_, err := postSeizure(tx, 999, "1.00")
					return err
				})
				if err != nil {
					rt.Fatal(err)
				}
				notes += k
			}
			rep, err := l.verify(rt)
			if err != nil {
				rt.Fatalf("step %d: %v", s, err)
			}
			if rep.Records != uint64(notes) {
				rt.Fatalf("step %d: %d records, want %d", s, rep.Records, notes)
			}
		}
		if notes == 0 {
			return
		}
		victim := uint64(rapid.IntRange(1, notes).Draw(rt, "victim"))
		err := l.store.Write(context.Background(), func(tx *ledger.Tx) error {
			b := tx.Bolt.Bucket(bucketNotes)
			return b.Put(be64(victim), append(bytes.Clone(b.Get(be64(victim))), '!'))
		})
		if err != nil {
			rt.Fatal(err)
		}
		if _, err := l.verify(rt); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("note %d: leaf hash does not match the log", victim)) {
			rt.Fatalf("tampered note %d: %v", victim, err)
		}
	})
}
