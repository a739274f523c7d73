package ledger

import (
	"encoding/json"
	"reflect"
	"strconv"
)

// ID is a record id (of a case, item, custody entry, transaction, rate,
// conversion, reconciliation or token) as requests send it and answers write
// it: answers carry it as a JSON number; a request may send a number (7) or,
// for clients that keep ids as text, a string of decimal digits ("7").
// Anything else is refused, and the decoder names the field.
type ID uint64

// MarshalJSON writes the id as a JSON number.
func (id ID) MarshalJSON() ([]byte, error) {
	return strconv.AppendUint(nil, uint64(id), 10), nil
}

// UnmarshalJSON reads a JSON number or a string of decimal digits. Zero is
// read (whether it names anything is the domain's rule); a sign, a fraction,
// an exponent, an empty string or a value beyond 2^64-1 is refused. null
// reads as absent.
func (id *ID) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil
	}
	// The decoder adds the field's path to an UnmarshalTypeError.
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

// Text is the id in decimal, or "" for a nil id (a field left out).
func (id *ID) Text() string {
	if id == nil {
		return ""
	}
	return strconv.FormatUint(uint64(*id), 10)
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
