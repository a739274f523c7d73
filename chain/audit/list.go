package audit

import (
	"bytes"
	"time"

	"github.com/amanat-ledger/amanat/ledger"
)

// Filter selects records. Zero fields select everything.
type Filter struct {
	Actor string // exactly this actor ("role:name")
	Item  uint64
	From  time.Time // at or after
	To    time.Time // before
	// After is where the previous page ended (its cursor); nil for the
	// first page.
	After []byte
	Limit int
}

// ErrCursor is a cursor List cannot resume from.
var ErrCursor = ledger.FieldErr("cursor", "is not a cursor this list gave out")

func (f Filter) match(r Record) bool {
	return (f.Actor == "" || r.Actor == f.Actor) && (f.Item == 0 || r.ItemID == f.Item) &&
		(f.From.IsZero() || !r.At.Before(f.From)) && (f.To.IsZero() || r.At.Before(f.To))
}

// List is a page of the records f selects and the cursor of the next page
// (nil on the last). An item or actor is read through its index, a time
// range alone through the time index, so none of these scans the whole log;
// the other filters apply to what the index yields. Records come in
// sequence order, except through the time index, in time order.
func List(tx *ledger.Tx, f Filter) ([]Record, []byte, error) {
	var b ledger.Bucket
	var prefix []byte
	timed := false
	switch {
	case f.Item != 0:
		b, prefix = ledger.AuditItems, ledger.BE64(f.Item)
	case f.Actor != "":
		b, prefix = ledger.AuditActors, append([]byte(f.Actor), 0)
	case !f.From.IsZero() || !f.To.IsZero():
		b, timed = ledger.AuditTimes, true
	default:
		return listRecords(tx, f)
	}
	start := prefix
	if f.After != nil {
		if timed && len(f.After) != 16 || !timed && len(f.After) != 8 {
			return nil, nil, ErrCursor
		}
		start = append(bytes.Clone(prefix), f.After...)
	} else if timed && !f.From.IsZero() {
		start = ledger.BE64(uint64(f.From.UnixNano()))
	}
	var out []Record
	c := tx.Cursor(b)
	for k, _ := c.Seek(start); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if f.After != nil && bytes.Equal(k, start) || len(k) < len(prefix)+8 {
			continue // where the page resumed; or not an index key (verify names it)
		}
		seq := be64(k[len(k)-8:])
		r, err := decode(seq, tx.Get(ledger.AuditRecords, ledger.BE64(seq)))
		if err != nil {
			return nil, nil, err
		}
		if timed && !f.To.IsZero() && !r.At.Before(f.To) {
			break
		}
		if !f.match(r) {
			continue
		}
		out = append(out, r)
		if len(out) == f.Limit {
			return out, bytes.Clone(k[len(prefix):]), nil
		}
	}
	return out, nil, nil
}

// listRecords pages through every record in sequence order.
func listRecords(tx *ledger.Tx, f Filter) ([]Record, []byte, error) {
	after := uint64(0)
	if f.After != nil {
		if len(f.After) != 8 {
			return nil, nil, ErrCursor
		}
		after = be64(f.After)
	}
	var out []Record
	c := tx.Cursor(ledger.AuditRecords)
	for k, v := c.Seek(ledger.BE64(after + 1)); k != nil; k, v = c.Next() {
		if len(k) != 8 {
			continue // not a record's key (verify names it)
		}
		r, err := decode(be64(k), v)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, r)
		if len(out) == f.Limit {
			return out, bytes.Clone(k), nil
		}
	}
	return out, nil, nil
}

// Each calls fn for every record at or after from and before to (zero: no
// bound), in sequence order, for exports; it stops at fn's first error.
func Each(tx *ledger.Tx, from, to time.Time, fn func(Record) error) error {
	f := Filter{From: from, To: to}
	c := tx.Cursor(ledger.AuditRecords)
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(k) != 8 {
			continue // not a record's key (verify names it)
		}
		r, err := decode(be64(k), v)
		if err != nil {
			return err
		}
		if !f.match(r) {
			continue
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}
