package httpapi

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/amanat-ledger/amanat/chain/access"
)

// The mutator of FuzzWrites. The fuzz input is not a request: it is a short
// program that picks one seed (a valid request, or a short valid sequence of
// requests, see fuzzSeeds) and then applies mutations to it, five bytes
// each. Because the input only indexes into tables, a fuzz input stays
// meaningful as long as the tables keep their order: add seeds, operations
// and values at the END of their tables, never in between, or the kept
// corpus in testdata/fuzz/FuzzWrites stops saying what it said.

// fuzzBytes hands out the fuzz input a byte at a time; past its end every
// byte is zero.
type fuzzBytes struct{ b []byte }

func (r *fuzzBytes) more() bool { return len(r.b) > 0 }

func (r *fuzzBytes) next() byte {
	if len(r.b) == 0 {
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// pick is the next byte reduced to 0..n-1.
func (r *fuzzBytes) pick(n int) int { return int(r.next()) % n }

// fuzzStep is one request of a seed.
type fuzzStep struct {
	role   string // "" sends no token
	method string
	path   string
	body   *jsonValue // nil: no body
	// truncate >= 0 cuts the encoded body to that many bytes (modulo its
	// length), for malformed JSON.
	truncate int
}

func (st fuzzStep) clone() fuzzStep {
	c := st
	if st.body != nil {
		c.body = st.body.clone()
	}
	return c
}

// encoded is the body as sent.
func (st fuzzStep) encoded() []byte {
	if st.body == nil {
		return nil
	}
	var b bytes.Buffer
	st.body.encode(&b)
	out := b.Bytes()
	if st.truncate >= 0 && len(out) > 0 {
		out = out[:st.truncate%len(out)]
	}
	return out
}

// Mutation operations, by the byte that selects them.
const (
	opDrop      = iota // remove a field or an array element (the root: send no body)
	opDuplicate        // the same key twice, or an element twice
	opRetype           // string <-> number <-> object <-> array <-> null <-> bool
	opLengthen         // a long string, many array elements, many fields
	opInject           // a control character or invalid UTF-8 inside a string
	opAwkward          // one of awkwardValues: huge numbers, secrets, bad dates
	opUnknown          // an unknown field, or a known one in other letter case
	opRoute            // another role, or another id in the path
	opTruncate         // cut the body short
	numOps
)

var opNames = [numOps]string{"drop", "duplicate", "retype", "lengthen", "inject", "awkward", "unknown-field", "route", "truncate"}

// Bytes injected into strings: C0 and C1 controls, DEL, line breaks, Unicode
// line and paragraph separators, bidi overrides, a BOM, and byte sequences
// that are not UTF-8 (a lone continuation byte, a bad lead byte, a cut
// sequence, an encoded surrogate, a code point past U+10FFFF, an overlong
// slash).
var injected = []string{
	"\x00", "\x01", "\x1b", "\x1f", "\x7f", "\u0085", "\u009b", "\n", "\r\n", "\t",
	"\u2028", "\u2029", "\u202e", "\u200b", "\ufeff", "\ufffd",
	"\x80", "\xff", "\xc3\x28", "\xe2\x82", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf",
}

const (
	fuzzSeedPhrase = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
	fuzzWIF        = "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ"
	fuzzXprv       = "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi"
)

// awkwardValue is value number choice of the table, sized by param where it
// has a size: numbers of 50 to 70 digits, exponents past float64, negative
// and over-precise amounts, ids past uint64, secrets, impossible dates and
// times far in the past or future.
func awkwardValue(choice, param byte) *jsonValue {
	nines := strings.Repeat("9", 50+int(param)%21)
	table := []string{
		`"` + nines + `"`,
		`"` + nines + `.99"`,
		`"-` + nines + `"`,
		nines,
		`"0.` + nines + `"`,
		`"1e400"`,
		`1e400`,
		`-1e400`,
		`"-1500.00"`,
		`"-0.01"`,
		`"-0"`,
		`"0"`,
		`"0.00"`,
		`"0.000000000000000000000000000001"`,
		`"1500.123456789"`,
		`"12345678901234567890.12345678"`,
		`18446744073709551616`,
		`18446744073709551615`,
		`-1`,
		`0`,
		`1.5`,
		`""`,
		`" "`,
		`"NaN"`,
		`"Infinity"`,
		`"0x1F"`,
		`"+100"`,
		`"1,000.00"`,
		`"１２３"`,
		`"2025-02-30"`,
		`"2025-06-02T25:00:00Z"`,
		`"9999-12-31T23:59:59Z"`,
		`"0001-01-01T00:00:00Z"`,
		`"2099-01-01T00:00:00Z"`,
		`"1970-01-01"`,
		`"usd"`,
		`"XXX"`,
		`"BTC"`,
		`"PKR"`,
		`"` + fuzzSeedPhrase + `"`,
		`"left in the drawer: ` + fuzzSeedPhrase + `"`,
		`"` + fuzzWIF + `"`,
		`"` + fuzzXprv + `"`,
		`"FZ-1"`,
		`"fz-2"`,
		`true`,
		`null`,
		`{}`,
		`[]`,
		`[null]`,
		`{"":""}`,
	}
	return mustParseJSON(table[int(choice)%len(table)])
}

// pathIDs replace the id of a path: absent, not numbers, past uint64, or
// other records (items 1 and 2 exist; token ids 1 to 5 are the harness's
// own and are never revoked, so the harness can go on reading).
var (
	itemPathIDs  = []string{"0", "1", "2", "3", "999", "18446744073709551616", "-1", "abc", "01", "1e3"}
	tokenPathIDs = []string{"0", "6", "7", "999", "18446744073709551616", "-1", "abc", "06", "1e3"}
	fuzzRoles    = append([]string{""}, access.Roles...)
)

// mutate applies one mutation, read from r, to the chosen step of steps and
// says what it did.
func mutate(steps []fuzzStep, r *fuzzBytes) string {
	si := r.pick(len(steps))
	st := &steps[si]
	op := r.pick(numOps)
	target, param, param2 := r.next(), r.next(), r.next()
	if st.body == nil && op != opRoute {
		op = opRoute // nothing to mutate but the route
	}
	desc := fmt.Sprintf("step %d: %s", si, opNames[op])
	if op == opRoute {
		return desc + " " + mutateRoute(st, param, param2)
	}
	if op == opTruncate {
		st.truncate = int(param)<<8 | int(param2)
		return fmt.Sprintf("%s at byte %d", desc, st.truncate)
	}
	all := refs(st.body)
	ref := all[int(target)%len(all)]
	desc += fmt.Sprintf(" %q", ref.path)
	set := func(v *jsonValue) {
		if ref.parent == nil {
			st.body = v
		} else {
			ref.parent.elems[ref.index] = v
		}
	}
	switch op {
	case opDrop:
		if ref.parent == nil {
			st.body = nil
			return desc + " (no body)"
		}
		p := ref.parent
		if p.kind == '{' {
			p.keys = append(p.keys[:ref.index], p.keys[ref.index+1:]...)
		}
		p.elems = append(p.elems[:ref.index], p.elems[ref.index+1:]...)
	case opDuplicate:
		dup := ref.v.clone()
		if param%2 == 1 {
			dup = awkwardValue(param2, param)
		}
		switch {
		case ref.parent == nil:
			st.body = &jsonValue{kind: '[', elems: []*jsonValue{ref.v, dup}}
		case ref.parent.kind == '{':
			p := ref.parent
			p.keys = append(p.keys[:ref.index+1], append([]string{p.keys[ref.index]}, p.keys[ref.index+1:]...)...)
			p.elems = append(p.elems[:ref.index+1], append([]*jsonValue{dup}, p.elems[ref.index+1:]...)...)
		default:
			p := ref.parent
			p.elems = append(p.elems[:ref.index+1], append([]*jsonValue{dup}, p.elems[ref.index+1:]...)...)
		}
		desc += fmt.Sprintf(" as %.60s", dup)
	case opRetype:
		v := retype(ref.v, param)
		set(v)
		desc += fmt.Sprintf(" to %.60s", v)
	case opLengthen:
		v := lengthen(ref.v, param, param2)
		set(v)
		desc += fmt.Sprintf(" to %d bytes", v.size(maxFuzzBody+1))
	case opInject:
		ch := injected[int(param)%len(injected)]
		v := ref.v
		if v.kind != '"' {
			v = &jsonValue{kind: '"', text: v.text}
			set(v)
		}
		at := int(param2) % (len(v.text) + 1)
		v.text = v.text[:at] + ch + v.text[at:]
		desc += fmt.Sprintf(" %q at byte %d", ch, at)
	case opAwkward:
		v := awkwardValue(param, param2)
		set(v)
		desc += fmt.Sprintf(" to %.80s", v)
	case opUnknown:
		obj := ref.v
		if obj.kind != '{' {
			obj = ref.parent
		}
		if obj == nil || obj.kind != '{' {
			obj = st.body
		}
		if obj.kind != '{' {
			return desc + " (no object)"
		}
		key := "unexpected"
		if len(obj.keys) > 0 && param%2 == 1 {
			// encoding/json matches keys without regard to case: a key in
			// other letters is a second value for the same field.
			key = strings.ToUpper(obj.keys[int(param2)%len(obj.keys)])
		}
		obj.keys = append(obj.keys, key)
		obj.elems = append(obj.elems, awkwardValue(param2, param))
		desc += fmt.Sprintf(" %q", key)
	}
	return desc
}

// mutateRoute sends the step as another role, or to another id.
func mutateRoute(st *fuzzStep, param, param2 byte) string {
	segs := strings.Split(st.path, "/")
	// The id segment of /v1/items/{id}/custody and /v1/tokens/{id}/revoke.
	if param%2 == 1 && len(segs) > 3 {
		ids := itemPathIDs
		if segs[2] == "tokens" {
			ids = tokenPathIDs
		}
		segs[3] = ids[int(param2)%len(ids)]
		st.path = strings.Join(segs, "/")
		return "path " + st.path
	}
	st.role = fuzzRoles[int(param2)%len(fuzzRoles)]
	return fmt.Sprintf("role %q", st.role)
}

func retype(v *jsonValue, param byte) *jsonValue {
	switch param % 6 {
	case 0: // to a string
		if v.kind == '"' {
			return &jsonValue{kind: '"', text: v.text + v.text}
		}
		return &jsonValue{kind: '"', text: v.String()}
	case 1: // to a number: the string's text when it is one
		if v.kind == '"' {
			if n, err := parseJSON(v.text); err == nil && n.kind == '0' {
				return n
			}
		}
		return &jsonValue{kind: '0', text: "1"}
	case 2:
		if v.kind == '{' {
			return &jsonValue{kind: '{'}
		}
		return &jsonValue{kind: '{', keys: []string{"value"}, elems: []*jsonValue{v}}
	case 3:
		return &jsonValue{kind: '[', elems: []*jsonValue{v}}
	case 4:
		return &jsonValue{kind: 'l', text: "null"}
	default:
		return &jsonValue{kind: 'l', text: "true"}
	}
}

// Lengths that cross the limits of the product: a short text (200 bytes),
// a long one (4000, 4096), a body limit (1 MiB), and counts past 100 items.
var (
	longStrings = []int{65, 201, 4001, 4097, 70_000, 1 << 20}
	longArrays  = []int{3, 101, 1001}
)

func lengthen(v *jsonValue, param, param2 byte) *jsonValue {
	switch v.kind {
	case '"':
		n := longStrings[int(param)%len(longStrings)]
		unit := v.text
		if unit == "" {
			unit = "x"
		}
		if param2%2 == 1 {
			unit = "ا" // two bytes in UTF-8: byte and character limits differ
		}
		s := strings.Repeat(unit, n/len(unit)+1)[:n]
		return &jsonValue{kind: '"', text: s}
	case '[', '{':
		n := longArrays[int(param)%len(longArrays)]
		out := v.clone()
		if len(out.elems) == 0 {
			out.elems = []*jsonValue{{kind: '0', text: "1"}}
			if out.kind == '{' {
				out.keys = []string{"unexpected"}
			}
		}
		// Stop past the size cap: a 1 MiB string in a thousand elements
		// would be a gigabyte to build.
		total := out.size(maxFuzzBody)
		for i := 0; len(out.elems) < n && total <= maxFuzzBody; i++ {
			e := out.elems[i%len(out.elems)].clone()
			total += e.size(maxFuzzBody) + 1
			out.elems = append(out.elems, e)
			if out.kind == '{' {
				out.keys = append(out.keys, out.keys[i%len(out.keys)])
			}
		}
		return out
	case '0':
		return &jsonValue{kind: '0', text: v.text + strings.Repeat("9", 50+int(param)%21)}
	}
	return &jsonValue{kind: '"', text: strings.Repeat("x", longStrings[int(param)%len(longStrings)])}
}
