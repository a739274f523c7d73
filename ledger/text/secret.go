package text

import (
	"strings"

	"github.com/btcsuite/btcd/btcutil/base58"
	bip39 "github.com/cosmos/go-bip39"
)

// Amanat never stores wallet secrets: only that they were found, sealed, and
// where the sealed envelope is. A custodian who pastes a secret into a form
// field by mistake must be stopped before it reaches the books, which are
// append-only and could never forget it. SecretKind recognises three shapes:
//
//   - a seed phrase: 12 or more words of the BIP-39 English word list in a
//     row (letters compared without regard to case; numbers, punctuation and
//     line breaks between the words do not break the run, so a numbered list
//     "1. abandon 2. ability ..." is caught). Ordinary English cannot trip it:
//     "the", "of", "and", "a", "in", "to", "with", "from" are not BIP-39 words.
//     A run of 12 is the shortest phrase (12/15/18/21/24 words); a longer run
//     contains a 12-word one.
//   - an extended private key: a base58 run starting with a private-key
//     version prefix (xprv, tprv, yprv, zprv, uprv, vprv, Yprv, Zprv, Uprv,
//     Vprv) and at least 100 characters long (a serialised BIP-32 key is 111).
//   - a WIF private key: a base58 run of 51 or 52 characters starting with 5,
//     9, K, L or c whose base58check checksum holds with version 0x80
//     (mainnet) or 0xef (testnet) and a 32-byte key (51 characters) or a
//     33-byte key ending in 0x01, the compressed-key flag (52 characters).
//
// A 64-digit hex string is not refused: it is exactly what a transaction id
// looks like, and transaction ids belong in the books.
func SecretKind(s string) string {
	if len(s) < 12 {
		return ""
	}
	if k := base58Secret(s); k != "" {
		return k
	}
	if seedRun(s) >= 12 {
		return "a seed phrase (12 or more BIP-39 words in a row)"
	}
	return ""
}

// SecretReason is the answer a custodian reads.
func SecretReason(kind string) string {
	return "looks like " + kind + "; never record wallet secrets: seal them and record only secrets_sealed and where the sealed envelope is kept"
}

func seedRun(s string) int {
	run, best := 0, 0
	for word := range strings.FieldsFuncSeq(s, func(r rune) bool { return !isLetter(r) }) {
		if _, ok := bip39.ReverseWordMap[strings.ToLower(word)]; ok {
			run++
			best = max(best, run)
			continue
		}
		// Digits and punctuation are separators; a word that is not
		// BIP-39 breaks the run.
		run = 0
	}
	return best
}

func isLetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }

var extendedPrivPrefixes = []string{"xprv", "tprv", "yprv", "zprv", "uprv", "vprv", "Yprv", "Zprv", "Uprv", "Vprv"}

// base58Secret looks at every maximal run of base58 characters in s.
func base58Secret(s string) string {
	start := -1
	for i := 0; i <= len(s); i++ {
		if i < len(s) && isBase58[s[i]] {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			if k := base58RunSecret(s[start:i]); k != "" {
				return k
			}
			start = -1
		}
	}
	return ""
}

func base58RunSecret(run string) string {
	if len(run) >= 100 {
		for _, p := range extendedPrivPrefixes {
			if strings.HasPrefix(run, p) {
				return "an extended private key (" + p + "...)"
			}
		}
		return ""
	}
	if len(run) != 51 && len(run) != 52 {
		return ""
	}
	switch run[0] {
	case '5', '9', 'K', 'L', 'c':
	default:
		return ""
	}
	payload, version, err := base58.CheckDecode(run)
	if err != nil || (version != 0x80 && version != 0xef) {
		return ""
	}
	if len(payload) == 32 || len(payload) == 33 && payload[32] == 0x01 {
		return "a WIF private key"
	}
	return ""
}

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

var isBase58 = func() (t [256]bool) {
	for i := 0; i < len(base58Alphabet); i++ {
		t[base58Alphabet[i]] = true
	}
	return t
}()
