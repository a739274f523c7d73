package log

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"

	"github.com/amanat-ledger/amanat/ledger"
)

// Records are the third kind of leaf: records that other packages own and
// store in their own buckets (a case, an item, a rate), each written once and
// never changed. The log covers a record's stored bytes exactly, wrapped as
//
//	amanat-record/1\nkind <kind>\nid <id>\n<the stored bytes>
//
// so that changing, adding or deleting a stored record is caught by Verify.
// The log cannot import the owners (they import the custody log), so the
// wiring passes every owner's ledger.RecordKind to Open or OpenReadOnly: a
// read-write and a read-only open of one store then know the same kinds
// because the same wiring opens both.

// RecordFormat is the first line of a record leaf.
const RecordFormat = "amanat-record/1"

// kindSet is the record kinds a Log was opened with, sorted by name.
type kindSet []ledger.RecordKind

// newKindSet checks the kinds given to Open or OpenReadOnly and sorts them by name.
func newKindSet(kinds []ledger.RecordKind) (kindSet, error) {
	out := make(kindSet, 0, len(kinds))
	for _, k := range kinds {
		if !validKindName(k.Name) || k.Each == nil {
			return nil, fmt.Errorf("custody: bad record kind %q", k.Name)
		}
		if k.Label == "" {
			k.Label = k.Name
		}
		if _, dup := out.kind(k.Name); dup {
			return nil, fmt.Errorf("custody: record kind %q is given twice", k.Name)
		}
		if o, ok := out.orders(); ok && k.Orders {
			return nil, fmt.Errorf("custody: record kinds %q and %q both say entries name them by court_order_id", o.Name, k.Name)
		}
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b ledger.RecordKind) int { return bytesCompare(a.Name, b.Name) })
	return out, nil
}

// kind is the kind named name, if the set has it.
func (s kindSet) kind(name string) (ledger.RecordKind, bool) {
	for _, k := range s {
		if k.Name == name {
			return k, true
		}
	}
	return ledger.RecordKind{}, false
}

// items is the kinds keyed by item id, by name.
func (s kindSet) items() []ledger.RecordKind {
	var out []ledger.RecordKind
	for _, k := range s {
		if k.Item {
			out = append(out, k)
		}
	}
	return out
}

// orders is the kind whose records entries name by court_order_id, if any.
func (s kindSet) orders() (ledger.RecordKind, bool) {
	for _, k := range s {
		if k.Orders {
			return k, true
		}
	}
	return ledger.RecordKind{}, false
}

func bytesCompare(a, b string) int { return bytes.Compare([]byte(a), []byte(b)) }

func validKindName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// RecordLeaf is the leaf data of a record: the wrapper lines, then the
// stored bytes exactly.
func RecordLeaf(kind string, id uint64, stored []byte) []byte {
	b := make([]byte, 0, len(RecordFormat)+len(kind)+32+len(stored))
	b = append(b, RecordFormat+"\nkind "...)
	b = append(b, kind...)
	b = append(b, "\nid "...)
	b = strconv.AppendUint(b, id, 10)
	b = append(b, '\n')
	return append(b, stored...)
}

func recordKey(kind string, id uint64) []byte {
	k := make([]byte, 0, len(kind)+9)
	k = append(k, kind...)
	k = append(k, 0)
	return binary.BigEndian.AppendUint64(k, id)
}

func recordLeafValue(kind string, id uint64) []byte {
	v := make([]byte, 9, 9+len(kind))
	v[0] = KindRecord
	binary.BigEndian.PutUint64(v[1:], id)
	return append(v, kind...)
}

// LogRecord makes a stored record the next leaf of the log, inside tx (call
// it in the transaction that stores the record, with the bytes exactly as
// stored), and registers the checkpoint hook. A record is logged once: a
// second call for the same kind and id fails.
func (l *Log) LogRecord(tx *ledger.Tx, kind string, id uint64, stored []byte) error {
	if l.signer == nil {
		return ledger.Errorf(ledger.EInternal, "custody log is open read-only")
	}
	if err := logRecord(tx, kind, id, stored); err != nil {
		return err
	}
	l.SignOnCommit(tx)
	return nil
}

func logRecord(tx *ledger.Tx, kind string, id uint64, stored []byte) error {
	if !validKindName(kind) {
		return fmt.Errorf("record kind %q is not a valid name", kind)
	}
	if !tx.Has(ledger.ChainRecords) {
		return fmt.Errorf("custody log is not initialised in this store")
	}
	key := recordKey(kind, id)
	if v := tx.Get(ledger.ChainRecords, key); v != nil {
		return fmt.Errorf("%s %d is already in the log (log leaf %d)", kind, id, Uint64(v))
	}
	i, _, err := AppendLeaf(tx, KindRecord, id, RecordLeaf(kind, id, stored))
	if err != nil {
		return err
	}
	// AppendLeaf wrote kind and id; a record's leaf also names its kind.
	if err := tx.Put(ledger.ChainLeaves, BE64(i), recordLeafValue(kind, id)); err != nil {
		return fmt.Errorf("store log leaf: %w", err)
	}
	return tx.Put(ledger.ChainRecords, key, BE64(i))
}

