package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// rootCmd is the amanat command; each subcommand adds itself in its own file.
var rootCmd = &cobra.Command{
	Use:           "amanat",
	Short:         "Amanat keeps the books on seized cryptocurrency and foreign cash",
	SilenceUsage:  true,
	SilenceErrors: true,
}

// exitError carries a process exit code out of a command that has already
// printed its own report (verify, address validate).
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func main() {
	if err := rootCmd.Execute(); err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "amanat:", err)
		os.Exit(1)
	}
}
