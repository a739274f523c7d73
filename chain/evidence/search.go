package evidence

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/ledger"
)

// The search index lives in ledger.SearchTerms: for every searchable field
// of a case or item, one key per normalised term,
//
//	term 0x00 kind BE(id) 0x00 field -> the field's text as recorded
//
// where the terms of a text are the whole text and, when it has several
// words, each word, so that a prefix of any word finds it ("minh" finds
// "Tran Van Minh"). The register writes the keys in the same transaction as
// the case, the item or the custody entry they come from, so the index never
// lags the records. A query is one cursor Seek to its prefix and a walk over
// the keys that share it.

// Hit kinds.
const (
	HitCase = "case"
	HitItem = "item"
)

const (
	kindCase byte = 'c'
	kindItem byte = 'i'
)

// Bounds of a query and of an indexed term, in bytes after normalising.
const (
	minQueryRunes = 2
	maxQueryBytes = 200
	maxTermBytes  = 200
)

// Hit is one field of a case or item that a query matches.
type Hit struct {
	Kind  string `json:"kind"`  // case | item
	ID    uint64 `json:"id"`    // the case's or item's id
	Field string `json:"field"` // fir, seal, suspect, id_number, nationality, address, txid, officer, holder
	Match string `json:"match"` // the field's text as recorded
}

// Cursor is where a page of hits resumes: after this hit in (kind, id,
// field) order.
func (h Hit) Cursor() []byte {
	k := kindItem
	if h.Kind == HitCase {
		k = kindCase
	}
	out := append([]byte{k}, be64(h.ID)...)
	return append(out, h.Field...)
}

// Normalise is the form terms and queries are compared in: NFC, then
// Unicode lower case, with runs of white space made one space. Scripts
// other than Latin stay as they are, only composed and lower-cased.
func Normalise(s string) string {
	s = strings.ToLower(norm.NFC.String(s))
	return strings.Join(strings.Fields(s), " ")
}

// terms are the normalised whole of s and, when it has several words, each
// word; none for empty text. A term is cut to maxTermBytes on a rune
// boundary and never holds the key separator 0x00.
func terms(s string) []string {
	full := strings.ReplaceAll(Normalise(s), "\x00", "")
	if full == "" {
		return nil
	}
	out := []string{full}
	if words := strings.Fields(full); len(words) > 1 {
		out = append(out, words...)
	}
	for i, t := range out {
		for len(t) > maxTermBytes {
			_, size := utf8.DecodeLastRuneInString(t)
			t = t[:len(t)-size]
		}
		out[i] = t
	}
	return out
}

func termKey(term string, kind byte, id uint64, field string) []byte {
	k := make([]byte, 0, len(term)+11+len(field))
	k = append(k, term...)
	k = append(k, 0, kind)
	k = binary.BigEndian.AppendUint64(k, id)
	k = append(k, 0)
	return append(k, field...)
}

// indexText writes the index keys of one field's text inside tx.
func indexText(tx *ledger.Tx, kind byte, id uint64, field, text string) error {
	for _, t := range terms(text) {
		if err := tx.Put(ledger.SearchTerms, termKey(t, kind, id, field), []byte(text)); err != nil {
			return fmt.Errorf("index %s of %c%d: %w", field, kind, id, err)
		}
	}
	return nil
}

type fieldText struct{ field, text string }

func indexAll(tx *ledger.Tx, kind byte, id uint64, fields []fieldText) error {
	for _, f := range fields {
		if err := indexText(tx, kind, id, f.field, f.text); err != nil {
			return err
		}
	}
	return nil
}

func indexCase(tx *ledger.Tx, c *Case) error {
	return indexAll(tx, kindCase, c.ID, []fieldText{{"fir", c.FIR}, {"officer", c.OfficerInCharge}})
}

func indexItem(tx *ledger.Tx, it *Item) error {
	fields := []fieldText{
		{"seal", it.Seal},
		{"suspect", it.SeizedFrom.Name},
		{"id_number", it.SeizedFrom.IDNumber},
		{"nationality", it.SeizedFrom.Nationality},
		{"officer", it.Officer},
	}
	for _, a := range it.Addresses {
		fields = append(fields, fieldText{"address", a.Address})
	}
	return indexAll(tx, kindItem, it.ID, fields)
}

// indexEntry indexes what a custody entry names of its item: the holders it
// moves the item between, an on-chain transaction id and a new seal.
func indexEntry(tx *ledger.Tx, e *chain.Entry) error {
	return indexAll(tx, kindItem, e.Item, []fieldText{
		{"holder", e.From}, {"holder", e.To},
		{"txid", e.Location.TxID},
		{"seal", e.SealAfter.Number},
	})
}

