package address

import (
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/base58"
	"github.com/btcsuite/btcd/btcutil/bech32"
	"github.com/btcsuite/btcd/chaincfg"
)

// Limits that are hard rules, not heuristics.
const (
	// maxBech32Len is BIP-173's overall limit for a bech32 string.
	maxBech32Len = 90
	// maxBase58Len: a legacy address is 25 bytes, a number below 2^200,
	// which base58 writes in at most 35 characters. Refusing longer input
	// early also keeps base58 decoding (quadratic big-number work) cheap.
	maxBase58Len = 35
)

// btcParams maps our network names to btcd's parameters; signet and regtest
// share testnet's base58 version bytes, so IsForNet accepts a test address on
// all three.
func btcParams(network string) *chaincfg.Params {
	switch network {
	case Testnet:
		return &chaincfg.TestNet3Params
	case Signet:
		return &chaincfg.SigNetParams
	case Regtest:
		return &chaincfg.RegressionNetParams
	}
	return &chaincfg.MainNetParams
}

// validateBitcoin picks the decoder from the shape of s. Segwit addresses are
// decoded here rather than by btcutil.DecodeAddress, which (v1.2.0) mistypes a
// v1 20-byte program as p2wpkh and refuses v2..v16 programs that BIP-350
// declares valid.
func validateBitcoin(network, s string) (string, string) {
	if n := segwitHRPLen(s); n > 0 {
		return validateSegwit(network, s, n)
	}
	if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		return "", "this looks like an ethereum-style address (it starts with 0x), not a bitcoin address"
	}
	if isHex(s) && (len(s) == 66 || len(s) == 130) {
		// btcutil decodes a hex public key as an "address"; nobody pays to
		// one by typing it, and registering it would record the wrong thing.
		if a, err := btcutil.DecodeAddress(s, btcParams(network)); err == nil {
			if _, ok := a.(*btcutil.AddressPubKey); ok {
				return "", "this is a public key, not an address: ask for the address derived from it (it starts with 1, 3 or bc1 on mainnet)"
			}
		}
		return "", fmt.Sprintf("this is hexadecimal data (%d characters), not a bitcoin address", len(s))
	}
	if len(s) > maxBase58Len && isHex(s) {
		return "", fmt.Sprintf("this is hexadecimal data (%d characters) such as a hash or transaction id, not a bitcoin address", len(s))
	}
	if i := firstNonBase58(s); i >= 0 {
		if hrp, ok := bech32Shape(s); ok {
			return "", unknownPrefix(hrp)
		}
		return "", base58CharReason(s, i, "a bitcoin address")
	}
	return validateBase58(network, s)
}

// segwitHRPLen returns the length of a bitcoin segwit human-readable part
// ("bc", "tb", "bcrt") that s starts with, followed by the separator '1',
// ignoring case; 0 if none. Base58 addresses never start this way.
func segwitHRPLen(s string) int {
	lower := func(i int) byte {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		return c
	}
	if len(s) >= 5 && lower(0) == 'b' && lower(1) == 'c' && lower(2) == 'r' && lower(3) == 't' && s[4] == '1' {
		return 4
	}
	if len(s) >= 3 && s[2] == '1' && (lower(0) == 'b' && lower(1) == 'c' || lower(0) == 't' && lower(1) == 'b') {
		return 2
	}
	return 0
}

// hrpNetworks tells which networks a segwit prefix belongs to.
var hrpNetworks = map[string]string{
	"bc":   "mainnet",
	"tb":   "testnet or signet",
	"bcrt": "regtest",
}

func hrpForNetwork(network string) string {
	switch network {
	case Testnet, Signet:
		return "tb"
	case Regtest:
		return "bcrt"
	}
	return "bc"
}

// bech32Values maps a data-part character (either case) to its 5-bit value;
// -1 for characters outside the bech32 charset.
var bech32Values = func() (t [256]int8) {
	const charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(charset); i++ {
		c := charset[i]
		t[c] = int8(i)
		if 'a' <= c && c <= 'z' {
			t[c-'a'+'A'] = int8(i)
		}
	}
	return t
}()

