package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/alerts"
	"github.com/amanat-ledger/amanat/chain/evidence"
	"github.com/amanat-ledger/amanat/chain/service"
	"github.com/amanat-ledger/amanat/httpapi"
	"github.com/amanat-ledger/amanat/ledger/finance"
)

func init() { rootCmd.AddCommand(newServeCmd()) }

// serveTLS is the certificate and key that --tls-cert and --tls-key name.
type serveTLS struct{ cert, key string }

func newServeCmd() *cobra.Command {
	var db, addr, keyPath string
	var files serveTLS
	var demo bool
	var grace, approvalTTL, tokenTTL, sessionIdle time.Duration
	var limits alerts.Limits
	var wf *witnessFlags
	cmd := &cobra.Command{
		Use:   "serve [--db FILE] [--addr HOST:PORT] [--key FILE] [--demo] [--tls-cert FILE --tls-key FILE]",
		Short: "Serve the API",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if keyPath == "" {
				keyPath = db + ".key"
			}
			if err := access.CheckTTL(tokenTTL); err != nil || tokenTTL == 0 {
				return fmt.Errorf("--token-ttl %s: must be between 1 second and %d days", tokenTTL, access.MaxTokenTTL/(24*time.Hour))
			}
			if sessionIdle < time.Second {
				return fmt.Errorf("--session-idle %s: must be at least 1s", sessionIdle)
			}
			return serve(cmd, db, addr, keyPath, demo, grace, approvalTTL, tokenTTL, sessionIdle, limits, files, wf)
		},
	}
	cmd.Flags().StringVar(&db, "db", "amanat.db", "store file (created if missing)")
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on")
	cmd.Flags().StringVar(&keyPath, "key", "", "custody log signing key (default: the store file plus .key)")
	cmd.Flags().StringVar(&files.cert, "tls-cert", "", "serve HTTPS with this PEM certificate (chain), with --tls-key")
	cmd.Flags().StringVar(&files.key, "tls-key", "", "the PEM private key of --tls-cert")
	cmd.Flags().BoolVar(&demo, "demo", false, "load the bundled demo data into a store with no seizures, and print a token per role")
	cmd.Flags().DurationVar(&grace, "shutdown-timeout", 30*time.Second, "on SIGTERM, how long requests in flight may take to finish before their connections are closed")
	cmd.Flags().DurationVar(&limits.InTransit, "in-transit-limit", alerts.DefaultInTransit, "alert (in-transit-too-long) when a transferred item is not received within this")
	cmd.Flags().DurationVar(&limits.NotDeposited, "deposit-limit", alerts.DefaultNotDeposited, "alert (not-deposited) when a seized item is neither stored nor received within this")
	cmd.Flags().DurationVar(&limits.CheckedOut, "checkout-limit", alerts.DefaultCheckedOut, "alert (checkout-overdue) when a checked-out item is not checked in within this")
	cmd.Flags().IntVar(&limits.NotCountedDays, "count-every-days", alerts.DefaultNotCountedDays, "alert (not-counted) when an item or its location has not been counted for this many days")
	cmd.Flags().IntVar(&limits.ProductionNoticeDays, "production-notice-days", alerts.DefaultProductionNoticeDays, "alert (production-due) this many days before a court order's produce-by date")
	cmd.Flags().IntVar(&limits.StaleRateDays, "stale-rate-days", finance.DefaultStaleRateDays, "a rate older than this many days is stale (valuation rows, the stale-rate alert)")
	cmd.Flags().DurationVar(&tokenTTL, "token-ttl", access.DefaultTokenTTL, "how long a token made by the API or the demo lives unless its request says")
	cmd.Flags().DurationVar(&sessionIdle, "session-idle", 30*time.Minute, "a console session ends this long after its last use")
	cmd.Flags().DurationVar(&approvalTTL, "approval-ttl", evidence.DefaultApprovalTTL, "how long a proposal of the two-person rule waits for a supervisor before it expires")
	wf = addWitnessFlags(cmd)
	return cmd
}

// tlsConfig loads the pair --tls-cert and --tls-key name, or returns nil
// when neither is given (plain HTTP, for a proxy in front to terminate
// TLS). One without the other, an unreadable file or a key that is not the
// certificate's is refused here, before a store is opened or a port taken.
func tlsConfig(f serveTLS) (*tls.Config, error) {
	if (f.cert == "") != (f.key == "") {
		return nil, errors.New("--tls-cert and --tls-key go together: give both to serve HTTPS, or neither to serve plain HTTP")
	}
	if f.cert == "" {
		return nil, nil
	}
	pair, err := tls.LoadX509KeyPair(f.cert, f.key)
	if err != nil {
		return nil, fmt.Errorf("--tls-cert %s with --tls-key %s: %w", f.cert, f.key, err)
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{pair}}, nil
}

func serve(cmd *cobra.Command, db, addr, keyPath string, demo bool, grace, approvalTTL, tokenTTL, sessionIdle time.Duration, limits alerts.Limits, files serveTLS, wf *witnessFlags) error {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if approvalTTL <= 0 {
		return fmt.Errorf("--approval-ttl must be positive, not %s", approvalTTL)
	}
	tlsCfg, err := tlsConfig(files)
	if err != nil {
		return err
	}
	scheme := "http"
	if tlsCfg != nil {
		scheme = "https"
	}
	if err := storePath(db); err != nil {
		return err
	}
	a, err := service.Open(db, service.Options{Key: keyPath, Limits: limits, Users: access.UsersOptions{SessionIdle: sessionIdle}})
	if err != nil {
		return err
	}
	a.Evidence.ApprovalTTL = approvalTTL
	a.Tokens.TTL = tokenTTL
	a.Users.SetLogger(log)
	defer func() {
		if err := a.Close(); err != nil {
			log.Error("close store", "error", err.Error())
		}
	}()
	stopWitness, err := startWitnesses(cmd.OutOrStdout(), a, db, demo, wf, log)
	if err != nil {
		return err
	}
	defer stopWitness()
	srv, err := httpapi.New(httpapi.Config{Service: a, Logger: log, TLS: tlsCfg != nil})
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	// Listen before loading the demo so its example commands name the real
	// address (with --addr :0 the port is only known now).
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	defer ln.Close()
	if demo {
		if err := loadDemo(cmd.Context(), a, out, db, scheme+"://"+ln.Addr().String()); err != nil {
			return err
		}
	}
	hs := srv.HTTPServer()
	hs.TLSConfig = tlsCfg
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() {
		if tlsCfg != nil {
			// The certificate is in TLSConfig already.
			errc <- hs.ServeTLS(ln, "", "")
			return
		}
		errc <- hs.Serve(ln)
	}()
	fmt.Fprintf(out, "amanat serving %s on %s://%s\n", db, scheme, ln.Addr())
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	fmt.Fprintln(out, "amanat: shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	// Shutdown lets in-flight requests, and so their writes, finish; the
	// deferred Close then commits anything still queued.
	err = hs.Shutdown(shutdown)
	if errors.Is(err, context.DeadlineExceeded) {
		// A client that stopped reading must not keep the process alive
		// past its deadline: cut the connections still open. A handler
		// still running finishes on its own, and Close waits for its
		// queued write to commit.
		fmt.Fprintf(out, "amanat: closing connections still open after %s\n", grace)
		err = hs.Close()
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
