package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/amanat-ledger/amanat/chain/address"
)

// addressCmd groups address tools; `amanat address validate` checks
// addresses offline, exactly as seizure registration does.
var addressCmd = &cobra.Command{
	Use:   "address",
	Short: "Check crypto addresses",
}

var addressValidateCmd = &cobra.Command{
	Use:   "validate [--chain C] [--network N] ADDRESS...",
	Short: "Say whether each address is valid for the chain and network",
	Long: `Prints one line per address, ADDRESS<TAB>valid<TAB>TYPE or
ADDRESS<TAB>invalid<TAB>REASON, and exits 0 when every address is valid, 1
otherwise. Chains: bitcoin, ethereum, tron. Bitcoin networks: mainnet, testnet,
signet, regtest. Bitcoin types: p2pkh, p2sh, p2wpkh, p2wsh, p2tr,
witness_unknown.`,
	Args: cobra.MinimumNArgs(1),
	RunE: func(cmd *cobra.Command, args []string) error {
		chain, _ := cmd.Flags().GetString("chain")
		network, _ := cmd.Flags().GetString("network")
		return validateAddresses(cmd.OutOrStdout(), chain, network, args)
	},
}

func init() {
	addressValidateCmd.Flags().String("chain", address.Bitcoin, "chain: bitcoin, ethereum or tron")
	addressValidateCmd.Flags().String("network", address.Mainnet, "network of the chain: mainnet, testnet, signet, regtest, ...")
	addressCmd.AddCommand(addressValidateCmd)
	rootCmd.AddCommand(addressCmd)
}

// validateAddresses writes one line per address. An unknown chain or network
// is an error before any line is written.
func validateAddresses(w io.Writer, chain, network string, addrs []string) error {
	if _, err := address.Validate(chain, network, "x"); err != nil {
		return err
	}
	allValid := true
	for _, a := range addrs {
		res, err := address.Validate(chain, network, a)
		if err != nil {
			return err
		}
		if res.Valid {
			fmt.Fprintf(w, "%s\tvalid\t%s\n", a, res.Type)
			continue
		}
		allValid = false
		fmt.Fprintf(w, "%s\tinvalid\t%s\n", a, res.Reason)
	}
	if !allValid {
		return exitError{code: 1}
	}
	return nil
}
