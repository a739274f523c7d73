package main

import (
	"bytes"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/ledger"
)

// TestVersionPrintsBuildAndFormats: `amanat version` did not exist; it
// prints the module version, the VCS revision the build recorded and every
// stored format.
func TestVersionPrintsBuildAndFormats(t *testing.T) {
	var out bytes.Buffer
	writeVersion(&out, &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "github.com/amanat-ledger/amanat", Version: "v1.4.0"},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "f3b63cd31229956e8f24dae216ab14eedd42ad30"},
			{Key: "vcs.time", Value: "2026-12-01T09:00:00Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	})
	for _, want := range []string{
		"amanat github.com/amanat-ledger/amanat v1.4.0\n",
		"revision      f3b63cd31229956e8f24dae216ab14eedd42ad30 (modified)\n",
		"revision time 2026-12-01T09:00:00Z\n",
		"go            go1.26.8\n",
		"store         amanat-ledger/1\n",
		"custody entry amanat-custody/1\n",
		"court bundle  " + chain.BundleFormat + "\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("version output lacks %q:\n%s", want, out.String())
		}
	}

	// The real command, on this test binary's own build information.
	got, err := runRoot(t, "version")
	if err != nil || !strings.HasPrefix(got, "amanat github.com/amanat-ledger/amanat ") || !strings.Contains(got, "revision ") {
		t.Fatalf("amanat version: %v\n%s", err, got)
	}
}

// The format the version command names for transactions is the one the
// ledger writes.
func TestVersionNamesTheTransactionFormatWritten(t *testing.T) {
	if c := (&ledger.Transaction{}).Canonical(); !bytes.HasPrefix(c, []byte(ledger.TransactionFormat+"\n")) {
		t.Fatalf("a canonical transaction starts %q, not %q", c[:min(len(c), 20)], ledger.TransactionFormat)
	}
}
