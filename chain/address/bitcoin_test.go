package address

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/bech32"
	"github.com/btcsuite/btcd/chaincfg"
	"pgregory.net/rapid"
)

// typeOfScript names the address type of a segwit scriptPubKey (OP_n, push
// of the program), so that the expected types below follow from the
// published scriptPubKeys rather than from our own decoder.
func typeOfScript(t tb, spkHex string) string {
	t.Helper()
	spk, err := hex.DecodeString(spkHex)
	if err != nil || len(spk) < 4 || int(spk[1]) != len(spk)-2 {
		t.Fatalf("bad scriptPubKey %q", spkHex)
	}
	version, n := int(spk[0]), len(spk)-2
	if version >= 0x51 {
		version -= 0x50
	}
	switch {
	case version == 0 && n == 20:
		return TypeP2WPKH
	case version == 0 && n == 32:
		return TypeP2WSH
	case version == 1 && n == 32:
		return TypeP2TR
	}
	return TypeWitnessUnknown
}

// BIP-350 "Test vectors for v0-v16 native segregated witness addresses",
// valid list, with the scriptPubKey each one translates to.
var bip350Valid = []struct{ network, addr, spk, typ string }{
	{"mainnet", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "0014751e76e8199196d454941c45d1b3a323f1433bd6", TypeP2WPKH},
	{"testnet", "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262", TypeP2WSH},
	{"mainnet", "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y", "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6", TypeWitnessUnknown},
	{"mainnet", "BC1SW50QGDZ25J", "6002751e", TypeWitnessUnknown},
	{"mainnet", "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "5210751e76e8199196d454941c45d1b3a323", TypeWitnessUnknown},
	{"testnet", "tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy", "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433", TypeP2WSH},
	{"testnet", "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c", "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433", TypeP2TR},
	{"mainnet", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798", TypeP2TR},
}

// BIP-350 invalid segwit addresses; the reason fragment is our wording of
// the published reason in the trailing comment.
var bip350Invalid = []struct{ network, addr, reason string }{
	{"mainnet", "tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut", `prefix "tc" is not a bitcoin prefix`},                                 // Invalid human-readable part
	{"mainnet", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", "witness version 1 must use bech32m (BIP-350)"},                        // Invalid checksum (Bech32 instead of Bech32m)
	{"testnet", "tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf", "witness version 2 must use bech32m (BIP-350)"},                        // Invalid checksum (Bech32 instead of Bech32m)
	{"mainnet", "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL", "witness version 16 must use bech32m (BIP-350)"},                       // Invalid checksum (Bech32 instead of Bech32m)
	{"mainnet", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", "witness version 0 must use the bech32 checksum (BIP-173), but this address uses bech32m"}, // Invalid checksum (Bech32m instead of Bech32)
	{"testnet", "tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47", "witness version 0 must use the bech32 checksum"},                      // Invalid checksum (Bech32m instead of Bech32)
	{"mainnet", "bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4", "'o' at position 60 cannot appear after the prefix"},                   // Invalid character in checksum
	{"mainnet", "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R", "witness version 17 does not exist"},                                   // Invalid witness version
	{"mainnet", "bc1pw5dgrnzv", "witness program is 1 byte, but it must be 2 to 40 bytes"},                                                               // Invalid program length (1 byte)
	{"mainnet", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav", "witness program is 41 bytes"},                           // Invalid program length (41 bytes)
	{"mainnet", "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", "witness version 0 program is 16 bytes, but it must be 20 (p2wpkh) or 32 (p2wsh)"},               // Invalid program length for witness version 0 (per BIP141)
	{"testnet", "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq", "mixes upper-case and lower-case letters"},                             // Mixed case
	{"mainnet", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf", "bits of padding at the end of the data where at most 4"},            // zero padding of more than 4 bits
	{"testnet", "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j", "padding bits at the end of the data are not zero"},                    // Non-zero padding in 8-to-5 conversion
	{"mainnet", "bc1gmk9yu", "empty data section"}, // Empty data section
}

// BIP-173's segwit address vectors. BIP-350 changed the checksum of witness
// versions 1 to 16, so BIP-173's valid v1+ addresses are now invalid for
// using bech32; its v0 addresses stay valid.
var bip173Valid = []struct{ network, addr, spk, typ, reason string }{
	{"mainnet", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "0014751e76e8199196d454941c45d1b3a323f1433bd6", TypeP2WPKH, ""},
	{"testnet", "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262", TypeP2WSH, ""},
	{"mainnet", "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx", "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6", "", "witness version 1 must use bech32m (BIP-350)"},
	{"mainnet", "BC1SW50QA3JX3S", "6002751e", "", "witness version 16 must use bech32m (BIP-350)"},
	{"mainnet", "bc1zw508d6qejxtdg4y5r3zarvaryvg6kdaj", "5210751e76e8199196d454941c45d1b3a323", "", "witness version 2 must use bech32m (BIP-350)"},
	{"testnet", "tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy", "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433", TypeP2WSH, ""},
	// The examples in BIP-173's "Examples" section.
	{"mainnet", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "0014751e76e8199196d454941c45d1b3a323f1433bd6", TypeP2WPKH, ""},
	{"testnet", "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "0014751e76e8199196d454941c45d1b3a323f1433bd6", TypeP2WPKH, ""},
	{"mainnet", "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3", "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262", TypeP2WSH, ""},
	{"testnet", "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262", TypeP2WSH, ""},
}

var bip173Invalid = []struct{ network, addr, reason string }{
	{"mainnet", "tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty", `prefix "tc" is not a bitcoin prefix`},                                  // Invalid human-readable part
	{"mainnet", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "checksum does not match"},                                              // Invalid checksum
	{"mainnet", "BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2", "witness version 17 does not exist"},                                    // Invalid witness version
	{"mainnet", "bc1rw5uspcuh", "witness program is 1 byte"},                                                                          // Invalid program length
	{"mainnet", "bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90", "witness program is 41 bytes"},        // Invalid program length
	{"mainnet", "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", "witness version 0 program is 16 bytes"},                                      // Invalid program length for witness version 0 (per BIP141)
	{"testnet", "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7", "mixes upper-case and lower-case letters"},          // Mixed case
	{"mainnet", "bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du", "bits of padding at the end of the data where at most 4"},                    // zero padding of more than 4 bits
	{"testnet", "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv", "padding bits at the end of the data are not zero"}, // Non-zero padding in 8-to-5 conversion
	{"mainnet", "bc1gmk9yu", "empty data section"},                                                                                    // Empty data section
	{"testnet", "tb1pw508d6qejxtdg4y5r3zarqfsj6c3", "bits of padding at the end of the data where at most 4"},                         // zero padding of more than 4 bits (first revision of BIP-173)
}

func TestBIP350Vectors(t *testing.T) {
	for _, v := range bip350Valid {
		t.Run("valid/"+v.addr, func(t *testing.T) {
			if got := typeOfScript(t, v.spk); got != v.typ {
				t.Fatalf("table says %s but scriptPubKey %s is %s", v.typ, v.spk, got)
			}
			check(t, "bitcoin", v.network, v.addr, v.typ, "")
		})
	}
	for _, v := range bip350Invalid {
		t.Run("invalid/"+v.addr, func(t *testing.T) {
			check(t, "bitcoin", v.network, v.addr, "", v.reason)
		})
	}
}

func TestBIP173Vectors(t *testing.T) {
	for _, v := range bip173Valid {
		t.Run("valid/"+v.addr, func(t *testing.T) {
			if v.typ != "" {
				if got := typeOfScript(t, v.spk); got != v.typ {
					t.Fatalf("table says %s but scriptPubKey %s is %s", v.typ, v.spk, got)
				}
			}
			check(t, "bitcoin", v.network, v.addr, v.typ, v.reason)
		})
	}
	for _, v := range bip173Invalid {
		t.Run("invalid/"+v.addr, func(t *testing.T) {
			check(t, "bitcoin", v.network, v.addr, "", v.reason)
		})
	}
}

// The checksum test vectors of BIP-173 (bech32) and BIP-350 (bech32m) are
// generic strings, not addresses: valid or not as bech32, none of them is a
// bitcoin address. Decoding the valid ones with btcutil checks that they were
// typed in correctly.
func TestBech32ChecksumVectorsAreNotAddresses(t *testing.T) {
	valid := []struct {
		s       string
		variant bech32.Version
	}{
		{"A12UEL5L", bech32.Version0},
		{"a12uel5l", bech32.Version0},
		{"an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs", bech32.Version0},
		{"abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw", bech32.Version0},
		{"11" + strings.Repeat("q", 82) + "c8247j", bech32.Version0},
		{"split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w", bech32.Version0},
		{"?1ezyfcl", bech32.Version0},
		{"A1LQFN3A", bech32.VersionM},
		{"a1lqfn3a", bech32.VersionM},
		{"an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6", bech32.VersionM},
		{"abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx", bech32.VersionM},
		{"11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8", bech32.VersionM},
		{"split1checkupstagehandshakeupstreamerranterredcaperredlc445v", bech32.VersionM},
		{"?1v759aa", bech32.VersionM},
	}
	for _, v := range valid {
		t.Run(v.s, func(t *testing.T) {
			if _, _, got, err := bech32.DecodeGeneric(v.s); err != nil || got != v.variant {
				t.Fatalf("vector mistyped: DecodeGeneric(%q) = variant %v, %v", v.s, got, err)
			}
			for _, network := range Networks("bitcoin") {
				check(t, "bitcoin", network, v.s, "", "")
			}
		})
	}
	invalid := []string{
		// BIP-173
		"\x201nwldj5", "\x7f1axkwrx", "\x801eym55h",
		"an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx",
		"pzry9x0s0muk", "1pzry9x0s0muk", "x1b4n0q5v", "li1dgmt3", "de1lg7wt\xff", "A1G7SGD8", "10a06t8", "1qzzfhee",
		// BIP-350
		"\x201xj0phk", "\x7f1g6xzxy", "\x801vctc34",
		"an84characterslonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11d6pts4",
		"qyrz8wqd2c9m", "1qyrz8wqd2c9m", "y1b0jsk6g", "lt1igcx5c0", "in1muywd", "mm1crxm3i", "au1s5cgom", "M1VUXWEZ", "16plkw9", "1p2gdwpf",
	}
	for _, s := range invalid {
		t.Run(s, func(t *testing.T) {
			check(t, "bitcoin", "mainnet", s, "", "")
		})
	}
}

// Well-known mainnet addresses, one of each type.
func TestWellKnownMainnet(t *testing.T) {
	tests := []struct{ name, addr, typ string }{
		{"genesis block coinbase (P2PKH)", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", TypeP2PKH},
		{"BIP-44 test mnemonic, first address", "1LqBGSKuX5yYUonjxT5qGfpUsXKYYWeabA", TypeP2PKH},
		{"bitcoin wiki P2SH example", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", TypeP2SH},
		{"BIP-173 P2WPKH example", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", TypeP2WPKH},
		{"BIP-84 test mnemonic, first address", "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", TypeP2WPKH},
		{"BIP-173 P2WSH example", "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3", TypeP2WSH},
		{"BIP-86 test mnemonic, first address (P2TR)", "bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr", TypeP2TR},
		{"BIP-86 upper case", "BC1P5CYXNUXMEUWUVKWFEM96LQZSZD02N6XDCJRS20CAC6YQJJWUDPXQKEDRCR", TypeP2TR},
		{"pay-to-anchor (v1, 2 bytes)", "bc1pfeessrawgf", TypeWitnessUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, "bitcoin", "mainnet", tt.addr, tt.typ, "")
		})
	}
}

// The same address under each of the four bitcoin networks.
func TestNetworks(t *testing.T) {
	const (
		mainOnTest = "this is a mainnet address, not "
		testOnMain = "this is a test-network address (testnet, signet or regtest), not mainnet"
	)
	tests := []struct {
		addr, typ string
		// expected reason per network; "" means valid there
		mainnet, testnet, signet, regtest string
	}{
		{"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", TypeP2PKH, "", mainOnTest + "testnet", mainOnTest + "signet", mainOnTest + "regtest"},
		{"3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", TypeP2SH, "", mainOnTest + "testnet", mainOnTest + "signet", mainOnTest + "regtest"},
		// base58 test addresses share version bytes on all three test networks
		{"mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn", TypeP2PKH, testOnMain, "", "", ""},
		{"2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc", TypeP2SH, testOnMain, "", "", ""},
		{"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", TypeP2WPKH, "", "prefix bc is mainnet, not testnet", "prefix bc is mainnet, not signet", "prefix bc is mainnet, not regtest"},
		{"bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr", TypeP2TR, "", "prefix bc is mainnet, not testnet", "prefix bc is mainnet, not signet", "prefix bc is mainnet, not regtest"},
		// tb is shared by testnet and signet, but not regtest
		{"tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", TypeP2WPKH, "prefix tb is testnet or signet, not mainnet", "", "", "prefix tb is testnet or signet, not regtest"},
		{"tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c", TypeP2TR, "prefix tb is testnet or signet, not mainnet", "", "", "prefix tb is testnet or signet, not regtest"},
		{"bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", TypeP2WPKH, "prefix bcrt is regtest, not mainnet", "prefix bcrt is regtest, not testnet", "prefix bcrt is regtest, not signet", ""},
		{"BCRT1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KYGT080", TypeP2WPKH, "prefix bcrt is regtest, not mainnet", "prefix bcrt is regtest, not testnet", "prefix bcrt is regtest, not signet", ""},
	}
	for _, tt := range tests {
		for _, n := range []struct{ network, reason string }{
			{"mainnet", tt.mainnet}, {"testnet", tt.testnet}, {"signet", tt.signet}, {"regtest", tt.regtest},
		} {
			t.Run(n.network+"/"+tt.addr, func(t *testing.T) {
				if n.reason == "" {
					check(t, "bitcoin", n.network, tt.addr, tt.typ, "")
				} else {
					check(t, "bitcoin", n.network, tt.addr, "", n.reason)
				}
			})
		}
	}
}

func TestBitcoinRefusals(t *testing.T) {
	const pubKey = "0279BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798" // BIP-173's example key
	tests := []struct{ name, addr, reason string }{
		{"compressed public key", pubKey, "this is a public key, not an address"},
		{"lower-case public key", strings.ToLower(pubKey), "this is a public key, not an address"},
		{"uncompressed public key", "0479BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8", "this is a public key, not an address"},
		{"66 hex digits that are no key", "05" + strings.Repeat("00", 32), "this is hexadecimal data (66 characters)"},
		{"transaction id", "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b", "hexadecimal data (64 characters)"},
		{"base58 checksum", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", "checksum does not match"},
		{"base58 changed case", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNA", "checksum does not match"},
		{"base58 changed case, longer number", "1a1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "it decodes to 26 bytes instead of 25"},
		{"base58 character missing", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfN", "checksum does not match"},
		{"base58 characters missing", "1A1zP1eP5QGefi2DMPTfTL5SLmv7Div", "it decodes to 23 bytes instead of 25"},
		{"base58 swapped characters", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivNfa", "checksum does not match"},
		{"base58 too long", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNaaa", "too long: 36 characters"},
		{"base58 letter O", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNO", "'O' at position 34 is never used in a bitcoin address (0, O, I and l are left out"},
		{"base58 digit 0", "10A1zP1eP5QGefi2DMPTfTL5SLmv7DivfN", "'0' at position 2 is never used"},
		{"punctuation", "1A1zP1eP5QGefi2DMPTfTL5SLmv7Divf-a", "'-' at position 33 cannot appear in a bitcoin address"},
		{"ethereum address", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "ethereum-style address"},
		{"tron address", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "this is a TRON address, not a bitcoin address"},
		{"litecoin legacy address", "LVg2kJoFNg45Nbpy53h7Fe1wKyeXVRhMH9", "its version byte is 0x30"},
		{"litecoin segwit address", "ltc1qg82tm6q6v8cc5ftmhkxghr4z6r2vnlvxexyg5g", `prefix "ltc" is not a bitcoin prefix`},
		{"bech32 too long", "bc1q" + strings.Repeat("q", 87), "too long: 91 characters, but a bech32 address has at most 90"},
		{"bech32 letter b in data", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3tb", "'b' at position 42 cannot appear after the prefix of a bech32 address"},
		{"bech32 extra separator", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t1", "'1' at position 42 cannot appear after the prefix"},
		{"bech32 space", "bc1qw508d6qejxtdg4y5r3zarv ary0c5xw7kv8f3t4", "a space at position 27 cannot appear in a bech32 address"},
		{"bech32 too short", "bc1qqqqq", "too short"},
		{"bech32 prefix only", "bc1", "too short"},
		{"mixed-case prefix", "Bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "mixes upper-case and lower-case letters"},
		{"typo in bech32", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4q", "checksum does not match"},
		{"simnet segwit", "sb1qw508d6qejxtdg4y5r3zarvary0c5xw7kdh7ham", `prefix "sb" is not a bitcoin prefix`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, "bitcoin", "mainnet", tt.addr, "", tt.reason)
		})
	}
}

// btcutil v1.2.0 reads a v1 20-byte program as p2wpkh and refuses v2..v16;
// BIP-350 says both are valid, as unknown witness programs.
func TestWitnessUnknownWhereBtcutilDiffers(t *testing.T) {
	prog20, _ := hex.DecodeString("751e76e8199196d454941c45d1b3a323f1433bd6")
	addr := encodeSegwit(t, "bc", 1, prog20)
	check(t, "bitcoin", "mainnet", addr, TypeWitnessUnknown, "")
	if a, err := btcutil.DecodeAddress(addr, &chaincfg.MainNetParams); err == nil {
		if _, ok := a.(*btcutil.AddressWitnessPubKeyHash); !ok {
			t.Logf("btcutil no longer mistypes v1 20-byte programs (%T): the package note can go", a)
		}
	}
	for v := byte(2); v <= 16; v++ {
		check(t, "bitcoin", "mainnet", encodeSegwit(t, "bc", v, prog20), TypeWitnessUnknown, "")
	}
}

// encodeSegwit writes an address the way BIP-350 says an encoder must.
func encodeSegwit(t tb, hrp string, version byte, prog []byte) string {
	t.Helper()
	conv, err := bech32.ConvertBits(prog, 8, 5, true)
	if err != nil {
		t.Fatal(err)
	}
	data := append([]byte{version}, conv...)
	var s string
	if version == 0 {
		s, err = bech32.Encode(hrp, data)
	} else {
		s, err = bech32.EncodeM(hrp, data)
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Any segwit address written by the rules is accepted with the type the
// rules give it, in either case, and only on its own network; with the other
// checksum variant it is refused.
func TestSegwitEncodeRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		network := rapid.SampledFrom(Networks("bitcoin")).Draw(t, "network")
		version := byte(rapid.IntRange(0, 16).Draw(t, "version"))
		var n int
		if version == 0 {
			n = rapid.SampledFrom([]int{20, 32}).Draw(t, "len")
		} else {
			n = rapid.IntRange(2, 40).Draw(t, "len")
		}
		prog := rapid.SliceOfN(rapid.Byte(), n, n).Draw(t, "program")
		addr := encodeSegwit(t, hrpForNetwork(network), version, prog)

		want := TypeWitnessUnknown
		switch {
		case version == 0 && n == 20:
			want = TypeP2WPKH
		case version == 0:
			want = TypeP2WSH
		case version == 1 && n == 32:
			want = TypeP2TR
		}
		check(t, "bitcoin", network, addr, want, "")
		check(t, "bitcoin", network, strings.ToUpper(addr), want, "")
		for _, other := range Networks("bitcoin") {
			if hrpForNetwork(other) != hrpForNetwork(network) {
				check(t, "bitcoin", other, addr, "", "prefix "+hrpForNetwork(network)+" is")
			}
		}

		// The same data under the other checksum constant.
		conv, _ := bech32.ConvertBits(prog, 8, 5, true)
		data := append([]byte{version}, conv...)
		var wrong string
		if version == 0 {
			wrong, _ = bech32.EncodeM(hrpForNetwork(network), data)
		} else {
			wrong, _ = bech32.Encode(hrpForNetwork(network), data)
		}
		check(t, "bitcoin", network, wrong, "", "must use")
	})
}

// Any base58 address btcutil writes for a network is accepted on that
// network (and, for test networks, on all three) and refused elsewhere.
func TestBase58EncodeRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		network := rapid.SampledFrom(Networks("bitcoin")).Draw(t, "network")
		hash := rapid.SliceOfN(rapid.Byte(), 20, 20).Draw(t, "hash")
		var a btcutil.Address
		var want string
		if rapid.Bool().Draw(t, "p2sh") {
			a, _ = btcutil.NewAddressScriptHashFromHash(hash, btcParams(network))
			want = TypeP2SH
		} else {
			a, _ = btcutil.NewAddressPubKeyHash(hash, btcParams(network))
			want = TypeP2PKH
		}
		addr := a.EncodeAddress()
		for _, other := range Networks("bitcoin") {
			if (other == Mainnet) == (network == Mainnet) {
				check(t, "bitcoin", other, addr, want, "")
			} else {
				check(t, "bitcoin", other, addr, "", "not "+other)
			}
		}
	})
}

// programLength must agree with btcutil's ConvertBits without padding, the
// conversion BIP-173 specifies, on every input.
func TestProgramLengthMatchesConvertBits(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		prog := rapid.SliceOfN(rapid.ByteRange(0, 31), 0, 70).Draw(t, "values")
		n, reason := programLength(prog)
		conv, err := bech32.ConvertBits(prog, 5, 8, false)
		if (err != nil) != (reason != "") {
			t.Fatalf("programLength(%v) = %d, %q but ConvertBits error %v", prog, n, reason, err)
		}
		if err == nil && n != len(conv) {
			t.Fatalf("programLength(%v) = %d, ConvertBits gives %d bytes", prog, n, len(conv))
		}
	})
}
