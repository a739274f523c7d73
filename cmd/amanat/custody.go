package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/amanat-ledger/amanat/chain"
	chainlog "github.com/amanat-ledger/amanat/chain/log"
	"github.com/amanat-ledger/amanat/chain/service"
	"github.com/amanat-ledger/amanat/ledger"
)

func init() { rootCmd.AddCommand(newCustodyCmd()) }

// newCustodyCmd builds "amanat custody" and its subcommands afresh (tests
// build their own, so flags never leak between runs).
func newCustodyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "custody",
		Short: "Court bundles, checkpoints and proofs of the chain-of-custody log",
		Long: "The custody log is a signed Merkle log of every custody entry and ledger transaction\n" +
			"(docs/custody.md, docs/custody-format.md). These commands work on a store no server has open;\n" +
			"against a running server use GET /v1/items/{id}/custody/bundle and /v1/custody/...",
	}
	cmd.AddCommand(custodyExportCmd(), custodyCheckCmd(), custodyCheckpointCmd(), custodyProofCmd(), custodyConsistencyCmd())
	return cmd
}

// custodyFlags are --db and --key, as serve and verify spell them.
type custodyFlags struct{ db, key string }

func (f *custodyFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.db, "db", "", "store file")
	cmd.Flags().StringVar(&f.key, "key", "", "custody log signing key (default: the store file plus .key)")
	_ = cmd.MarkFlagRequired("db") // only fails for a flag that does not exist
}

func (f *custodyFlags) keyPath() string {
	if f.key == "" {
		return f.db + ".key"
	}
	return f.key
}

// openCustody opens the store and its services. Writable when the command
// may have to sign a checkpoint that ledger-only commits left behind.
func (f *custodyFlags) openCustody(writable bool) (*service.Service, error) {
	return openService(f.db, f.keyPath(), !writable)
}

func custodyExportCmd() *cobra.Command {
	var f custodyFlags
	var item uint64
	var out string
	cmd := &cobra.Command{
		Use:   "export --db FILE --item ID [--out FILE]",
		Short: "Write an item's court bundle: its entries, their proofs, the signed checkpoint and the public key",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if item == 0 {
				return fmt.Errorf("--item is required")
			}
			svc, err := f.openCustody(true)
			if err != nil {
				return err
			}
			b, err := svc.ExportItem(context.Background(), item) // with the cosignatures the store holds
			if cerr := svc.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			if out == "" || out == "-" {
				_, err = cmd.OutOrStdout().Write(b)
				return err
			}
			if err := os.WriteFile(out, b, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote the court bundle of item %d to %s\n", item, out)
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().Uint64Var(&item, "item", 0, "item id")
	cmd.Flags().StringVar(&out, "out", "", "output file (default: standard output)")
	return cmd
}

// Exit codes of custody check.
const (
	checkOK        = 0 // the bundle holds and a trusted key signed it
	checkFailed    = 1 // the bundle breaks a rule (the first is named), or another key signed it
	checkUnchecked = 2 // the bundle holds but no trusted key was given: the signer was not checked
)

func custodyCheckCmd() *cobra.Command {
	var keys, keyFiles, witnessKeys []string
	var minWitnesses int
	cmd := &cobra.Command{
		Use:   "check [--key KEY]... [--key-file FILE]... [--witness-key VKEY]... [--min-witnesses N] BUNDLE",
		Short: "Verify a court bundle offline, without the database",
		Long: "check verifies every rule of docs/custody-format.md: the signed checkpoint, every leaf hash and\n" +
			"inclusion proof, each entry and transaction on its own, the item's hash chain, its state machine,\n" +
			"that the transactions are exactly those the entries name, and the item's own record. Pass the\n" +
			"agency's published key (--key, or --key-file: a file of keys one a line, or the answer of\n" +
			"GET /v1/custody/key) to prove who signed it; both may be repeated and any of the keys may sign.\n" +
			"Exit 0 when all holds and a trusted key signed it; 1 naming the first failure (or another\n" +
			"signer); 2 when all else holds but no trusted key was given, so the signer was not checked.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			trusted, err := chain.TrustedKeys(keys...)
			if err != nil {
				return fmt.Errorf("--key: %w", err)
			}
			for _, f := range keyFiles {
				k, err := readKeyFile(f)
				if err != nil {
					return err
				}
				trusted = append(trusted, k...)
			}
			data, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			rep, err := chain.CheckBundle(data, service.RecordKinds(), trusted...)
			out := cmd.OutOrStdout()
			if err != nil {
				fmt.Fprintf(out, "FAIL  %s: %v\n", args[0], err)
				return exitError{checkFailed}
			}
			if err := checkWitnesses(out, args[0], data, witnessKeys, minWitnesses); err != nil {
				return err
			}
			if !rep.Trusted {
				// A bundle is only as good as the key that signed it: anyone
				// can make a key and sign a self-consistent bundle with it.
				fmt.Fprintf(out, "unchecked  %s: the signer was not checked: pass the agency's published key with --key or --key-file\n", args[0])
				fmt.Fprintf(out, "note  signed by %s, which proves only that the bundle agrees with itself; apart from its signer: %s\n", rep.PublicKey, rep)
				return exitError{checkUnchecked}
			}
			fmt.Fprintf(out, "ok    %s\n", rep)
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&keys, "key", nil, "a trusted public key (name+hash+base64), as GET /v1/custody/key gives it; repeatable")
	cmd.Flags().StringArrayVar(&keyFiles, "key-file", nil, "a file of trusted public keys, one a line (# comments), or the JSON answer of GET /v1/custody/key; repeatable")
	cmd.Flags().StringArrayVar(&witnessKeys, "witness-key", nil, "the public key of a witness whose cosignature counts (cosignature/v1); repeatable")
	cmd.Flags().IntVar(&minWitnesses, "min-witnesses", 0, "how many of the --witness-key witnesses must have cosigned the checkpoint (default 1 when a --witness-key is given)")
	return cmd
}

// readKeyFile reads the trusted keys of a file: the JSON answer of
// GET /v1/custody/key, or public keys one a line, where blank lines and
// lines starting with # are skipped (so one file can hold the keys of
// several stores, with a note on each). A file without a key is refused:
// an empty file must not quietly mean "trust nothing, check nothing".
func readKeyFile(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--key-file: %w", err)
	}
	if text := strings.TrimSpace(string(data)); strings.HasPrefix(text, "{") {
		var reply struct {
			PublicKey string `json:"public_key"`
		}
		if err := json.Unmarshal([]byte(text), &reply); err != nil {
			return nil, fmt.Errorf("--key-file %s: not the JSON of GET /v1/custody/key: %w", path, err)
		}
		keys, err := chain.TrustedKeys(reply.PublicKey)
		if err == nil && len(keys) == 0 {
			err = fmt.Errorf("no public_key")
		}
		if err != nil {
			return nil, fmt.Errorf("--key-file %s: %w", path, err)
		}
		return keys, nil
	}
	var keys []string
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, err := chain.TrustedKeys(line)
		if err != nil {
			return nil, fmt.Errorf("--key-file %s, line %d: %w", path, n+1, err)
		}
		keys = append(keys, k...)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("--key-file %s holds no key", path)
	}
	return keys, nil
}

