package address

import (
	"encoding/hex"
	"testing"

	"github.com/btcsuite/btcd/btcutil/base58"
)

func TestTronVectors(t *testing.T) {
	valid := []struct{ name, addr, hex string }{
		// Tether's USDT-TRC20 contract.
		{"USDT-TRC20 contract", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "41a614f803b6fd780986a42c78ec9c7f77e6ded13c"},
		// The all-zero "black hole" account.
		{"zero address", "T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb", "410000000000000000000000000000000000000000"},
	}
	for _, v := range valid {
		t.Run(v.name, func(t *testing.T) {
			// The expected hex pins the test vector independently of Validate.
			payload, version, err := base58.CheckDecode(v.addr)
			if err != nil || hex.EncodeToString(append([]byte{version}, payload...)) != v.hex {
				t.Fatalf("vector mistyped: %s decodes to %x %x, %v", v.addr, version, payload, err)
			}
			for _, network := range Networks("tron") {
				check(t, "tron", network, v.addr, TypeAddress, "")
			}
		})
	}

	invalid := []struct{ name, addr, reason string }{
		{"last character changed", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u", "checksum does not match"},
		{"letter case changed", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6T", "checksum does not match"},
		{"two characters swapped", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLjt6", "checksum does not match"},
		// The USDT address as once written in our task notes: the last 11
		// characters are wrong, which the checksum catches.
		{"misremembered USDT address", "TR7NHqjeKQxGTCi8q8ZY4pxL7FjM3jHfCH", "checksum does not match"},
		{"character missing", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6", "wrong length: 33 characters, but a TRON address has exactly 34"},
		{"character extra", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6tt", "wrong length: 35 characters"},
		{"letter O", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLjOt", "'O' at position 33 is never used in a TRON address"},
		{"bitcoin address", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "a TRON address starts with T"},
		{"ethereum-style hex", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "hex form of an address"},
		{"digit 0", "T0R7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6", "'0' at position 2 is never used in a TRON address"},
		{"hex form", "41a614f803b6fd780986a42c78ec9c7f77e6ded13c", "this is the hex form of an address; give the base58 form, which starts with T"},
		{"hex form with 0x", "0x41a614f803b6fd780986a42c78ec9c7f77e6ded13c", "hex form of an address"},
		// A valid base58check string of 34 characters starting with T, but
		// with prefix byte 0x42 instead of 0x41.
		{"wrong prefix byte", base58.CheckEncode(make([]byte, 20), 0x42), "it decodes to prefix byte 0x42"},
	}
	for _, v := range invalid {
		t.Run(v.name, func(t *testing.T) {
			check(t, "tron", "mainnet", v.addr, "", v.reason)
		})
	}
}
