package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// This file holds the small JSON tree FuzzWrites mutates. encoding/json
// cannot be used for it: a body under test needs duplicate keys, key order
// kept, numbers of any size kept as written (1e400, a 70-digit integer) and
// strings that are not valid UTF-8 sent byte for byte, and a Go map or
// json.Marshal would lose every one of those.

// jsonValue is one JSON value. For an object keys and elems run side by
// side (duplicates allowed); for an array elems holds the elements; for a
// string text holds its bytes (not necessarily UTF-8); for a number or a
// literal (true, false, null) text is the JSON text itself.
type jsonValue struct {
	kind  byte // '{', '[', '"', '0' (number) or 'l' (literal)
	text  string
	keys  []string
	elems []*jsonValue
}

// parseJSON reads one JSON document into a tree. Seeds and the table of
// awkward values are the only callers, so an error is the harness's bug.
func parseJSON(s string) (*jsonValue, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	v, err := parseValue(dec)
	if err != nil {
		return nil, fmt.Errorf("parse %q: %w", s, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("parse %q: more than one value", s)
	}
	return v, nil
}

func mustParseJSON(s string) *jsonValue {
	v, err := parseJSON(s)
	if err != nil {
		panic(err)
	}
	return v
}

func parseValue(dec *json.Decoder) (*jsonValue, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			v := &jsonValue{kind: '{'}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				e, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				v.keys = append(v.keys, kt.(string))
				v.elems = append(v.elems, e)
			}
			_, err := dec.Token()
			return v, err
		case '[':
			v := &jsonValue{kind: '['}
			for dec.More() {
				e, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				v.elems = append(v.elems, e)
			}
			_, err := dec.Token()
			return v, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	case string:
		return &jsonValue{kind: '"', text: t}, nil
	case json.Number:
		return &jsonValue{kind: '0', text: string(t)}, nil
	case bool:
		return &jsonValue{kind: 'l', text: fmt.Sprint(t)}, nil
	case nil:
		return &jsonValue{kind: 'l', text: "null"}, nil
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

func (v *jsonValue) clone() *jsonValue {
	c := &jsonValue{kind: v.kind, text: v.text, keys: append([]string(nil), v.keys...)}
	for _, e := range v.elems {
		c.elems = append(c.elems, e.clone())
	}
	return c
}

// encode writes v as JSON. Strings go out byte for byte, escaping only the
// quote, the backslash and bytes below 0x20 (as \u00XX, so a control
// character reaches the server as the character, not as a syntax error);
// invalid UTF-8 is written as it is.
func (v *jsonValue) encode(b *bytes.Buffer) {
	switch v.kind {
	case '{':
		b.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, k)
			b.WriteByte(':')
			v.elems[i].encode(b)
		}
		b.WriteByte('}')
	case '[':
		b.WriteByte('[')
		for i, e := range v.elems {
			if i > 0 {
				b.WriteByte(',')
			}
			e.encode(b)
		}
		b.WriteByte(']')
	case '"':
		writeJSONString(b, v.text)
	default:
		b.WriteString(v.text)
	}
}

func (v *jsonValue) String() string {
	var b bytes.Buffer
	v.encode(&b)
	return b.String()
}

func writeJSONString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20:
			fmt.Fprintf(b, `\u%04x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}

// jsonRef is one value of a tree and where it sits: parent nil for the root.
type jsonRef struct {
	parent *jsonValue
	index  int
	v      *jsonValue
	path   string // "items[1].amounts[0].amount"; "" for the root
}

// refs lists every value of the tree in document order, root first.
func refs(root *jsonValue) []jsonRef {
	var out []jsonRef
	var walk func(parent *jsonValue, index int, v *jsonValue, path string)
	walk = func(parent *jsonValue, index int, v *jsonValue, path string) {
		out = append(out, jsonRef{parent: parent, index: index, v: v, path: path})
		for i, e := range v.elems {
			p := fmt.Sprintf("%s[%d]", path, i)
			if v.kind == '{' {
				p = v.keys[i]
				if path != "" {
					p = path + "." + p
				}
			}
			walk(v, i, e, p)
		}
	}
	if root != nil {
		walk(nil, 0, root, "")
	}
	return out
}

// size is about the length of v encoded, counted only up to limit so that a
// huge tree costs no more than a small one to measure.
func (v *jsonValue) size(limit int) int {
	n := len(v.text) + 2
	for i, e := range v.elems {
		if n > limit {
			return n
		}
		if v.kind == '{' {
			n += len(v.keys[i]) + 3
		}
		n += e.size(limit-n) + 1
	}
	return n
}
