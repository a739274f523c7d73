package text

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Form says which control characters a field may hold.
type Form int

const (
	// Line is a name, a reference or any one-line field: no control
	// character at all.
	Line Form = iota
	// Block is a description, remarks or an explanation: line breaks
	// (LF, CR) and tabs are allowed, no other control character.
	Block
)

// Check says why v may not be stored in a free-text field of at most max
// bytes, or returns "" when it may. An empty v is fine: whether a field is
// required is the caller's rule.
//
// Bytes, not characters: the custody log bounds its fields in bytes, and a
// text it would refuse must be refused before the write.
func Check(v string, max int, form Form) string {
	switch {
	case v == "":
		return ""
	case !utf8.ValidString(v):
		return "is not valid UTF-8 text"
	case len(v) > max:
		return fmt.Sprintf("is longer than %d bytes", max)
	}
	for _, r := range v {
		if !unicode.IsControl(r) && r != utf8.RuneError {
			continue
		}
		if form == Block && (r == '\n' || r == '\r' || r == '\t') {
			continue
		}
		if r == utf8.RuneError {
			// A literal U+FFFD is valid UTF-8, but it is what a decoder
			// leaves where bytes were not text: refuse it, so that
			// bytes replaced on the way in can never pass for text.
			return "contains U+FFFD, the replacement character left where bytes were not valid text"
		}
		return fmt.Sprintf("contains the control character U+%04X", r)
	}
	if k := SecretKind(v); k != "" {
		return SecretReason(k)
	}
	return ""
}

// sealRE: letters, digits and the separators seal numbers are printed with.
var sealRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9/_.:#-]{0,63}$`)

// SealRule is the reason given for a seal number that breaks the rule.
const SealRule = "must be 1 to 64 letters, digits and / _ . : # - starting with a letter or digit"

// CheckSeal says why s is not a seal number, or returns "" when it is. An
// empty s is refused: a seal number that is given must be a seal number.
func CheckSeal(s string) string {
	if !sealRE.MatchString(s) {
		return SealRule
	}
	return ""
}

// SealKey is the form a seal is unique in: seal numbers are read aloud and
// copied by hand, so "isb-001" and "ISB-001" are the same seal.
func SealKey(seal string) string { return strings.ToUpper(seal) }

// circleRE is the shape of a circle's name: the register stores it on every
// case, and user scopes name circles by it, so both check it here.
var circleRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,39}$`)

// CircleRule says in words what a circle name must be.
const CircleRule = "must be a lower-case name such as islamabad: a-z, 0-9, '_' or '-', starting with a letter, at most 40"

// ValidCircle reports whether s is a circle name.
func ValidCircle(s string) bool { return circleRE.MatchString(s) }
