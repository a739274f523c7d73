package evidence

import "testing"

// TestCheckWalletAddressIsTheSeizuresCheck: the check the console runs as an
// address is typed gives, for each address, the field and the reason the
// seizure's own check gives for that address on a wallet item.
func TestCheckWalletAddressIsTheSeizuresCheck(t *testing.T) {
	cases := []struct{ name, chain, network, addr string }{
		{"a valid TRON address", "tron", "mainnet", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"},
		{"a Bitcoin checksum typo", "bitcoin", "mainnet", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5"},
		{"a testnet address on mainnet", "bitcoin", "mainnet", "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"},
		{"a seed phrase", "bitcoin", "mainnet", "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"},
		{"an unknown network", "ethereum", "ropsten", "0x52908400098527886E0F7030069857D2E4169EE7"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := validSeizure()
			req.Items[1].Chain, req.Items[1].Network, req.Items[1].Address = c.chain, c.network, c.addr
			if c.chain == "bitcoin" {
				req.Items[1].Holdings = []Holding{{Currency: "BTC", Amount: "0.1"}}
			}
			_, err := CheckSeizure(req, testNow)
			typ, field, reason := CheckWalletAddress(c.chain, c.network, c.addr)
			if reason == "" {
				if err != nil {
					t.Fatalf("the inline check accepts (%s) what the seizure refuses: %v", typ, err)
				}
				return
			}
			got := fieldsOf(t, err)["items[1]."+field]
			if got != reason {
				t.Fatalf("inline: %s %q; seizure: %q", field, reason, got)
			}
		})
	}
}
