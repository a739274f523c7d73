package address

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Chains.
const (
	Bitcoin  = "bitcoin"
	Ethereum = "ethereum"
	Tron     = "tron"
)

// Networks. Ethereum and TRON addresses do not encode a network, so every
// network of those chains accepts the same addresses.
const (
	Mainnet = "mainnet"
	Testnet = "testnet"
	Signet  = "signet"
	Regtest = "regtest"
	Sepolia = "sepolia"
	Holesky = "holesky"
	Shasta  = "shasta"
	Nile    = "nile"
)

// Address types reported in Result.Type.
const (
	TypeP2PKH          = "p2pkh"           // bitcoin legacy pay-to-public-key-hash (1…, m…, n…)
	TypeP2SH           = "p2sh"            // bitcoin pay-to-script-hash (3…, 2…)
	TypeP2WPKH         = "p2wpkh"          // segwit v0, 20-byte program
	TypeP2WSH          = "p2wsh"           // segwit v0, 32-byte program
	TypeP2TR           = "p2tr"            // segwit v1, 32-byte program (taproot)
	TypeWitnessUnknown = "witness_unknown" // any other valid segwit v1..v16 program
	TypeAddress        = "address"         // ethereum and tron: a single kind of address
)

// Result of checking one address. Type is set only when Valid; Reason only
// when not.
type Result struct {
	Valid   bool   `json:"valid"`
	Chain   string `json:"chain"`
	Network string `json:"network"`
	Type    string `json:"type,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// ParamError reports an unknown chain or network: a mistake of the caller,
// not of the address, so an HTTP layer can name the offending field.
type ParamError struct {
	Field  string // "chain" or "network"
	Reason string
}

func (e *ParamError) Error() string {
	return fmt.Sprintf("invalid %s: %s", e.Field, e.Reason)
}

// networks lists each chain's networks, sorted, for Networks and for help text.
var networks = map[string][]string{
	Bitcoin:  {Mainnet, Regtest, Signet, Testnet},
	Ethereum: {Holesky, Mainnet, Sepolia},
	Tron:     {Mainnet, Nile, Shasta},
}

// Chains returns the supported chains, sorted.
func Chains() []string {
	cs := make([]string, 0, len(networks))
	for c := range networks {
		cs = append(cs, c)
	}
	slices.Sort(cs)
	return cs
}

// Networks returns the networks of chain, sorted, or nil for an unknown chain.
func Networks(chain string) []string {
	return slices.Clone(networks[chain])
}

// Validate checks addr as an address of chain on network. An empty chain
// means bitcoin and an empty network means mainnet. The error is non-nil only
// when chain or network is unknown (a *ParamError); an address that is not
// valid is reported in the Result with a nil error.
func Validate(chain, network, addr string) (Result, error) {
	if chain == "" {
		chain = Bitcoin
	}
	if network == "" {
		network = Mainnet
	}
	nets, ok := networks[chain]
	if !ok {
		return Result{}, &ParamError{Field: "chain", Reason: fmt.Sprintf(
			"unknown chain %q; known chains: %s", chain, strings.Join(Chains(), ", "))}
	}
	if !slices.Contains(nets, network) {
		return Result{}, &ParamError{Field: "network", Reason: fmt.Sprintf(
			"unknown %s network %q; known networks: %s", chain, network, strings.Join(nets, ", "))}
	}

	res := Result{Chain: chain, Network: network}
	typ, reason := common(addr)
	if reason == "" {
		switch chain {
		case Bitcoin:
			typ, reason = validateBitcoin(network, addr)
		case Ethereum:
			typ, reason = validateEthereum(addr)
		case Tron:
			typ, reason = validateTron(addr)
		}
	}
	if reason != "" {
		res.Reason = reason
		return res, nil
	}
	res.Valid = true
	res.Type = typ
	return res, nil
}

// common refuses what no chain accepts: nothing at all, and whitespace or
// invisible characters around the address, which usually come from copying
// and pasting and which we do not strip because we never alter the input.
func common(s string) (string, string) {
	if s == "" {
		return "", "address is empty"
	}
	if r, _ := utf8.DecodeRuneInString(s); isBlank(r) {
		return "", fmt.Sprintf("address starts with %s; remove it (addresses are not trimmed automatically)", runeName(r))
	}
	if r, _ := utf8.DecodeLastRuneInString(s); isBlank(r) {
		return "", fmt.Sprintf("address ends with %s; remove it (addresses are not trimmed automatically)", runeName(r))
	}
	return "", ""
}

// isBlank reports whitespace and the invisible characters that copying from
// web pages and documents tends to drag along.
func isBlank(r rune) bool {
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff':
		return true
	}
	return unicode.IsSpace(r)
}

// runeName names a character for a reason in a way that survives JSON and is
// readable when the character itself is invisible.
func runeName(r rune) string {
	switch {
	case r == ' ':
		return "a space"
	case r == '\t':
		return "a tab"
	case r == '\n' || r == '\r':
		return "a line break"
	case r == utf8.RuneError:
		return "a byte that is not valid text"
	case isBlank(r):
		return fmt.Sprintf("an invisible character (U+%04X)", r)
	case r < 0x20 || r == 0x7f:
		return fmt.Sprintf("a control character (U+%04X)", r)
	case r >= 0x80:
		return fmt.Sprintf("the non-ASCII character %q (U+%04X, perhaps a look-alike of a Latin letter or digit)", r, r)
	}
	return fmt.Sprintf("%q", r)
}

// charAt describes the character starting at byte i of s together with its
// position counted in characters from 1, as a person would count.
func charAt(s string, i int) string {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return fmt.Sprintf("%s at position %d", runeName(r), utf8.RuneCountInString(s[:i])+1)
}

// isHex reports whether s is non-empty and made only of hex digits.
func isHex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if hexVal(s[i]) < 0 {
			return false
		}
	}
	return true
}

func hexVal(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// base58Alphabet is the Bitcoin alphabet used by bitcoin legacy addresses and
// by TRON: it leaves out 0, O, I and l because they are easily confused.
const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

var isBase58 = func() (t [256]bool) {
	for i := 0; i < len(base58Alphabet); i++ {
		t[base58Alphabet[i]] = true
	}
	return t
}()

// firstNonBase58 returns the byte index of the first character outside the
// base58 alphabet, or -1.
func firstNonBase58(s string) int {
	for i := 0; i < len(s); i++ {
		if !isBase58[s[i]] {
			return i
		}
	}
	return -1
}

// base58CharReason explains why the character at byte i cannot appear.
func base58CharReason(s string, i int, what string) string {
	switch s[i] {
	case '0', 'O', 'I', 'l':
		return fmt.Sprintf("%s is never used in %s (0, O, I and l are left out because they look alike)", charAt(s, i), what)
	}
	return fmt.Sprintf("%s cannot appear in %s", charAt(s, i), what)
}

// plural writes n and a unit, in the singular for one.
func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
