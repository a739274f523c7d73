package address

import (
	"fmt"

	"golang.org/x/crypto/sha3"
)

// validateEthereum checks "0x" and 40 hex digits. Ethereum addresses carry no
// network, so the same check serves mainnet, sepolia and holesky. Case is the
// only checksum there is (EIP-55): an all-lower or all-upper address carries
// none and is accepted as it is; a mixed-case one must match its checksum.
func validateEthereum(s string) (string, string) {
	switch {
	case len(s) >= 2 && s[0] == '0' && s[1] == 'X':
		return "", "an ethereum address starts with a lower-case 0x, not 0X"
	case len(s) < 2 || s[0] != '0' || s[1] != 'x':
		if len(s) == 40 && isHex(s) {
			return "", "the 0x prefix is missing: an ethereum address is 0x followed by 40 hex digits"
		}
		return "", "an ethereum address starts with 0x, followed by 40 hex digits"
	}
	for i := 2; i < len(s); i++ {
		if hexVal(s[i]) < 0 {
			return "", fmt.Sprintf("%s is not a hex digit (0-9, a-f)", charAt(s, i))
		}
	}
	if n := len(s) - 2; n != 40 {
		return "", fmt.Sprintf("wrong length: %d hex digits after 0x, but an ethereum address has exactly 40", n)
	}
	var lower, upper bool
	for i := 2; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'f':
			lower = true
		case 'A' <= c && c <= 'F':
			upper = true
		}
	}
	if lower && upper && !eip55Valid(s[2:]) {
		return "", "mixed-case address fails its EIP-55 checksum: at least one character is wrong or has the wrong case"
	}
	return TypeAddress, ""
}

// eip55Valid reports whether the case of each letter of the 40 hex digits in
// h matches EIP-55: upper-case exactly where the matching nibble of the
// Keccak-256 hash of the lower-case hex text is 8 or more.
func eip55Valid(h string) bool {
	var low [40]byte
	for i := 0; i < 40; i++ {
		c := h[i]
		if 'A' <= c && c <= 'F' {
			c += 'a' - 'A'
		}
		low[i] = c
	}
	k := sha3.NewLegacyKeccak256()
	k.Write(low[:])
	var sum [32]byte
	k.Sum(sum[:0])
	for i := 0; i < 40; i++ {
		c := h[i]
		if c <= '9' {
			continue
		}
		nibble := sum[i/2] >> 4
		if i%2 == 1 {
			nibble = sum[i/2] & 0x0f
		}
		if (nibble >= 8) != ('A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
