package address

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

// tb is the part of testing.TB the helpers use; *rapid.T has it but, since
// Go 1.26 added methods to testing.TB, is no longer a testing.TB itself.
type tb interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// check validates addr and fails unless the verdict is the expected one:
// valid with type wantType, or (wantType == "") invalid with a reason that
// contains wantReason.
func check(t tb, chain, network, addr, wantType, wantReason string) Result {
	t.Helper()
	res, err := Validate(chain, network, addr)
	if err != nil {
		t.Fatalf("Validate(%q, %q, %q): unexpected error %v", chain, network, addr, err)
	}
	if wantType != "" {
		if !res.Valid || res.Type != wantType || res.Reason != "" {
			t.Fatalf("Validate(%q, %q, %q) = %+v, want valid %s", chain, network, addr, res, wantType)
		}
		return res
	}
	if res.Valid || res.Type != "" || !strings.Contains(res.Reason, wantReason) {
		t.Fatalf("Validate(%q, %q, %q) = %+v, want invalid with reason containing %q", chain, network, addr, res, wantReason)
	}
	return res
}

func TestChainsAndNetworks(t *testing.T) {
	if got, want := Chains(), []string{"bitcoin", "ethereum", "tron"}; !slices.Equal(got, want) {
		t.Errorf("Chains() = %v, want %v", got, want)
	}
	want := map[string][]string{
		"bitcoin":  {"mainnet", "regtest", "signet", "testnet"},
		"ethereum": {"holesky", "mainnet", "sepolia"},
		"tron":     {"mainnet", "nile", "shasta"},
	}
	for chain, nets := range want {
		got := Networks(chain)
		if !slices.Equal(got, nets) || !slices.IsSorted(got) {
			t.Errorf("Networks(%q) = %v, want %v", chain, got, nets)
		}
		// Callers may use the slice for their own purposes.
		got[0] = "changed"
		if Networks(chain)[0] != nets[0] {
			t.Errorf("Networks(%q) shares its backing array with callers", chain)
		}
	}
	if got := Networks("dogecoin"); got != nil {
		t.Errorf("Networks(dogecoin) = %v, want nil", got)
	}
}

func TestDefaults(t *testing.T) {
	res := check(t, "", "", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", TypeP2PKH, "")
	if res.Chain != "bitcoin" || res.Network != "mainnet" {
		t.Errorf("defaults: got chain %q network %q, want bitcoin mainnet", res.Chain, res.Network)
	}
	res = check(t, "ethereum", "", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", TypeAddress, "")
	if res.Network != "mainnet" {
		t.Errorf("ethereum default network %q, want mainnet", res.Network)
	}
	res = check(t, "", "testnet", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "", "prefix bc is mainnet, not testnet")
	if res.Chain != "bitcoin" || res.Network != "testnet" {
		t.Errorf("invalid result should still name chain and network: %+v", res)
	}
}

func TestParamErrors(t *testing.T) {
	tests := []struct {
		chain, network string
		field, reason  string
	}{
		{"dogecoin", "mainnet", "chain", `unknown chain "dogecoin"; known chains: bitcoin, ethereum, tron`},
		{"Bitcoin", "mainnet", "chain", `unknown chain "Bitcoin"`},
		{"bitcoin", "testnet4", "network", `unknown bitcoin network "testnet4"; known networks: mainnet, regtest, signet, testnet`},
		{"bitcoin", "sepolia", "network", `unknown bitcoin network "sepolia"`},
		{"ethereum", "goerli", "network", `known networks: holesky, mainnet, sepolia`},
		{"tron", "testnet", "network", `known networks: mainnet, nile, shasta`},
		{"", "nile", "network", `unknown bitcoin network "nile"`},
	}
	for _, tt := range tests {
		t.Run(tt.chain+"/"+tt.network, func(t *testing.T) {
			res, err := Validate(tt.chain, tt.network, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")
			var pe *ParamError
			if !errors.As(err, &pe) {
				t.Fatalf("error = %v, want *ParamError", err)
			}
			if pe.Field != tt.field || !strings.Contains(pe.Reason, tt.reason) {
				t.Errorf("ParamError = %+v, want field %q and reason containing %q", pe, tt.field, tt.reason)
			}
			if msg := err.Error(); msg != strings.ToLower(msg[:1])+msg[1:] || !strings.HasPrefix(msg, "invalid "+tt.field+": ") {
				t.Errorf("error text %q should be lower case and name the field", msg)
			}
			if res != (Result{}) {
				t.Errorf("result with a parameter error = %+v, want zero", res)
			}
		})
	}
}

// Reasons that apply whatever the chain: nothing is trimmed or guessed.
func TestCommonRefusals(t *testing.T) {
	const btc = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"
	const eth = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
	const trx = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
	tests := []struct {
		name, chain, addr, reason string
	}{
		{"empty bitcoin", "bitcoin", "", "address is empty"},
		{"empty ethereum", "ethereum", "", "address is empty"},
		{"empty tron", "tron", "", "address is empty"},
		{"leading space", "bitcoin", " " + btc, "starts with a space"},
		{"trailing newline", "bitcoin", btc + "\n", "ends with a line break"},
		{"trailing CRLF", "ethereum", eth + "\r\n", "ends with a line break"},
		{"leading tab", "tron", "\t" + trx, "starts with a tab"},
		{"non-breaking space", "bitcoin", btc + "\u00a0", "ends with an invisible character (U+00A0)"},
		{"byte order mark", "ethereum", "\ufeff" + eth, "starts with an invisible character (U+FEFF)"},
		{"zero-width space", "tron", trx + "\u200b", "ends with an invisible character (U+200B)"},
		{"space inside", "bitcoin", "1A1zP1eP5QGefi2DMPTf TL5SLmv7DivfNa", "a space at position 21"},
		{"cyrillic look-alike", "bitcoin", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNа", "the non-ASCII character 'а' (U+0430, perhaps a look-alike of a Latin letter or digit) at position 34 cannot appear"},
		{"invalid utf-8", "bitcoin", "1A1zP1eP5QGefi2DMPTfTL5SLmv7Divf\xff", "a byte that is not valid text at position 33"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, tt.chain, "mainnet", tt.addr, "", tt.reason)
		})
	}
}

func TestResultJSON(t *testing.T) {
	res, _ := Validate("bitcoin", "mainnet", "bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr")
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"valid":true,"chain":"bitcoin","network":"mainnet","type":"p2tr"}`; got != want {
		t.Errorf("valid JSON = %s, want %s", got, want)
	}
	res, _ = Validate("tron", "nile", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6T")
	b, _ = json.Marshal(res)
	if got, want := string(b), `{"valid":false,"chain":"tron","network":"nile","reason":"checksum does not match`; !strings.HasPrefix(got, want) {
		t.Errorf("invalid JSON = %s, want prefix %s", got, want)
	}
}
