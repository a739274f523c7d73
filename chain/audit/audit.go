package audit

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/amanat-ledger/amanat/chain/log"
	"github.com/amanat-ledger/amanat/ledger"
)

// TreeName names the audit tree among the trees the custody log's key
// signs: its checkpoints' origin is the custody log's plus "/audit".
const TreeName = "audit"

// recordVersion is the first byte of a stored record.
const recordVersion = 1

// Record is one request as the server answered it. It never holds a body,
// a password or a token.
type Record struct {
	Seq uint64 `json:"seq"`
	// At is when the answer was recorded (the store's clock, UTC).
	At time.Time `json:"at"`
	// Actor is the caller as the books name it ("role:name"); empty for a
	// request that carried no valid token.
	Actor   string `json:"actor"`
	TokenID uint64 `json:"token_id,omitempty"`
	Method  string `json:"method"`
	Path    string `json:"path"`
	Query   string `json:"query,omitempty"`
	// Remote is the address of the connection's peer, as the server saw
	// it: a forwarding header, which any client can forge, is not used.
	Remote    string `json:"remote"`
	Status    int    `json:"status"`
	ItemID    uint64 `json:"item_id,omitempty"`
	CaseID    uint64 `json:"case_id,omitempty"`
	RequestID string `json:"request_id,omitempty"`
}

// Signer signs and checks the audit tree's checkpoints: the custody log
// (chain/log.Log), whose key signs them.
type Signer interface {
	SignTree(name string, size uint64, root tlog.Hash) ([]byte, error)
	OpenTree(name string, msg []byte) (log.Checkpoint, error)
	TreeOrigin(name string) string
}

// Log is the audit log of one store.
type Log struct {
	store   *ledger.Store
	signer  Signer
	witness *witness
}

// New is the audit log of store, whose checkpoints signer signs.
func New(store *ledger.Store, signer Signer, opt Options) *Log {
	return &Log{store: store, signer: signer, witness: newWitness(opt, signer)}
}

// Origin is the first line of the audit tree's checkpoints.
func (l *Log) Origin() string { return l.signer.TreeOrigin(TreeName) }

// Append records r through the store's group commit, so that concurrent
// requests share one fsync, and returns it as stored (with its sequence
// number and time). The record, its leaf hashes, its indexes and a newly
// signed checkpoint are one write.
func (l *Log) Append(ctx context.Context, r Record) (Record, error) {
	var out Record
	err := l.store.Write(ctx, func(tx *ledger.Tx) error {
		var err error
		out, err = l.append(tx, r)
		return err
	})
	if err != nil {
		return Record{}, fmt.Errorf("audit record of %s %s: %w", r.Method, r.Path, err)
	}
	return out, nil
}

// append writes r as the next record. It may run more than once (group
// commit), so everything it derives comes from tx.
func (l *Log) append(tx *ledger.Tx, r Record) (Record, error) {
	seq, err := tx.NextSequence(ledger.AuditRecords)
	if err != nil {
		return Record{}, err
	}
	r.Seq, r.At = seq, tx.Now.UTC()
	data, err := encode(r)
	if err != nil {
		return Record{}, err
	}
	if err := tx.Put(ledger.AuditRecords, ledger.BE64(seq), data); err != nil {
		return Record{}, err
	}
	hs, err := tlog.StoredHashes(int64(seq-1), data, hashes{tx})
	if err != nil {
		return Record{}, fmt.Errorf("audit leaf %d: %w", seq, err)
	}
	base := uint64(tlog.StoredHashIndex(0, int64(seq-1)))
	for i, h := range hs {
		if err := tx.Put(ledger.AuditHashes, ledger.BE64(base+uint64(i)), h[:]); err != nil {
			return Record{}, err
		}
	}
	for _, ix := range indexKeys(r) {
		if err := tx.Put(ix.bucket, ix.key, []byte{}); err != nil {
			return Record{}, err
		}
	}
	tx.BeforeCommit("audit.checkpoint", l.sign)
	return r, nil
}

// sign signs a checkpoint of the audit tree as this commit group leaves it:
// one signature per fsync, not per record.
func (l *Log) sign(tx *ledger.Tx) error {
	// The checkpoint the last commit left is committed: the witness may
	// keep it.
	l.save(bytes.Clone(tx.Get(ledger.AuditMeta, []byte("checkpoint"))), false)
	n := tx.Sequence(ledger.AuditRecords)
	root, err := tlog.TreeHash(int64(n), hashes{tx})
	if err != nil {
		return fmt.Errorf("audit tree hash at %d: %w", n, err)
	}
	msg, err := l.signer.SignTree(TreeName, n, root)
	if err != nil {
		return err
	}
	return tx.Put(ledger.AuditMeta, []byte("checkpoint"), msg)
}

func encode(r Record) ([]byte, error) {
	j, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode audit record: %w", err)
	}
	return append([]byte{recordVersion}, j...), nil
}

func decode(seq uint64, data []byte) (Record, error) {
	var r Record
	if len(data) < 2 || data[0] != recordVersion {
		return r, fmt.Errorf("audit record %d: not a version %d record", seq, recordVersion)
	}
	d := json.NewDecoder(bytes.NewReader(data[1:]))
	d.DisallowUnknownFields()
	if err := d.Decode(&r); err != nil {
		return r, fmt.Errorf("audit record %d: %w", seq, err)
	}
	return r, nil
}

type indexKey struct {
	bucket ledger.Bucket
	key    []byte
}

// indexKeys are the index entries of r: by actor, by item and by time.
func indexKeys(r Record) []indexKey {
	seq := ledger.BE64(r.Seq)
	out := []indexKey{{ledger.AuditTimes, append(ledger.BE64(uint64(r.At.UnixNano())), seq...)}}
	if r.Actor != "" {
		out = append(out, indexKey{ledger.AuditActors, append(append([]byte(r.Actor), 0), seq...)})
	}
	if r.ItemID != 0 {
		out = append(out, indexKey{ledger.AuditItems, append(ledger.BE64(r.ItemID), seq...)})
	}
	return out
}

// hashes reads the audit tree's stored hashes for tlog.
type hashes struct{ tx *ledger.Tx }

func (h hashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		v := h.tx.Get(ledger.AuditHashes, ledger.BE64(uint64(x)))
		if len(v) != tlog.HashSize {
			return nil, fmt.Errorf("audit tree hash %d is missing", x)
		}
		copy(out[i][:], v)
	}
	return out, nil
}

func be64(b []byte) uint64 { return binary.BigEndian.Uint64(b) }
