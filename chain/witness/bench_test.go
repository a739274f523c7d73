package witness_test

import (
	"testing"

	"github.com/amanat-ledger/amanat/chain/witness"
)

// BenchmarkCosign is the witness's side of one add-checkpoint: parse,
// check the log's signature and a consistency proof, rewrite the state file
// (fsync and rename) and cosign. Each request adds one leaf to a log of
// 10,000 and more.
func BenchmarkCosign(b *testing.B) {
	l := newMemLog(b)
	for i := 0; i < 10_000; i++ {
		l.add(b, "leaf")
	}
	w := startWitness(b, b.TempDir(), mustSkey(b), l.vkey)
	if _, err := w.Add(l.request(b, 0)); err != nil {
		b.Fatal(err)
	}
	reqs := make([][]byte, b.N)
	for i := range reqs {
		old := l.n
		l.add(b, "leaf")
		reqs[i] = l.request(b, old)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range reqs {
		if _, err := w.Add(reqs[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cosignatures/s")
}

func mustSkey(b testing.TB) string {
	skey, _, err := witness.NewKey("witness.bench")
	if err != nil {
		b.Fatal(err)
	}
	return skey
}
