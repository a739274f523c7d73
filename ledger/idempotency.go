package ledger

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// Reply is the stored answer to an idempotent write: what the first request
// was told, returned again to every retry.
type Reply struct {
	Status int
	Body   []byte
}

// RequestHash identifies a request's content for idempotency: the same key
// with another hash is a conflict.
func RequestHash(parts ...[]byte) [32]byte {
	h := sha256.New()
	for _, p := range parts {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(p)))
		h.Write(n[:])
		h.Write(p)
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// idempotency record layout: version byte 1, 32-byte request hash, 2-byte
// status, body.
const idemVersion = 1

// WriteOnce runs fn as Write does, unless key was used before. A key seen with
// the same request hash returns the first reply and writes nothing (replayed
// is true); with another hash it is an EConflict. The key, the hash and the
// reply are stored in the same bbolt transaction as fn's writes, so a crash
// leaves either both or neither. An empty key runs fn without a record.
// A failing fn stores nothing, so a retry after a refusal is judged afresh.
func (s *Store) WriteOnce(ctx context.Context, key string, hash [32]byte, fn func(tx *Tx) (Reply, error)) (reply Reply, replayed bool, err error) {
	if key == "" {
		err = s.Write(ctx, func(tx *Tx) error {
			r, err := fn(tx)
			reply = r
			return err
		})
		return reply, false, err
	}
	if len(key) > 255 {
		return Reply{}, false, FieldErr("Idempotency-Key", "is longer than 255 bytes")
	}
	// A retry is answered from a read transaction without joining a commit group.
	if err := s.View(func(tx *Tx) error {
		reply, replayed, err = lookupReply(tx, key, hash)
		return err
	}); err != nil || replayed {
		return reply, replayed, err
	}
	err = s.Write(ctx, func(tx *Tx) error {
		r, again, err := lookupReply(tx, key, hash)
		if err != nil {
			return err
		}
		if again {
			reply, replayed = r, true
			return nil
		}
		if r, err = fn(tx); err != nil {
			return err
		}
		reply, replayed = r, false
		rec := make([]byte, 0, 35+len(r.Body))
		rec = append(rec, idemVersion)
		rec = append(rec, hash[:]...)
		rec = binary.BigEndian.AppendUint16(rec, uint16(r.Status))
		rec = append(rec, r.Body...)
		if err := tx.Bolt.Bucket(bucketIdem).Put([]byte(key), rec); err != nil {
			return fmt.Errorf("store idempotency key: %w", err)
		}
		return nil
	})
	return reply, replayed, err
}

func lookupReply(tx *Tx, key string, hash [32]byte) (Reply, bool, error) {
	v := tx.Bolt.Bucket(bucketIdem).Get([]byte(key))
	if v == nil {
		return Reply{}, false, nil
	}
	if len(v) < 35 || v[0] != idemVersion {
		return Reply{}, false, fmt.Errorf("idempotency record %q is malformed", key)
	}
	if !bytes.Equal(v[1:33], hash[:]) {
		return Reply{}, false, Errorf(EConflict, "Idempotency-Key %q was already used with a different request", key)
	}
	return Reply{Status: int(binary.BigEndian.Uint16(v[33:35])), Body: bytes.Clone(v[35:])}, true, nil
}
