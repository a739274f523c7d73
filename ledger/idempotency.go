package ledger

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// Reply is the stored answer to an idempotent write: what the first request
// was told, returned again to every retry. The ledger does not read it: Code
// is the caller's own code for the kind of answer (0 to 65535; the HTTP
// service keeps its status there) and Body its bytes.
type Reply struct {
	Code int
	Body []byte
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

// Request is what an idempotent write is recognised by. Hash is the hash of
// the request's canonical form (the caller decides what is canonical, e.g.
// JSON with sorted keys), which new records hold. Legacy is the hash that
// records of version 1 hold, of the request as it was sent; a version 1
// record is compared with it, so a store written before canonical forms
// still replays a retry whose bytes are the same.
type Request struct {
	Hash   [32]byte
	Legacy [32]byte
}

// Idempotency record layout: a version byte, the 32-byte request hash, the
// 2-byte big-endian reply code, the reply body. Version 1 holds the hash of the request as sent,
// version 2 the hash of its canonical form (Request.Hash).
const (
	idemLegacy  = 1
	idemVersion = 2
)

// KeyField is the field that a refused idempotency key's error names: a
// caller recognises a reused key by it and can say which key, in the form
// its client sent it, was reused.
const KeyField = "idempotency_key"

// WriteOnce runs fn as Write does, unless key was used before. A key seen with
// the same request hash returns the first reply and writes nothing (replayed
// is true); with another hash it is an EConflict. The key, the hash and the
// reply are stored in the same bbolt transaction as fn's writes, so a crash
// leaves either both or neither. An empty key runs fn without a record.
// A failing fn stores nothing, so a retry after a refusal is judged afresh.
func (s *Store) WriteOnce(ctx context.Context, key string, hash [32]byte, fn func(tx *Tx) (Reply, error)) (reply Reply, replayed bool, err error) {
	return s.WriteOnceRequest(ctx, key, Request{Hash: hash, Legacy: hash}, fn)
}

// WriteOnceRequest is WriteOnce for a request whose canonical form differs
// from the form version 1 records were keyed by (see Request).
func (s *Store) WriteOnceRequest(ctx context.Context, key string, req Request, fn func(tx *Tx) (Reply, error)) (reply Reply, replayed bool, err error) {
	return s.WriteOnceChecked(ctx, key, req, nil, fn)
}

// WriteOnceChecked is WriteOnceRequest that, unless the request is a retry
// answered from its record, first runs check (when not nil) outside any
// transaction and writes nothing when check fails. A check that needs a
// write of its own (a dry run that is rolled back) goes here, so that a
// retry is still answered as the first time.
func (s *Store) WriteOnceChecked(ctx context.Context, key string, req Request, check func() error, fn func(tx *Tx) (Reply, error)) (reply Reply, replayed bool, err error) {
	if check == nil {
		check = func() error { return nil }
	}
	if key == "" {
		if err := check(); err != nil {
			return Reply{}, false, err
		}
		err = s.Write(ctx, func(tx *Tx) error {
			r, err := fn(tx)
			reply = r
			return err
		})
		return reply, false, err
	}
	if len(key) > 255 {
		return Reply{}, false, FieldErr(KeyField, "is longer than 255 bytes")
	}
	// A retry is answered from a read transaction without joining a commit group.
	if err := s.View(func(tx *Tx) error {
		reply, replayed, err = lookupReply(tx, key, req)
		return err
	}); err != nil || replayed {
		return reply, replayed, err
	}
	if err := check(); err != nil {
		return Reply{}, false, err
	}
	err = s.Write(ctx, func(tx *Tx) error {
		r, again, err := lookupReply(tx, key, req)
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
		rec = append(rec, req.Hash[:]...)
		rec = binary.BigEndian.AppendUint16(rec, uint16(r.Code))
		rec = append(rec, r.Body...)
		if err := tx.Put(LedgerIdem, []byte(key), rec); err != nil {
			return fmt.Errorf("store idempotency key: %w", err)
		}
		return nil
	})
	return reply, replayed, err
}

func lookupReply(tx *Tx, key string, req Request) (Reply, bool, error) {
	v := tx.Get(LedgerIdem, []byte(key))
	if v == nil {
		return Reply{}, false, nil
	}
	if len(v) < 35 {
		return Reply{}, false, fmt.Errorf("idempotency record of %d bytes is malformed", len(v))
	}
	var want [32]byte
	switch v[0] {
	case idemVersion:
		want = req.Hash
	case idemLegacy:
		want = req.Legacy
	default:
		return Reply{}, false, fmt.Errorf("idempotency record version %d is not one this program reads", v[0])
	}
	if !bytes.Equal(v[1:33], want[:]) {
		// The key is not quoted: it is stored in the caller's scoped form,
		// which is not what the client sent.
		return Reply{}, false, &Error{Code: EConflict, Msg: "the idempotency key was already used with a different request",
			Fields: []FieldError{{Field: KeyField, Reason: "was already used with a different request"}}}
	}
	return Reply{Code: int(binary.BigEndian.Uint16(v[33:35])), Body: bytes.Clone(v[35:])}, true, nil
}