// CheckQuery normalises a search query, refusing one of fewer than two
// characters (after trimming) or of more than maxQueryBytes.
func CheckQuery(q string) (string, error) {
	n := Normalise(q)
	switch {
	case utf8.RuneCountInString(n) < minQueryRunes:
		return "", ledger.FieldErr("q", fmt.Sprintf("must hold at least %d characters other than spaces", minQueryRunes))
	case len(n) > maxQueryBytes:
		return "", ledger.FieldErr("q", fmt.Sprintf("must be at most %d bytes", maxQueryBytes))
	}
	return n, nil
}

// Search finds the cases and items with a field that has a term starting
// with q (case-insensitively, after normalising), one hit per (kind, id,
// field), in (kind, id, field) order, cases first: up to limit of them
// after the hit whose Cursor is after (nil: from the first). next is the
// cursor of the page's last hit when more follow, nil on the last page.
// The walk reads only the keys that share the prefix.
func (r *Registry) Search(tx *ledger.Tx, q string, after []byte, limit int) (hits []Hit, next []byte, err error) {
	prefix, err := CheckQuery(q)
	if err != nil {
		return nil, nil, err
	}
	if after != nil && (len(after) < 9 || (after[0] != kindCase && after[0] != kindItem)) {
		return nil, nil, ledger.FieldErr("cursor", "is not a cursor this list gave out")
	}
	if limit <= 0 {
		limit = 100
	}
	type owner struct {
		cursor string
		hit    Hit
	}
	seen := map[string]int{}
	var found []owner
	c := tx.Cursor(ledger.SearchTerms)
	for k, v := c.Seek([]byte(prefix)); k != nil && bytes.HasPrefix(k, []byte(prefix)); k, v = c.Next() {
		h, ok := parseTermKey(k)
		if !ok {
			return nil, nil, fmt.Errorf("search index holds a malformed key %x", k)
		}
		cur := string(h.Cursor())
		if after != nil && cur <= string(after) {
			continue
		}
		if _, dup := seen[cur]; dup {
			continue
		}
		h.Match = string(v)
		seen[cur] = len(found)
		found = append(found, owner{cur, h})
	}
	slices.SortFunc(found, func(a, b owner) int { return cmp.Compare(a.cursor, b.cursor) })
	if found, err = visibleHits(r, tx, found, func(o owner) Hit { return o.hit }); err != nil {
		return nil, nil, err
	}
	for i, f := range found {
		if i == limit {
			return hits, []byte(found[i-1].cursor), nil
		}
		hits = append(hits, f.hit)
	}
	return hits, nil, nil
}

// parseTermKey reads the kind, id and field of an index key: the term ends
// at the first 0x00, which no term holds.
func parseTermKey(k []byte) (Hit, bool) {
	i := bytes.IndexByte(k, 0)
	if i < 0 || len(k) < i+11 || k[i+10] != 0 {
		return Hit{}, false
	}
	h := Hit{ID: binary.BigEndian.Uint64(k[i+2 : i+10]), Field: string(k[i+11:])}
	switch k[i+1] {
	case kindCase:
		h.Kind = HitCase
	case kindItem:
		h.Kind = HitItem
	default:
		return Hit{}, false
	}
	return h, true
}

// backfillSearch builds the index of a store written before it existed:
// when the index is empty but cases exist, it indexes every case, item and
// custody entry inside tx, once.
func (r *Registry) backfillSearch(tx *ledger.Tx) error {
	if tx.Len(ledger.SearchTerms) > 0 || tx.Len(ledger.EvidenceCases) == 0 {
		return nil
	}
	err := tx.ForEach(ledger.EvidenceCases, func(k, v []byte) error {
		var c Case
		if err := decodeRecord(v, &c); err != nil {
			return fmt.Errorf("decode case %x: %w", k, err)
		}
		return indexCase(tx, &c)
	})
	if err != nil {
		return err
	}
	return r.ForEachItem(tx, func(it Item) (bool, error) {
		if err := indexItem(tx, &it); err != nil {
			return false, err
		}
		for after := uint64(0); ; {
			es, err := r.custody.EntriesAfter(tx, it.ID, after, 1000)
			if err != nil {
				return false, fmt.Errorf("custody entries of item %d: %w", it.ID, err)
			}
			for i := range es {
				if err := indexEntry(tx, &es[i]); err != nil {
					return false, err
				}
			}
			if len(es) < 1000 {
				return true, nil
			}
			after = es[len(es)-1].ItemSeq
		}
	})
}

// visibleHits keeps the hits on cases and items the caller sees.
func visibleHits[T any](r *Registry, tx *ledger.Tx, in []T, hit func(T) Hit) ([]T, error) {
	if r.scope == nil {
		return in, nil
	}
	out := in[:0]
	for _, x := range in {
		h := hit(x)
		sees := r.SeesItem
		if h.Kind == HitCase {
			sees = r.SeesCase
		}
		ok, err := sees(tx, h.ID)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, x)
		}
	}
	return out, nil
}
