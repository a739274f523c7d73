package httpapi

import (
	"encoding/json"
	"reflect"
	"strconv"

	"github.com/amanat-ledger/amanat/ledger"
)

// ID is an id (of a case, item, custody entry, ledger transaction, rate,
// conversion, reconciliation or token) as the API writes and reads it. Every
// answer carries ids as JSON numbers. A request may send one as a number (7)
// or, for clients that keep ids as text, as a string of decimal digits ("7");
// anything else is a 422 naming the field.
type ID uint64

// MarshalJSON writes the id as a JSON number.
func (id ID) MarshalJSON() ([]byte, error) {
	return strconv.AppendUint(nil, uint64(id), 10), nil
}

// UnmarshalJSON reads a JSON number or a string of decimal digits. Zero is
// read (whether it names anything is the domain's rule); a sign, a fraction,
// an exponent, an empty string or a value beyond 2^64-1 is refused.
func (id *ID) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil // as if absent
	}
	// The decoder adds the field's path to an UnmarshalTypeError; jsonError
	// turns it into a 422 that says what an id looks like.
	bad := &json.UnmarshalTypeError{Value: "number " + s, Type: reflect.TypeFor[ID]()}
	if len(s) > 0 && s[0] == '"' {
		bad.Value = "string " + s
		var err error
		if s, err = strconv.Unquote(s); err != nil {
			return bad
		}
	}
	if !allDigits(s) {
		return bad
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return bad
	}
	*id = ID(n)
	return nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// text is the id as the finance package takes it: decimal digits, or "" when
// the field was absent (finance then says it is required).
func (id *ID) text() string {
	if id == nil {
		return ""
	}
	return strconv.FormatUint(uint64(*id), 10)
}

// idOf reads an id that a domain package keeps as decimal text, for an
// answer. Such text is written by this server, so anything else is a fault in
// the store, not in the request.
func idOf(what, text string) (ID, error) {
	n, err := strconv.ParseUint(text, 10, 64)
	if err != nil || n == 0 {
		return 0, ledger.Errorf(ledger.EInternal, "%s %q is not an id", what, text)
	}
	return ID(n), nil
}
