package main

import (
	"fmt"
	"io"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/ledger"
)

func init() { rootCmd.AddCommand(newVersionCmd()) }

// newVersionCmd builds `amanat version` (a fresh one per test).
func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the build's module version and revision, and the store and log formats it reads and writes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			info, ok := debug.ReadBuildInfo()
			if !ok {
				return fmt.Errorf("this binary carries no build information")
			}
			writeVersion(cmd.OutOrStdout(), info)
			return nil
		},
	}
}

// formats are the versioned formats of what a build stores and signs: a
// store or a bundle of another format is refused, so these say which files
// this build can read.
var formats = []struct{ what, format string }{
	{"store", ledger.StoreFormat},
	{"transaction", ledger.TransactionFormat},
	{"custody log", chain.LogStoreFormat},
	{"custody entry", chain.EntryFormat},
	{"record leaf", chain.RecordFormat},
	{"court bundle", chain.BundleFormat},
}

// writeVersion prints the module path and version, the VCS revision and time
// when the build recorded them (go build in a checkout does; go run and
// go install module@version say less), the Go version, then the formats.
func writeVersion(w io.Writer, info *debug.BuildInfo) {
	version := info.Main.Version
	if version == "" {
		version = "(unknown)"
	}
	fmt.Fprintf(w, "amanat %s %s\n", info.Main.Path, version)
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		if settings["vcs.modified"] == "true" {
			rev += " (modified)"
		}
		fmt.Fprintf(w, "revision      %s\n", rev)
		if t := settings["vcs.time"]; t != "" {
			fmt.Fprintf(w, "revision time %s\n", t)
		}
	} else {
		fmt.Fprintln(w, "revision      not recorded (go build in a git checkout records it, unless -buildvcs=false)")
	}
	fmt.Fprintf(w, "go            %s\n", info.GoVersion)
	for _, f := range formats {
		fmt.Fprintf(w, "%-13s %s\n", f.what, f.format)
	}
}
