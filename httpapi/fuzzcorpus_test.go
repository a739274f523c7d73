package httpapi

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// fuzzSeedOrder is the seed table of FuzzWrites by name, slot by slot. A
// kept input names its seed by slot, so the table may only grow at its end:
// a new seed is appended to fuzzSeeds and its name to this list.
var fuzzSeedOrder = []string{
	"case",
	"seizure",
	"custody transferred",
	"custody received",
	"custody stored",
	"custody checked_out",
	"custody checked_in",
	"custody unsealed",
	"custody examined",
	"custody resealed",
	"custody sealed (refused: the bag bears a seal)",
	"custody moved_on_chain",
	"custody forfeited",
	"custody returned",
	"custody destroyed",
	"custody written_off",
	"custody converted (refused: conversions have their own endpoint)",
	"custody seized again (refused)",
	"rate",
	"conversion",
	"reconciliation matched",
	"reconciliation difference",
	"reconciliation of a location",
	"token",
	"token revoke",
	"case then a seizure into it",
	"seizure then custody of its cash",
	"reconciliation after a transfer",
	"address validation",
	"court order",
	"court order then superdari",
	"user",
	"user then disable",
	"user then password",
	"user then token",
}

// TestFuzzWritesSeedTableIsAppendOnly fails when a seed is removed,
// renamed or moved, or appended without its name: each would change what
// the kept corpus exercises.
func TestFuzzWritesSeedTableIsAppendOnly(t *testing.T) {
	fx := newFuzzFixture(t)
	var names []string
	for _, s := range fx.seeds {
		names = append(names, s.name)
	}
	if !slices.Equal(names, fuzzSeedOrder) {
		for i := range max(len(names), len(fuzzSeedOrder)) {
			var got, want string
			if i < len(names) {
				got = names[i]
			}
			if i < len(fuzzSeedOrder) {
				want = fuzzSeedOrder[i]
			}
			if got != want {
				t.Errorf("seed slot %d is %q, want %q", i, got, want)
			}
		}
		t.Fatal("the seed table is append only: add seeds at its end, and their names to fuzzSeedOrder")
	}
	if len(names) > fuzzSlots {
		t.Fatalf("%d seeds, but a first byte names only %d slots", len(names), fuzzSlots)
	}
}

// fuzzKept is what each kept input of testdata/fuzz/FuzzWrites exercises,
// as docs/testing.md lists it: the seed it starts from, whether it sends
// Idempotency-Keys, and a mutation it makes. A seed whose body changes
// (a field added before the one a kept input mutates) shows up here.
var fuzzKept = map[string]struct {
	seed     string
	keyed    bool
	mutation string
}{
	"1587de18c9480be1": {"seizure", false, `step 0: awkward "items[1].holdings[0].amount" to "99999999999999999999999999999999999999999999999999999999.99"`},
	"3b905bbeb3c72c63": {"conversion", false, `step 0: duplicate "fees" as "999999999999999999999999999999999999999999999999999999999"`},
	"171cb75edad8bf69": {"custody destroyed", false, `step 0: inject "remarks" "\x00"`},
	"cd7046809784160f": {"custody examined", false, `step 0: unknown-field "purpose" "PURPOSE"`},
	"10fdcbeb98183d03": {"custody examined", false, `step 1: inject "purpose" "\xe2\x82"`},
	"0bf82a31db7669da": {"custody examined", false, "step 1: inject \"condition\" \"\ufffd\""},
	"fc157a08cffabd3e": {"conversion", false, `step 0: inject "counterparty" "\xe2\x82"`},
	"45525abddcce7cdb": {"conversion", true, `step 0: inject "counterparty" "\u0085"`},
	"2b85824aae6696e5": {"reconciliation difference", false, `step 0: lengthen "explanation" to 67 bytes`},
	"70cbb75ed020e0ce": {"reconciliation difference", false, `step 0: inject "explanation" "\u0085"`},
	"977139318d20cdf0": {"reconciliation difference", false, `step 0: awkward "explanation" to "abandon abandon`},
}

// TestFuzzWritesKeptCorpus checks that every kept input still starts from
// the seed and makes the mutation it was kept for, and that none is
// unlisted.
func TestFuzzWritesKeptCorpus(t *testing.T) {
	fx := newFuzzFixture(t)
	files, err := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzWrites", "*"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		name := filepath.Base(f)
		seen[name] = true
		want, ok := fuzzKept[name]
		if !ok {
			t.Errorf("%s: a kept input not in fuzzKept (say what it exercises, here and in docs/testing.md)", name)
			continue
		}
		input := readFuzzCorpusFile(t, f)
		seed, keyed, _, did, ok := planFuzzInput(fx, input)
		switch {
		case !ok:
			t.Errorf("%s: first byte %d names an empty seed slot", name, input[0])
		case seed.name != want.seed || keyed != want.keyed:
			t.Errorf("%s: seed %q keyed %v, want %q keyed %v", name, seed.name, keyed, want.seed, want.keyed)
		case !slices.ContainsFunc(did, func(d string) bool { return strings.HasPrefix(d, want.mutation) }):
			t.Errorf("%s: mutations %q, want one starting %q", name, did, want.mutation)
		}
	}
	for name := range fuzzKept {
		if !seen[name] {
			t.Errorf("%s: listed in fuzzKept but not in testdata/fuzz/FuzzWrites", name)
		}
	}
}

// readFuzzCorpusFile reads a corpus file of a []byte fuzz test.
func readFuzzCorpusFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	header, line, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	inner, ok := strings.CutPrefix(line, "[]byte(")
	inner, ok2 := strings.CutSuffix(inner, ")")
	if header != "go test fuzz v1" || !ok || !ok2 {
		t.Fatalf("%s: not a corpus file of one []byte", path)
	}
	s, err := strconv.Unquote(inner)
	if err != nil || s == "" {
		t.Fatalf("%s: %q: %v", path, inner, err)
	}
	return []byte(s)
}

// TestFuzzWritesSlots checks how a first byte names a seed: slot byte%128
// whatever the table's length, an Idempotency-Key from 128 on, and a skip
// (not a wrap onto another seed) for a slot with no seed yet.
func TestFuzzWritesSlots(t *testing.T) {
	fx := newFuzzFixture(t)
	for _, tt := range []struct {
		first byte
		slot  int
		keyed bool
	}{{0, 0, false}, {19, 19, false}, {127, 127, false}, {128, 0, true}, {147, 19, true}, {255, 127, true}} {
		if slot, keyed := fuzzSlot(tt.first); slot != tt.slot || keyed != tt.keyed {
			t.Errorf("fuzzSlot(%d) = %d, %v, want %d, %v", tt.first, slot, keyed, tt.slot, tt.keyed)
		}
	}
	empty := byte(len(fx.seeds))
	if _, _, _, _, ok := planFuzzInput(fx, []byte{empty, 0, 1, 2, 3, 4}); ok {
		t.Fatalf("slot %d has no seed, yet the input was planned", empty)
	}
	var ran, skipped bool
	t.Run("empty slot", func(t *testing.T) {
		ran = true
		defer func() { skipped = t.Skipped() }()
		runFuzzInput(t, fx, []byte{empty + fuzzSlots})
	})
	if ran && !skipped { // not ran: -run left the subtest out
		t.Fatalf("an input naming empty slot %d was not skipped", empty)
	}
}