// validateSegwit applies BIP-173 as amended by BIP-350. hrpLen is the length
// of the recognised prefix before the separator.
func validateSegwit(network, s string, hrpLen int) (string, string) {
	if len(s) > maxBech32Len {
		return "", fmt.Sprintf("too long: %d characters, but a bech32 address has at most %d (BIP-173)", len(s), maxBech32Len)
	}
	var lower, upper bool
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z':
			lower = true
		case 'A' <= c && c <= 'Z':
			upper = true
		}
	}
	if lower && upper {
		return "", "mixes upper-case and lower-case letters; a bech32 address must be written all in one case (BIP-173)"
	}
	data := s[hrpLen+1:]
	for i := 0; i < len(data); i++ {
		if bech32Values[data[i]] < 0 {
			j := hrpLen + 1 + i
			if c := s[j]; c == '1' || c == 'b' || c == 'i' || c == 'o' || c == 'B' || c == 'I' || c == 'O' {
				return "", fmt.Sprintf("%s cannot appear after the prefix of a bech32 address (1, b, i and o are never used there)", charAt(s, j))
			}
			return "", fmt.Sprintf("%s cannot appear in a bech32 address", charAt(s, j))
		}
	}
	if len(data) < 6 {
		return "", "too short: a bech32 address ends with a 6-character checksum, and this one has fewer characters after the prefix"
	}
	if len(data) == 6 {
		return "", "empty data section: there is only a checksum after the prefix, no witness version or program"
	}

	hrp, values, variant, err := bech32.DecodeGeneric(s)
	if err != nil {
		// The checks above leave a bad checksum as the only possible failure.
		var ce bech32.ErrInvalidChecksum
		if errors.As(err, &ce) {
			return "", "checksum does not match: at least one character is wrong, missing or extra (a typo or an incomplete copy)"
		}
		return "", "not a valid bech32 string: " + err.Error()
	}

	// Checks in the order of BIP-350's reference decoder, so that each
	// published invalid vector is refused for its published reason.
	version, prog := values[0], values[1:]
	progLen, reason := programLength(prog)
	if reason != "" {
		return "", reason
	}
	if progLen < 2 || progLen > 40 {
		return "", fmt.Sprintf("witness program is %s, but it must be 2 to 40 bytes (BIP-173)", plural(progLen, "byte"))
	}
	if version > 16 {
		return "", fmt.Sprintf("witness version %d does not exist; versions are 0 to 16 (BIP-173)", version)
	}
	if version == 0 && progLen != 20 && progLen != 32 {
		return "", fmt.Sprintf("witness version 0 program is %s, but it must be 20 (p2wpkh) or 32 (p2wsh) bytes (BIP-141)", plural(progLen, "byte"))
	}
	if version == 0 && variant != bech32.Version0 {
		return "", "witness version 0 must use the bech32 checksum (BIP-173), but this address uses bech32m"
	}
	if version != 0 && variant != bech32.VersionM {
		return "", fmt.Sprintf("witness version %d must use bech32m (BIP-350), but this address uses the older bech32 checksum", version)
	}

	if want := hrpForNetwork(network); hrp != want {
		return "", fmt.Sprintf("prefix %s is %s, not %s", hrp, hrpNetworks[hrp], network)
	}

	switch {
	case version == 0 && progLen == 20:
		return TypeP2WPKH, ""
	case version == 0:
		return TypeP2WSH, ""
	case version == 1 && progLen == 32:
		return TypeP2TR, ""
	}
	return TypeWitnessUnknown, ""
}

// programLength applies BIP-173's 5-to-8-bit regrouping rule without building
// the program (its bytes are not needed, only its length): any incomplete
// group left at the end must be at most 4 bits and all zero. It agrees with
// bech32.ConvertBits(prog, 5, 8, false), which a test checks.
func programLength(prog []byte) (int, string) {
	bits := 5 * len(prog)
	pad := bits % 8
	if pad > 4 {
		return 0, fmt.Sprintf("invalid padding: %d bits of padding at the end of the data where at most 4 are allowed (BIP-173); a character is probably missing or extra", pad)
	}
	if pad > 0 && prog[len(prog)-1]&(1<<pad-1) != 0 {
		return 0, "invalid padding: the padding bits at the end of the data are not zero (BIP-173)"
	}
	return bits / 8, ""
}

