package address

import (
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcutil/base58"
)

// tronVersion is the first byte of every TRON address (its "T" in base58).
const tronVersion = 0x41

// validateTron checks the base58check form of a TRON address: 34 characters
// starting with T that decode to 0x41, a 20-byte account id and a 4-byte
// double-SHA256 checksum. TRON addresses carry no network, so mainnet, shasta
// and nile accept the same addresses.
func validateTron(s string) (string, string) {
	// Explorers also show TRON accounts in hex (41…, or 0x… in EVM tools);
	// we register the base58 form only, so that one account has one spelling.
	if (len(s) == 42 && s[0] == '4' && s[1] == '1' && isHex(s)) ||
		((len(s) == 42 || len(s) == 44) && s[0] == '0' && s[1] == 'x' && isHex(s[2:])) {
		return "", "this is the hex form of an address; give the base58 form, which starts with T"
	}
	if i := firstNonBase58(s); i >= 0 {
		return "", base58CharReason(s, i, "a TRON address")
	}
	if s[0] != 'T' {
		return "", "a TRON address starts with T"
	}
	if len(s) != 34 {
		return "", fmt.Sprintf("wrong length: %d characters, but a TRON address has exactly 34", len(s))
	}
	// CheckDecode splits off the first byte as a "version": for TRON that
	// byte is the 0x41 prefix and the rest is the 20-byte account id.
	payload, version, err := base58.CheckDecode(s)
	switch {
	case errors.Is(err, base58.ErrChecksum):
		return "", "checksum does not match: at least one character is wrong (a typo, two swapped characters, or a letter in the wrong case)"
	case err != nil:
		return "", "not a valid TRON address: " + err.Error()
	case version != tronVersion || len(payload) != 20:
		return "", fmt.Sprintf("not a TRON address: it decodes to prefix byte 0x%02x and %d bytes, but TRON uses 0x41 and 20", version, len(payload))
	}
	return TypeAddress, ""
}
