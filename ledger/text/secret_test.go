package text

import (
	"bytes"
	"strings"
	"testing"

	bip39 "github.com/cosmos/go-bip39"
)

func mnemonic(t testing.TB, bits int) string {
	t.Helper()
	m, err := bip39.NewMnemonic(bytes.Repeat([]byte{0x5a}, bits/8))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSecretKind(t *testing.T) {
	twelve := mnemonic(t, 128)
	words := strings.Fields(twelve)
	numbered := ""
	for i, w := range words {
		numbered += strings.Repeat(" ", i%2) + string(rune('1'+i%9)) + ". " + w + ",\n"
	}
	tests := []struct {
		name, text string
		want       string // "" for not a secret, else a word of the kind
	}{
		{"a 12-word BIP-39 phrase", twelve, "seed phrase"},
		{"a 15-word phrase", mnemonic(t, 160), "seed phrase"},
		{"an 18-word phrase", mnemonic(t, 192), "seed phrase"},
		{"a 21-word phrase", mnemonic(t, 224), "seed phrase"},
		{"a 24-word phrase", mnemonic(t, 256), "seed phrase"},
		{"a phrase inside a sentence", "the paper in the drawer said " + twelve + " and nothing else", "seed phrase"},
		{"a phrase in capitals", strings.ToUpper(twelve), "seed phrase"},
		{"a numbered list with commas and line breaks", numbered, "seed phrase"},
		{"eleven words are not a phrase", strings.Join(words[:11], " "), ""},
		{"ordinary English description", "black leather bag holding us dollars in bundles of one hundred found under the bed in the master bedroom of the suspect", ""},
		{"BIP-39 words broken up by common words", "abandon the ability of able people about above absent absorb abstract absurd abuse access accident", ""},
		{"BIP-32 test vector 1 master xprv", "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi", "extended private key"},
		{"a tprv inside remarks", "key: tprv8ZgxMBicQKsPeDgjzdC36fs6bMjGApWDNLR9erAXMs5skhMv36j9MV5ecvfavji5khqjWaWSFhN3YcCUUdiKH6isR4Pwy3U5y5egddBr16m found", "extended private key"},
		{"an xpub is public and allowed", "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8", ""},
		{"uncompressed mainnet WIF", "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ", "WIF"},
		{"compressed mainnet WIF", "KwdMAjGmerYanjeui5SHS7JkmpZvVipYvB2LJGU1ZxJwYvP98617", "WIF"},
		{"compressed testnet WIF in a sentence", "wif cNJFgo1driFnPcBdBX8BrJrpxchBWXwXCvNH5SoSkdcF6JXXwHMm on a sticky note", "WIF"},
		{"a WIF with a broken checksum is not a key", "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTK", ""},
		{"a bitcoin address", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", ""},
		{"a TRON address", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", ""},
		{"a transaction id", "f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16", ""},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := SecretKind(tc.text)
			if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
				t.Fatalf("SecretKind = %q, want %q", got, tc.want)
			}
		})
	}
}

func BenchmarkSecretKind(b *testing.B) {
	text := "black leather bag holding us dollars in bundles of one hundred found under the bed in the master bedroom of the suspect"
	b.ReportAllocs()
	for b.Loop() {
		if SecretKind(text) != "" {
			b.Fatal("false positive")
		}
	}
}
