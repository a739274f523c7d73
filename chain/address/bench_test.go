package address

import "testing"

// A mix of the address types a custodian registers, on the network each
// belongs to.
var benchAddrs = []struct{ network, addr string }{
	{"mainnet", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"},
	{"mainnet", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"},
	{"mainnet", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"},
	{"mainnet", "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3"},
	{"mainnet", "bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr"},
	{"mainnet", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4"},
	{"testnet", "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn"},
	{"testnet", "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"},
}

func BenchmarkValidateBitcoin(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		a := benchAddrs[i%len(benchAddrs)]
		if res, _ := Validate(Bitcoin, a.network, a.addr); !res.Valid {
			b.Fatalf("%s: %s", a.addr, res.Reason)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "addresses/s")
}