func custodyCheckpointCmd() *cobra.Command {
	var f custodyFlags
	cmd := &cobra.Command{
		Use:   "checkpoint --db FILE",
		Short: "Print the log's latest signed checkpoint (signing one if the log grew since)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			svc, err := f.openCustody(true)
			if err != nil {
				return err
			}
			cp, err := svc.Custody.Checkpoint(context.Background())
			if cerr := svc.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(cp.Note)
			return err
		},
	}
	f.add(cmd)
	return cmd
}

func custodyProofCmd() *cobra.Command {
	var f custodyFlags
	var seq, size uint64
	cmd := &cobra.Command{
		Use:   "proof --db FILE --seq N [--size N]",
		Short: "Print the inclusion proof of custody entry N (JSON, as GET /v1/custody/entries/N/proof)",
		Long:  "--size is the tree size to prove against; the default is the latest stored checkpoint's.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if seq == 0 {
				return fmt.Errorf("--seq is required")
			}
			svc, err := f.openCustody(false)
			if err != nil {
				return err
			}
			defer svc.Close()
			var p chain.InclusionProof
			var e chain.Entry
			if err := svc.Store.View(func(tx *ledger.Tx) error {
				if p, err = svc.Custody.ProveEntry(tx, seq, size); err != nil {
					return err
				}
				e, err = chain.DecodeEntry(p.Canonical)
				return err
			}); err != nil {
				return err
			}
			proof := make([]string, len(p.Hashes))
			for i, h := range p.Hashes {
				proof[i] = tlogHex(h)
			}
			return printJSON(cmd, map[string]any{"seq": seq, "item": e.Item, "leaf_index": p.LeafIndex, "tree_size": p.TreeSize,
				"leaf_hash": tlogHex(p.LeafHash), "root_hash": tlogHex(p.Root), "proof": proof, "canonical": string(p.Canonical)})
		},
	}
	f.add(cmd)
	cmd.Flags().Uint64Var(&seq, "seq", 0, "custody entry number")
	cmd.Flags().Uint64Var(&size, "size", 0, "tree size (default: the latest checkpoint's)")
	return cmd
}

func custodyConsistencyCmd() *cobra.Command {
	var f custodyFlags
	var old, new uint64
	cmd := &cobra.Command{
		Use:   "consistency --db FILE --old N [--new M]",
		Short: "Print the proof that the log of N leaves is a prefix of the log of M leaves (JSON)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			svc, err := f.openCustody(false)
			if err != nil {
				return err
			}
			defer svc.Close()
			var p chain.ConsistencyProof
			if err := svc.Store.View(func(tx *ledger.Tx) error { p, err = svc.Custody.ProveConsistency(tx, old, new); return err }); err != nil {
				return err
			}
			proof := make([]string, len(p.Hashes))
			for i, h := range p.Hashes {
				proof[i] = tlogHex(h)
			}
			return printJSON(cmd, map[string]any{"old": p.Old, "new": p.New, "old_root": tlogHex(p.OldRoot),
				"new_root": tlogHex(p.NewRoot), "proof": proof})
		},
	}
	f.add(cmd)
	cmd.Flags().Uint64Var(&old, "old", 0, "the older tree size")
	cmd.Flags().Uint64Var(&new, "new", 0, "the newer tree size (default: the latest checkpoint's)")
	return cmd
}

func printJSON(cmd *cobra.Command, v any) error {
	enc := json.NewEncoder(cmd.OutOrStdout())
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// tlogHex is the log's one spelling of a hash in hex.
var tlogHex = chainlog.HashHex
