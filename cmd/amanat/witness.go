package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/amanat-ledger/amanat/chain/service"
	"github.com/amanat-ledger/amanat/chain/witness"
)

func init() { rootCmd.AddCommand(newWitnessCmd()) }

func newWitnessCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "witness",
		Short: "Run a witness that cosigns another circle's custody checkpoints (C2SP tlog-witness)",
	}
	cmd.AddCommand(witnessKeyCmd(), witnessServeCmd())
	return cmd
}

func witnessKeyCmd() *cobra.Command {
	var out, name string
	cmd := &cobra.Command{
		Use:   "key --out FILE [--name NAME]",
		Short: "Make a witness key (mode 0600, never overwritten) and print its public key",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return errors.New("--out FILE is required")
			}
			vkey, err := createWitnessKey(out, name)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), vkey)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "the private key file to make; its public key is written beside it as FILE.pub")
	cmd.Flags().StringVar(&name, "name", "", "the witness's name in its signature lines (default: amanat.witness/ and the host name)")
	return cmd
}

// createWitnessKey makes a witness key at path (refusing to overwrite one)
// and its public key at path.pub, and answers the public key.
func createWitnessKey(path, name string) (string, error) {
	if name == "" {
		host, err := os.Hostname()
		if err != nil || host == "" || strings.ContainsAny(host, " +") {
			host = "local"
		}
		name = "amanat.witness/" + host
	}
	skey, vkey, err := witness.NewKey(name)
	if err != nil {
		return "", err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("witness key: %w", err)
	}
	_, err = f.WriteString(skey + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("write witness key %s: %w", path, err)
	}
	if err := os.WriteFile(path+".pub", []byte(vkey+"\n"), 0o644); err != nil {
		return "", fmt.Errorf("write witness public key: %w", err)
	}
	return vkey, nil
}

