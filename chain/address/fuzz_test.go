package address

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// checkInvariants holds for every input: no error for a known chain and
// network, the chain and network echoed, a valid result has a type and no
// reason, an invalid one a reason and no type, and the reason is valid text
// (it goes into JSON and in front of a person).
func checkInvariants(t *testing.T, chain, network, addr string) Result {
	t.Helper()
	res, err := Validate(chain, network, addr)
	if err != nil {
		t.Fatalf("Validate(%q, %q, %q): unexpected error %v", chain, network, addr, err)
	}
	if res.Chain != chain || res.Network != network {
		t.Fatalf("Validate(%q, %q, %q) = %+v: chain or network not echoed", chain, network, addr, res)
	}
	if res.Valid && (res.Type == "" || res.Reason != "") {
		t.Fatalf("Validate(%q, %q, %q) = %+v: valid needs a type and no reason", chain, network, addr, res)
	}
	if !res.Valid && (res.Reason == "" || res.Type != "") {
		t.Fatalf("Validate(%q, %q, %q) = %+v: invalid needs a reason and no type", chain, network, addr, res)
	}
	if !utf8.ValidString(res.Reason) {
		t.Fatalf("Validate(%q, %q, %q): reason %q is not valid UTF-8", chain, network, addr, res.Reason)
	}
	return res
}

func FuzzValidateBitcoin(f *testing.F) {
	for _, v := range bip350Valid {
		f.Add(v.addr)
	}
	for _, v := range bip350Invalid {
		f.Add(v.addr)
	}
	for _, v := range bip173Valid {
		f.Add(v.addr)
	}
	for _, v := range bip173Invalid {
		f.Add(v.addr)
	}
	for _, s := range []string{
		"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
		"mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn", "2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc",
		"bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr",
		"bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", "bc1pfeessrawgf",
		"0279BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798",
		"", " ", "bc1", "1", "\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, addr string) {
		res := map[string]Result{}
		for _, network := range Networks(Bitcoin) {
			r := checkInvariants(t, Bitcoin, network, addr)
			res[network] = r
			if !r.Valid || segwitHRPLen(addr) == 0 {
				continue
			}
			// BIP-173: a bech32 address may be written all upper or all
			// lower case, and both spellings are the same address.
			for _, other := range []string{strings.ToUpper(addr), strings.ToLower(addr)} {
				if o := checkInvariants(t, Bitcoin, network, other); !o.Valid || o.Type != r.Type {
					t.Fatalf("%q is %s on %s but %q gives %+v", addr, r.Type, network, other, o)
				}
			}
		}
		// An address belongs to mainnet or to the test networks, never both.
		if res[Mainnet].Valid && (res[Testnet].Valid || res[Signet].Valid || res[Regtest].Valid) {
			t.Fatalf("%q is valid on mainnet and on a test network: %+v", addr, res)
		}
		// Signet shares testnet's prefixes and version bytes entirely.
		if res[Testnet].Valid != res[Signet].Valid || res[Testnet].Type != res[Signet].Type {
			t.Fatalf("%q: testnet %+v but signet %+v", addr, res[Testnet], res[Signet])
		}
		// Regtest differs from testnet only in its segwit prefix.
		if segwitHRPLen(addr) == 0 && (res[Testnet].Valid != res[Regtest].Valid || res[Testnet].Type != res[Regtest].Type) {
			t.Fatalf("%q: testnet %+v but regtest %+v", addr, res[Testnet], res[Regtest])
		}
	})
}

func FuzzValidateEthereum(f *testing.F) {
	for _, s := range eip55Vectors {
		f.Add(s)
		f.Add(strings.ToLower(s))
	}
	for _, s := range []string{"0x", "0X5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0x5aAeb6053f3E94C9b9A09f33669435E7Ef1BeAed", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, addr string) {
		var first Result
		for i, network := range Networks(Ethereum) {
			res := checkInvariants(t, Ethereum, network, addr)
			// Ethereum addresses carry no network.
			if i > 0 && (res.Valid != first.Valid || res.Reason != first.Reason) {
				t.Fatalf("%q: %+v on %s but %+v on %s", addr, res, network, first, first.Network)
			}
			first = res
		}
		if !first.Valid {
			return
		}
		if len(addr) != 42 || addr[:2] != "0x" {
			t.Fatalf("%q accepted but is not 0x and 40 hex digits", addr)
		}
		// Dropping the checksum (all one case) never makes an address invalid.
		for _, other := range []string{"0x" + strings.ToLower(addr[2:]), "0x" + strings.ToUpper(addr[2:])} {
			if o := checkInvariants(t, Ethereum, Mainnet, other); !o.Valid {
				t.Fatalf("%q is valid but %q gives %+v", addr, other, o)
			}
		}
	})
}

func FuzzValidateTron(f *testing.F) {
	for _, s := range []string{
		"TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb",
		"TR7NHqjeKQxGTCi8q8ZY4pxL7FjM3jHfCH", "41a614f803b6fd780986a42c78ec9c7f77e6ded13c",
		"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "T", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, addr string) {
		var first Result
		for i, network := range Networks(Tron) {
			res := checkInvariants(t, Tron, network, addr)
			if i > 0 && (res.Valid != first.Valid || res.Reason != first.Reason) {
				t.Fatalf("%q: %+v on %s but %+v on %s", addr, res, network, first, first.Network)
			}
			first = res
		}
		if first.Valid && (len(addr) != 34 || addr[0] != 'T') {
			t.Fatalf("%q accepted but is not 34 characters starting with T", addr)
		}
	})
}
