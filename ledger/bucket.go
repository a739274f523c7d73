package ledger

import (
	"fmt"
	"io"

	bolt "go.etcd.io/bbolt"
)

// A package that keeps records in the store reads and writes them through
// these methods of Tx, naming a Bucket of the schema; it never holds a bbolt
// transaction itself. As with bbolt, a byte slice read here is valid only
// inside the transaction: copy it before keeping it.

// Create makes every bucket of the schema that is missing. It runs in a
// writing transaction; opening a store for writing calls it.
func (tx *Tx) Create() error {
	for _, b := range Schema {
		if _, err := tx.Bolt.CreateBucketIfNotExists(b.name); err != nil {
			return fmt.Errorf("create bucket %s: %w", b.name, err)
		}
	}
	return nil
}

// Has says whether the store has bucket b (a read-only open of an old store
// may lack one).
func (tx *Tx) Has(b Bucket) bool { return tx.Bolt.Bucket(b.name) != nil }

// Get is the value under key in b, or nil.
func (tx *Tx) Get(b Bucket, key []byte) []byte {
	bb := tx.Bolt.Bucket(b.name)
	if bb == nil {
		return nil
	}
	return bb.Get(key)
}

// Put stores value under key in b.
func (tx *Tx) Put(b Bucket, key, value []byte) error {
	bb, err := tx.writable(b)
	if err != nil {
		return err
	}
	if err := bb.Put(key, value); err != nil {
		return fmt.Errorf("put %s: %w", b.name, err)
	}
	return nil
}

// Delete removes key from b. Only indexes are ever deleted from; records
// are append-only.
func (tx *Tx) Delete(b Bucket, key []byte) error {
	bb, err := tx.writable(b)
	if err != nil {
		return err
	}
	if err := bb.Delete(key); err != nil {
		return fmt.Errorf("delete from %s: %w", b.name, err)
	}
	return nil
}

// NextSequence is b's next id: ids come from the writing transaction, so a
// rolled-back write never leaves a gap that another write fills.
func (tx *Tx) NextSequence(b Bucket) (uint64, error) {
	bb, err := tx.writable(b)
	if err != nil {
		return 0, err
	}
	n, err := bb.NextSequence()
	if err != nil {
		return 0, fmt.Errorf("next id of %s: %w", b.name, err)
	}
	return n, nil
}

// Sequence is b's last id handed out (0 when b is missing).
func (tx *Tx) Sequence(b Bucket) uint64 {
	bb := tx.Bolt.Bucket(b.name)
	if bb == nil {
		return 0
	}
	return bb.Sequence()
}

// SetSequence sets b's last id handed out.
func (tx *Tx) SetSequence(b Bucket, n uint64) error {
	bb, err := tx.writable(b)
	if err != nil {
		return err
	}
	if err := bb.SetSequence(n); err != nil {
		return fmt.Errorf("set the sequence of %s: %w", b.name, err)
	}
	return nil
}

// ForEach calls fn for every key of b in order; it stops at fn's first error.
func (tx *Tx) ForEach(b Bucket, fn func(k, v []byte) error) error {
	bb := tx.Bolt.Bucket(b.name)
	if bb == nil {
		return nil
	}
	return bb.ForEach(fn)
}

// Len is the number of keys in b.
func (tx *Tx) Len(b Bucket) int {
	bb := tx.Bolt.Bucket(b.name)
	if bb == nil {
		return 0
	}
	return bb.Stats().KeyN
}

// Cursor walks b in key order. On a missing bucket it finds nothing.
func (tx *Tx) Cursor(b Bucket) *Cursor {
	bb := tx.Bolt.Bucket(b.name)
	if bb == nil {
		return &Cursor{}
	}
	return &Cursor{c: bb.Cursor()}
}

// Cursor is a position in one bucket; its methods are bbolt's.
type Cursor struct{ c *bolt.Cursor }

// First moves to the first key.
func (c *Cursor) First() (k, v []byte) {
	if c.c == nil {
		return nil, nil
	}
	return c.c.First()
}

// Last moves to the last key.
func (c *Cursor) Last() (k, v []byte) {
	if c.c == nil {
		return nil, nil
	}
	return c.c.Last()
}

// Next moves to the next key.
func (c *Cursor) Next() (k, v []byte) {
	if c.c == nil {
		return nil, nil
	}
	return c.c.Next()
}

// Prev moves to the previous key.
func (c *Cursor) Prev() (k, v []byte) {
	if c.c == nil {
		return nil, nil
	}
	return c.c.Prev()
}

// Seek moves to key, or the first key after it.
func (c *Cursor) Seek(key []byte) (k, v []byte) {
	if c.c == nil {
		return nil, nil
	}
	return c.c.Seek(key)
}

func (tx *Tx) writable(b Bucket) (*bolt.Bucket, error) {
	if !tx.Bolt.Writable() {
		return nil, Errorf(EInternal, "write to %s in a read-only transaction", b.name)
	}
	bb := tx.Bolt.Bucket(b.name)
	if bb == nil {
		var err error
		if bb, err = tx.Bolt.CreateBucketIfNotExists(b.name); err != nil {
			return nil, fmt.Errorf("create bucket %s: %w", b.name, err)
		}
	}
	return bb, nil
}

// WriteTo writes a consistent copy of the whole store, as this transaction
// sees it, to w (a backup), and says how many bytes it wrote.
func (tx *Tx) WriteTo(w io.Writer) (int64, error) { return tx.Bolt.WriteTo(w) }
