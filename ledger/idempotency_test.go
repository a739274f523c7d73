package ledger

import (
	"context"
	"encoding/binary"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestIdempotencyRecordsOfEitherVersionReplay: a record stored by the earlier
// format (version 1) is matched against the request's legacy hash, a new
// record (version 2) against its canonical hash; a request that matches
// neither is a conflict whose message does not quote the stored key, which
// is the caller's scoped form, not what its client sent.
func TestIdempotencyRecordsOfEitherVersionReplay(t *testing.T) {
	s := mustOpenAt(t, t.TempDir()+"/idem.db", Options{})
	ctx := context.Background()
	raw, canon := RequestHash([]byte("raw")), RequestHash([]byte("canonical"))
	// What the earlier code stored.
	v1 := append([]byte{1}, raw[:]...)
	v1 = binary.BigEndian.AppendUint16(v1, 201)
	v1 = append(v1, `{"old":true}`...)
	if err := s.DB().Update(func(btx *bolt.Tx) error { return btx.Bucket(LedgerIdem.name).Put([]byte("7 old"), v1) }); err != nil {
		t.Fatal(err)
	}
	ran := 0
	write := func(key string, req Request) (Reply, bool, error) {
		return s.WriteOnceRequest(ctx, key, req, func(tx *Tx) (Reply, error) {
			ran++
			return Reply{Code: 201, Body: []byte(`{"new":true}`)}, nil
		})
	}
	if r, replayed, err := write("7 old", Request{Hash: canon, Legacy: raw}); err != nil || !replayed || string(r.Body) != `{"old":true}` {
		t.Fatalf("version 1 record: %+v %v %v, want it replayed", r, replayed, err)
	}
	// A version 1 record is not matched by the canonical hash alone.
	_, _, err := write("7 old", Request{Hash: raw, Legacy: canon})
	if ErrorCode(err) != EConflict {
		t.Fatalf("version 1 record against another legacy hash: %v, want a conflict", err)
	}
	if strings.Contains(err.Error(), "7 old") {
		t.Errorf("the conflict %q quotes the stored key", err)
	}
	if _, replayed, err := write("7 new", Request{Hash: canon, Legacy: raw}); err != nil || replayed {
		t.Fatalf("first write: %v %v", replayed, err)
	}
	// A new record holds the canonical hash: a retry whose bytes differ but
	// whose canonical form is the same replays.
	if r, replayed, err := write("7 new", Request{Hash: canon, Legacy: RequestHash([]byte("raw, spaced"))}); err != nil || !replayed || string(r.Body) != `{"new":true}` {
		t.Fatalf("version 2 record: %+v %v %v, want it replayed", r, replayed, err)
	}
	if _, _, err := write("7 new", Request{Hash: raw, Legacy: canon}); ErrorCode(err) != EConflict {
		t.Fatalf("version 2 record against another canonical hash: %v, want a conflict", err)
	}
	if ran != 1 {
		t.Fatalf("the write ran %d times, want once", ran)
	}
	var stored byte
	if err := s.DB().View(func(btx *bolt.Tx) error { stored = btx.Bucket(LedgerIdem.name).Get([]byte("7 new"))[0]; return nil }); err != nil {
		t.Fatal(err)
	}
	if stored != idemVersion {
		t.Fatalf("a new record has version %d, want %d", stored, idemVersion)
	}
}
