package address

import (
	"strings"
	"testing"
)

// The four checksummed example addresses of EIP-55.
var eip55Vectors = []string{
	"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
	"0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
	"0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
	"0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
}

func TestEIP55Vectors(t *testing.T) {
	for _, addr := range eip55Vectors {
		t.Run(addr, func(t *testing.T) {
			for _, network := range Networks("ethereum") {
				check(t, "ethereum", network, addr, TypeAddress, "")
			}
			// Without letters of both cases there is no checksum to check:
			// all lower-case and all upper-case forms are accepted as given.
			check(t, "ethereum", "mainnet", "0x"+strings.ToLower(addr[2:]), TypeAddress, "")
			check(t, "ethereum", "mainnet", "0x"+strings.ToUpper(addr[2:]), TypeAddress, "")
		})
	}
}

// Flipping the case of any single letter of a checksummed address must break
// its checksum, as long as the result still mixes cases.
func TestEIP55FlippedCase(t *testing.T) {
	for _, addr := range eip55Vectors {
		for i := 2; i < len(addr); i++ {
			c := addr[i]
			var flipped byte
			switch {
			case 'a' <= c && c <= 'f':
				flipped = c - 'a' + 'A'
			case 'A' <= c && c <= 'F':
				flipped = c - 'A' + 'a'
			default:
				continue
			}
			bad := addr[:i] + string(flipped) + addr[i+1:]
			hexPart := bad[2:]
			if hexPart == strings.ToLower(hexPart) || hexPart == strings.ToUpper(hexPart) {
				continue
			}
			t.Run(bad, func(t *testing.T) {
				check(t, "ethereum", "sepolia", bad, "", "mixed-case address fails its EIP-55 checksum")
			})
		}
	}
}

func TestEthereumRefusals(t *testing.T) {
	const a = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
	tests := []struct{ name, addr, reason string }{
		{"missing 0x", a[2:], "the 0x prefix is missing"},
		{"upper-case 0X", "0X" + a[2:], "starts with a lower-case 0x, not 0X"},
		{"prefix only", "0x", "wrong length: 0 hex digits after 0x"},
		{"one digit short", a[:41], "wrong length: 39 hex digits after 0x, but an ethereum address has exactly 40"},
		{"one digit long", a + "0", "wrong length: 41 hex digits"},
		{"not hex", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg", "'g' at position 42 is not a hex digit"},
		{"bitcoin address", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "starts with 0x"},
		{"tron address", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "starts with 0x"},
		{"ENS name", "vitalik.eth", "starts with 0x"},
		{"changed digit", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAee", "mixed-case address fails its EIP-55 checksum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, "ethereum", "mainnet", tt.addr, "", tt.reason)
		})
	}
	// Digits have no case: an address without letters is always accepted.
	check(t, "ethereum", "holesky", "0x0000000000000000000000000000000000000000", TypeAddress, "")
}

// Only "0x" opens an ethereum address: another first character before the
// x, or another letter after the 0, is refused even with 40 good hex digits.
func TestEthereumPrefixIsZeroX(t *testing.T) {
	hex40 := strings.ToLower(eip55Vectors[0][2:])
	for _, prefix := range []string{"1x", "Ox", "0y", "xx", "00"} {
		t.Run(prefix, func(t *testing.T) {
			check(t, "ethereum", "mainnet", prefix+hex40, "", "an ethereum address starts with 0x, followed by 40 hex digits")
		})
	}
	for _, short := range []string{"0", "x"} {
		check(t, "ethereum", "mainnet", short, "", "an ethereum address starts with 0x")
	}
}

// recase returns the published EIP-55 address addr with every letter but
// keep put in the other case class: keep stays as it is, letters of keep's
// case that are not keep switch case, and so do all others, so that keep is
// the only letter of its case. Each published address has exactly one
// valid mixed-case spelling, so a result that still mixes cases and differs
// from addr must fail its checksum.
func recase(addr string, keep byte) string {
	lowerKeep := 'a' <= keep && keep <= 'f'
	b := []byte(addr)
	for i := 2; i < len(b); i++ {
		c := b[i]
		if c == keep || c <= '9' {
			continue
		}
		if lowerKeep {
			b[i] = strings.ToUpper(string(c))[0]
		} else {
			b[i] = strings.ToLower(string(c))[0]
		}
	}
	return string(b)
}

// The checksum is checked whenever an address mixes cases, including when
// its only lower-case letters are a or f (the ends of the range a-f), or its
// only upper-case letters are A or F.
func TestEIP55CheckedAtTheEndsOfTheLetterRange(t *testing.T) {
	const v = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed" // EIP-55's first example
	for _, keep := range []byte{'a', 'f', 'A', 'F'} {
		bad := recase(v, keep)
		t.Run(string(keep), func(t *testing.T) {
			if bad == v || !strings.ContainsRune(bad[2:], rune(keep)) {
				t.Fatalf("recase(%q, %q) = %q: not a different spelling holding %q", v, keep, bad, keep)
			}
			for i := 2; i < len(bad); i++ {
				c := bad[i]
				if c > '9' && c != keep && (c >= 'a') == (keep >= 'a') {
					t.Fatalf("%q: %q is not the only letter of its case", bad, keep)
				}
			}
			check(t, "ethereum", "mainnet", bad, "", "mixed-case address fails its EIP-55 checksum")
		})
	}
}