// readWitnessKey reads a witness's private key file; one readable by group
// or others is refused.
func readWitnessKey(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("witness key: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("witness key %s is readable by others (mode %v); chmod 600 it", path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("witness key: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

func witnessServeCmd() *cobra.Command {
	var keyPath, addr, state string
	var logKeys []string
	cmd := &cobra.Command{
		Use:   "serve --key FILE --log-key PUB [--log-key PUB]... [--addr HOST:PORT] [--db FILE]",
		Short: "Serve POST /add-checkpoint: cosign each log's checkpoints that extend the last one cosigned",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if keyPath == "" || len(logKeys) == 0 {
				return errors.New("--key FILE and at least one --log-key PUB are required")
			}
			if state == "" {
				state = strings.TrimSuffix(keyPath, ".key") + ".state"
			}
			return serveWitness(cmd.OutOrStdout(), keyPath, state, addr, logKeys)
		},
	}
	cmd.Flags().StringVar(&keyPath, "key", "", "the witness's private key (amanat witness key)")
	cmd.Flags().StringArrayVar(&logKeys, "log-key", nil, "the public key of a log to witness (GET /v1/custody/key's public_key); repeatable")
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8090", "address to listen on")
	cmd.Flags().StringVar(&state, "db", "", "the file that keeps the latest checkpoint cosigned per log (default: the key file without .key, plus .state)")
	return cmd
}

func serveWitness(out io.Writer, keyPath, state, addr string, logKeys []string) error {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	skey, err := readWitnessKey(keyPath)
	if err != nil {
		return err
	}
	w, err := witness.New(witness.Config{Key: skey, LogKeys: logKeys, State: state, Logger: log})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	hs := &http.Server{Handler: w, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, WriteTimeout: time.Minute}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	fmt.Fprintf(out, "amanat witness %s\n", w.PublicKey())
	fmt.Fprintf(out, "amanat witness serving on http://%s\n", ln.Addr())
	select {
	case err := <-errc:
		return fmt.Errorf("witness serve: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("witness shutdown: %w", err)
	}
	return nil
}

// witnessFlags are serve's flags for witnesses.
type witnessFlags struct {
	remotes []string
	stale   time.Duration
	noDemo  bool
}

func addWitnessFlags(cmd *cobra.Command) *witnessFlags {
	var f witnessFlags
	cmd.Flags().StringArrayVar(&f.remotes, "witness", nil, "send the custody checkpoints to the witness at URL, whose public key is VKEY (URL=VKEY); repeatable")
	cmd.Flags().DurationVar(&f.stale, "witness-stale", witness.DefaultStale, "alert (witness-stale) when a witness has not cosigned for this long")
	cmd.Flags().BoolVar(&f.noDemo, "no-demo-witness", false, "with --demo, run no witness of its own")
	return &f
}

// startWitnesses starts the witnesses of serve: those of --witness, and
// with --demo one in this process, with its key beside the store
// (<db>.witness.key), whose public key it prints as WITNESS_KEY. The
// answer stops the in-process witness.
func startWitnesses(out io.Writer, a *service.Service, db string, demo bool, f *witnessFlags, log *slog.Logger) (func(), error) {
	var remotes []witness.Remote
	for _, s := range f.remotes {
		r, err := witness.ParseRemote(s)
		if err != nil {
			return nil, fmt.Errorf("--witness: %w", err)
		}
		remotes = append(remotes, r)
	}
	stop := func() {}
	if demo && !f.noDemo {
		r, done, err := demoWitness(a, db, log)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(out, "demo: a witness of the custody log runs in this process: key %s.witness.key (and .pub), state %s.witness.state; delete them too to start over\n", db, db)
		fmt.Fprintf(out, "export WITNESS_KEY=%s\n", r.Key)
		remotes, stop = append(remotes, r), done
	}
	if len(remotes) == 0 {
		return stop, nil
	}
	if f.stale <= 0 {
		stop()
		return nil, fmt.Errorf("--witness-stale must be positive, not %s", f.stale)
	}
	if err := a.StartWitnesses(remotes, witness.Options{Stale: f.stale, Logger: log}); err != nil {
		stop()
		return nil, err
	}
	return stop, nil
}

// demoWitness runs a witness of a's log on a loopback port of its own.
func demoWitness(a *service.Service, db string, log *slog.Logger) (witness.Remote, func(), error) {
	keyPath := db + ".witness.key"
	if _, err := os.Stat(keyPath); errors.Is(err, os.ErrNotExist) {
		if _, err := createWitnessKey(keyPath, "amanat.witness/demo"); err != nil {
			return witness.Remote{}, nil, err
		}
	}
	skey, err := readWitnessKey(keyPath)
	if err != nil {
		return witness.Remote{}, nil, err
	}
	w, err := witness.New(witness.Config{Key: skey, LogKeys: []string{a.Custody.PublicKey()}, State: db + ".witness.state", Logger: log})
	if err != nil {
		return witness.Remote{}, nil, fmt.Errorf("demo witness: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return witness.Remote{}, nil, fmt.Errorf("demo witness: %w", err)
	}
	hs := &http.Server{Handler: w, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	return witness.Remote{URL: "http://" + ln.Addr().String(), Key: w.PublicKey()}, func() { hs.Close() }, nil
}

// checkWitnesses holds a bundle that passed its checks to --witness-key and
// --min-witnesses: at least min of the keys must have cosigned its
// checkpoint. It says which did and which are missing.
func checkWitnesses(out io.Writer, file string, data []byte, keys []string, min int) error {
	if len(keys) == 0 && min == 0 {
		return nil
	}
	if min == 0 {
		min = 1
	}
	if min > len(keys) {
		return fmt.Errorf("--min-witnesses %d but %d --witness-key given", min, len(keys))
	}
	var b struct {
		Checkpoint string `json:"checkpoint"`
	}
	if err := json.Unmarshal(data, &b); err != nil {
		return err
	}
	ok, missing, err := witness.CheckCosignatures([]byte(b.Checkpoint), keys)
	if err != nil {
		return fmt.Errorf("--witness-key: %w", err)
	}
	if len(ok) < min {
		fmt.Fprintf(out, "FAIL  %s: %d of the %d witnesses given cosigned its checkpoint, %d needed; missing: %s\n", file, len(ok), len(keys), min, strings.Join(missing, ", "))
		return exitError{checkFailed}
	}
	names := make([]string, len(ok))
	for i, k := range ok {
		names[i], _, _ = strings.Cut(k, "+")
	}
	fmt.Fprintf(out, "cosigned  %s: by %d of %d witnesses (%d needed): %s\n", filepath.Base(file), len(ok), len(keys), min, strings.Join(names, ", "))
	return nil
}
