package ledger

import (
	"encoding/json"
	"errors"
)

// Records that packages keep in the store (rates, conversions, cases, items)
// are one version byte followed by JSON: readable by anyone with the file and
// a JSON tool, and a later format can change the byte while old records still
// say what they are. Both halves live here so that every package writes the
// same format.

// ErrRecordVersion is returned by DecodeRecord for a record that is empty or
// of another version than the caller reads.
var ErrRecordVersion = errors.New("unknown record version")

// EncodeRecord is v as a stored record of the given version.
func EncodeRecord(version byte, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append([]byte{version}, b...), nil
}

// DecodeRecord reads a stored record of the given version into v; it returns
// ErrRecordVersion when data is not of that version.
func DecodeRecord(data []byte, version byte, v any) error {
	if len(data) == 0 || data[0] != version {
		return ErrRecordVersion
	}
	return json.Unmarshal(data[1:], v)
}