// backfilledKey in the meta bucket marks a record kind whose records older
// than the record log were given leaves; it is done once per kind, so a
// record added later without a leaf is reported by verification, never adopted.
func backfilledKey(kind string) []byte { return []byte("records.backfilled " + kind) }

// backfillRecords gives the records of every kind the log was opened with
// that have no leaf one, in kind then id order, the first time a read-write
// process knows the kind (a store made before records were logged, or by a
// process that did not open the log with the kind).
func (l *Log) backfillRecords(tx *ledger.Tx) error {
	for _, k := range l.kinds {
		if tx.Get(ledger.ChainMeta, backfilledKey(k.Name)) != nil {
			continue
		}
		type rec struct {
			id     uint64
			stored []byte
		}
		var missing []rec
		err := k.Each(tx, func(id uint64, stored []byte) error {
			if tx.Get(ledger.ChainRecords, recordKey(k.Name, id)) == nil {
				missing = append(missing, rec{id, bytes.Clone(stored)})
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("read %s records: %w", k.Name, err)
		}
		slices.SortFunc(missing, func(a, b rec) int { return cmpUint(a.id, b.id) })
		for _, r := range missing {
			if err := logRecord(tx, k.Name, r.id, r.stored); err != nil {
				return err
			}
		}
		if err := tx.Put(ledger.ChainMeta, backfilledKey(k.Name), []byte(strconv.Itoa(len(missing)))); err != nil {
			return err
		}
	}
	return nil
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// RecordLeafIndex is the log leaf of a record, if it is logged.
func (l *Log) RecordLeafIndex(tx *ledger.Tx, kind string, id uint64) (uint64, bool) {
	v := tx.Get(ledger.ChainRecords, recordKey(kind, id))
	if len(v) != 8 {
		return 0, false
	}
	return Uint64(v), true
}

// recordSet is what Verify knows of one kind's stored records.
type recordSet struct {
	kind   ledger.RecordKind
	stored map[uint64][]byte
	leaf   map[uint64]uint64 // id -> the log leaf that covered it
}

// loadRecords reads the records of every kind the log was opened with, for
// Verify.
func (l *Log) loadRecords(tx *ledger.Tx) (map[string]*recordSet, error) {
	out := map[string]*recordSet{}
	for _, k := range l.kinds {
		s := &recordSet{kind: k, stored: map[uint64][]byte{}, leaf: map[uint64]uint64{}}
		err := k.Each(tx, func(id uint64, stored []byte) error {
			if _, dup := s.stored[id]; dup {
				return fmt.Errorf("%s %d is stored twice", k.Label, id)
			}
			s.stored[id] = stored
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read %s records: %w", k.Name, err)
		}
		out[k.Name] = s
	}
	return out, nil
}

// recordData finds the stored record a record leaf names, for Verify.
func recordData(tx *ledger.Tx, sets map[string]*recordSet, i uint64, lv []byte) (label string, id uint64, data []byte, err error) {
	id, name := Uint64(lv[1:9]), string(lv[9:])
	s := sets[name]
	if s == nil {
		return name, id, nil, fmt.Errorf("log leaf %d is a record of kind %q, which this program does not know how to read", i, name)
	}
	label = s.kind.Label
	if first, seen := s.leaf[id]; seen {
		return label, id, nil, fmt.Errorf("%s %d is in the log twice (log leaves %d and %d)", label, id, first, i)
	}
	stored, ok := s.stored[id]
	if !ok {
		return label, id, nil, fmt.Errorf("%s %d: missing from the store (log leaf %d)", label, id, i)
	}
	if !tx.Has(ledger.ChainRecords) {
		return label, id, nil, fmt.Errorf("%s %d: the record index is missing (log leaf %d)", label, id, i)
	}
	if v := tx.Get(ledger.ChainRecords, recordKey(name, id)); len(v) != 8 || Uint64(v) != i {
		return label, id, nil, fmt.Errorf("%s %d: the record index does not point at log leaf %d", label, id, i)
	}
	s.leaf[id] = i
	return label, id, RecordLeaf(name, id, stored), nil
}

// checkRecordsCovered says which stored record has no leaf, lowest id of the
// first kind first, and checks that the record index holds nothing else.
func (l *Log) checkRecordsCovered(tx *ledger.Tx, sets map[string]*recordSet, leaves uint64) error {
	for _, k := range l.kinds {
		s := sets[k.Name]
		if s == nil || len(s.leaf) == len(s.stored) {
			continue
		}
		var ids []uint64
		for id := range s.stored {
			if _, ok := s.leaf[id]; !ok {
				ids = append(ids, id)
			}
		}
		slices.Sort(ids)
		if tx.Get(ledger.ChainMeta, backfilledKey(k.Name)) == nil {
			return fmt.Errorf("%s %d is not in the log (the store holds %s records from before they were logged: open it once read-write, e.g. amanat serve, to add them)", k.Label, ids[0], k.Label)
		}
		return fmt.Errorf("%s %d is not in the log", k.Label, ids[0])
	}
	if n := uint64(tx.Len(ledger.ChainRecords)); n != leaves {
		return fmt.Errorf("the record index holds %d keys for %d record leaves", n, leaves)
	}
	return nil
}

// readRecord is the stored bytes of one record of k, or nil.
func readRecord(tx *ledger.Tx, k ledger.RecordKind, id uint64) ([]byte, error) {
	if k.Read != nil {
		v, ok := k.Read(tx, id)
		if !ok {
			return nil, nil
		}
		return bytes.Clone(v), nil
	}
	var out []byte
	err := k.Each(tx, func(rid uint64, stored []byte) error {
		if rid == id {
			out = bytes.Clone(stored)
		}
		return nil
	})
	return out, err
}

// ProveRecord is the inclusion proof of record id of kind in the tree of
// size leaves (0: the stored checkpoint's size). Its Canonical is the leaf
// data: the amanat-record/1 wrapper and the stored bytes.
func (l *Log) ProveRecord(tx *ledger.Tx, kind string, id, size uint64) (InclusionProof, error) {
	k, ok := l.kinds.kind(kind)
	if !ok {
		return InclusionProof{}, ledger.Errorf(ledger.ENotFound, "record kind %q is not one of this log's", kind)
	}
	leaf, ok := l.RecordLeafIndex(tx, kind, id)
	if !ok {
		return InclusionProof{}, ledger.Errorf(ledger.ENotFound, "%s %d is not in the log", k.Label, id)
	}
	stored, err := readRecord(tx, k, id)
	if err != nil {
		return InclusionProof{}, err
	}
	if stored == nil {
		return InclusionProof{}, ledger.Errorf(ledger.ENotFound, "%s %d not found", k.Label, id)
	}
	return l.Prove(tx, kind, id, leaf, size, RecordLeaf(kind, id, stored))
}

// ItemKinds is the log's record kinds keyed by item id, by name: the
// records a court bundle of an item carries.
func (l *Log) ItemKinds() []ledger.RecordKind { return l.kinds.items() }

// OrderKind is the log's record kind that custody entries name by
// court_order_id, if it was opened with one.
func (l *Log) OrderKind() (ledger.RecordKind, bool) { return l.kinds.orders() }

// OrderRecordKind names the kind among kinds that custody entries name by
// court_order_id, or "" when none says so.
func OrderRecordKind(kinds []ledger.RecordKind) string {
	for _, k := range kinds {
		if k.Orders {
			return k.Name
		}
	}
	return ""
}

// ItemIsCash says whether a record of an item kind calls the item cash. An
// item without a record of a kind that knows (a store without the register)
// is not called cash: the log alone cannot tell.
func (l *Log) ItemIsCash(tx *ledger.Tx, item uint64) (bool, error) {
	for _, k := range l.kinds.items() {
		if k.Cash == nil {
			continue
		}
		stored, err := readRecord(tx, k, item)
		if err != nil {
			return false, fmt.Errorf("%s %d: %w", k.Label, item, err)
		}
		if stored == nil {
			continue
		}
		cash, err := k.Cash(stored)
		if err != nil {
			return false, fmt.Errorf("%s %d: %w", k.Label, item, err)
		}
		if cash {
			return true, nil
		}
	}
	return false, nil
}

// ItemRecordKinds names those of kinds keyed by item id, sorted: the
// kinds of record a court bundle carries. The API description lists them.
func ItemRecordKinds(kinds []ledger.RecordKind) []string {
	var out []string
	for _, k := range kinds {
		if k.Item {
			out = append(out, k.Name)
		}
	}
	slices.Sort(out)
	return out
}

// ParseRecordLeaf reads the wrapper of a record leaf: its kind and id.
func ParseRecordLeaf(data []byte) (kind string, id uint64, err error) {
	rest, ok := bytes.CutPrefix(data, []byte(RecordFormat+"\nkind "))
	if !ok {
		return "", 0, fmt.Errorf("does not start with %q", RecordFormat+"\nkind ")
	}
	k, rest, ok := bytes.Cut(rest, []byte("\nid "))
	if !ok || !validKindName(string(k)) {
		return "", 0, fmt.Errorf("has no valid kind line")
	}
	n, _, ok := bytes.Cut(rest, []byte("\n"))
	id, perr := strconv.ParseUint(string(n), 10, 64)
	if !ok || perr != nil || strconv.FormatUint(id, 10) != string(n) {
		return "", 0, fmt.Errorf("has no valid id line")
	}
	return string(k), id, nil
}
