package chain

import "encoding/json"

// MarshalBundle writes a bundle as ExportItem does: indented JSON and a
// newline.
func MarshalBundle(b Bundle) ([]byte, error) {
	out, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}