// bech32Shape reports whether s looks like a bech32 string of some other
// prefix: a separator, then at least a checksum's worth of data characters.
// It does not check the checksum; it only picks the more helpful reason.
func bech32Shape(s string) (string, bool) {
	sep := -1
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '1' {
			sep = i
			break
		}
	}
	if sep < 1 || len(s)-sep-1 < 6 || len(s) > maxBech32Len {
		return "", false
	}
	for i := 0; i < sep; i++ {
		if s[i] < 33 || s[i] > 126 {
			return "", false
		}
	}
	for i := sep + 1; i < len(s); i++ {
		if bech32Values[s[i]] < 0 {
			return "", false
		}
	}
	hrp := []byte(s[:sep])
	for i, c := range hrp {
		if 'A' <= c && c <= 'Z' {
			hrp[i] = c + 'a' - 'A'
		}
	}
	return string(hrp), true
}

func unknownPrefix(hrp string) string {
	if len(hrp) > 20 {
		hrp = hrp[:20] + "…"
	}
	return fmt.Sprintf("prefix %q is not a bitcoin prefix: bitcoin segwit addresses start with bc1 (mainnet), tb1 (testnet, signet) or bcrt1 (regtest)", hrp)
}

// validateBase58 checks a legacy (P2PKH or P2SH) address with btcutil, which
// decodes any base58 address whatever network we pass and leaves the
// network to IsForNet.
func validateBase58(network, s string) (string, string) {
	if len(s) > maxBase58Len {
		return "", fmt.Sprintf("too long: %d characters, but a legacy bitcoin address (starting with 1, 3, m, n or 2) has at most %d", len(s), maxBase58Len)
	}
	want := btcParams(network)
	other := &chaincfg.MainNetParams
	if want == other {
		other = &chaincfg.TestNet3Params
	}
	// DecodeAddress only recognises the version bytes of the params it is
	// given, so an address of the other kind of network needs a second try.
	a, err := btcutil.DecodeAddress(s, want)
	if errors.Is(err, btcutil.ErrUnknownAddressType) {
		a, err = btcutil.DecodeAddress(s, other)
	}
	if err != nil {
		return "", base58Failure(s, err)
	}
	var typ string
	switch a.(type) {
	case *btcutil.AddressPubKeyHash:
		typ = TypeP2PKH
	case *btcutil.AddressScriptHash:
		typ = TypeP2SH
	default:
		// Only a bech32 string of another registered prefix (simnet's sb1)
		// written in base58's alphabet gets here.
		if hrp, ok := bech32Shape(s); ok {
			return "", unknownPrefix(hrp)
		}
		return "", "not a legacy bitcoin address"
	}
	if !a.IsForNet(want) {
		if network == Mainnet {
			return "", "this is a test-network address (testnet, signet or regtest), not mainnet"
		}
		return "", "this is a mainnet address, not " + network
	}
	return typ, ""
}

// base58Failure turns a decoding error into a reason. It runs only for
// invalid input, so it may decode again to find out what went wrong.
func base58Failure(s string, err error) string {
	if n := len(base58.Decode(s)); n != 25 {
		if hrp, ok := bech32Shape(s); ok {
			if _, _, _, err := bech32.DecodeGeneric(s); err == nil {
				return unknownPrefix(hrp)
			}
		}
		// A wrong, missing or extra character changes the decoded length
		// as often as it breaks the checksum; the advice is the same.
		return fmt.Sprintf("not a valid bitcoin address: it decodes to %s instead of 25, so at least one character is wrong, missing or extra", plural(n, "byte"))
	}
	if errors.Is(err, btcutil.ErrChecksumMismatch) {
		return "checksum does not match: at least one character is wrong, missing or extra (a typo, a letter in the wrong case, or an incomplete copy)"
	}
	if errors.Is(err, btcutil.ErrUnknownAddressType) {
		payload, version, cerr := base58.CheckDecode(s)
		if cerr == nil && version == tronVersion && len(payload) == 20 {
			return "this is a TRON address, not a bitcoin address"
		}
		return fmt.Sprintf("not a bitcoin address: its version byte is 0x%02x, but bitcoin uses 0x00 and 0x05 on mainnet and 0x6f and 0xc4 on test networks (perhaps another coin's address)", version)
	}
	return "not a valid bitcoin address: " + err.Error()
}
