package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/finance"
)

// TestMain lets a test run this package's main as the amanat binary in a
// child process (AMANAT_RUN_MAIN=1), so signals reach a real server.
func TestMain(m *testing.M) {
	if os.Getenv("AMANAT_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestSIGTERMFinishesInFlightWrites runs `amanat serve` as a child, sends it
// many concurrent writes and SIGTERM while they are in flight, and checks
// that it exits 0 after saying so, that every write it answered 201 is in
// the store, and that the store verifies.
func TestSIGTERMFinishesInFlightWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a server process")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "shutdown.db")
	a, err := createService(db, db+".key")
	if err != nil {
		t.Fatal(err)
	}
	token, err := access.CreateToken(a.Store, access.RoleFinance, "farah", "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	srv := startServe(t, "http", "--db", db, "--addr", "127.0.0.1:0")
	cmd, base := srv.cmd, "http://"+srv.addr

	// 200 rate entries from 16 clients; SIGTERM after the first 20 answers.
	const writes = 200
	var (
		mu      sync.Mutex
		acked   = map[uint64]string{} // rate id -> effective date
		answers int
		once    sync.Once
		wg      sync.WaitGroup
	)
	jobs := make(chan int)
	client := &http.Client{Timeout: 10 * time.Second}
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				date := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i).Format(time.DateOnly)
				body := fmt.Sprintf(`{"currency":"USD","rate":"%d.5000","effective":%q,"source":"sbp-interbank"}`, 250+i%50, date)
				req, _ := http.NewRequest(http.MethodPost, base+"/v1/rates", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				res, err := client.Do(req)
				if err != nil {
					continue // the server stopped taking requests: fine
				}
				var r struct{ ID uint64 }
				if res.StatusCode == http.StatusCreated {
					if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
						t.Errorf("a 201 with a bad body: %v", err)
					}
				}
				res.Body.Close()
				mu.Lock()
				if res.StatusCode == http.StatusCreated {
					acked[r.ID] = date
				}
				answers++
				n := answers
				mu.Unlock()
				if n == 20 {
					once.Do(func() { cmd.Process.Signal(syscall.SIGTERM) })
				}
			}
		}()
	}
	for i := 0; i < writes; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	once.Do(func() { cmd.Process.Signal(syscall.SIGTERM) })
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the server did not exit cleanly on SIGTERM: %v", err)
	}
	if out := srv.output(); !strings.Contains(out, "shutting down") {
		t.Errorf("the server did not say it was shutting down: %q", out)
	}
	if len(acked) < 20 {
		t.Fatalf("only %d writes were acknowledged", len(acked))
	}

	ro, err := openService(db, db+".key", true)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	parts, ok := ro.RunChecks()
	if !ok {
		t.Fatalf("verify after SIGTERM: %+v", parts)
	}
	stored := map[uint64]bool{}
	err = ro.Store.View(func(tx *ledger.Tx) error {
		return finance.EachRateRecord(tx, func(id uint64, _ []byte) error { stored[id] = true; return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	for id, date := range acked {
		if !stored[id] {
			t.Errorf("rate %d (effective %s) was answered 201 but is not in the store", id, date)
		}
	}
	t.Logf("%d of %d writes acknowledged before the shutdown; all stored; %d stored in all", len(acked), writes, len(stored))
}

// TestSIGTERMExitsInTimeWithAStalledBackupClient runs `amanat serve` as a
// child with a short shutdown deadline, starts a backup of a store larger
// than any socket buffer on a connection that then never reads, checks that
// other clients are still served, and sends SIGTERM: the server must cut
// the stalled connection at its deadline, close the store and exit 0. The
// 30 s bound detects a hang; it is not a measure of speed.
func TestSIGTERMExitsInTimeWithAStalledBackupClient(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a server process")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "stalled.db")
	a, err := createService(db, db+".key")
	if err != nil {
		t.Fatal(err)
	}
	admin, err := access.CreateToken(a.Store, access.RoleAdmin, "adeel", "test")
	if err != nil {
		t.Fatal(err)
	}
	// 24 MB: more than loopback's send and receive buffers together.
	err = a.Store.Write(context.Background(), func(tx *ledger.Tx) error {
		b, err := tx.Bolt.CreateBucketIfNotExists([]byte("test.ballast"))
		if err != nil {
			return err
		}
		for i := 0; i < 384; i++ {
			if err := b.Put(fmt.Appendf(nil, "%08d", i), make([]byte, 64<<10)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	srv := startServe(t, "http", "--db", db, "--addr", "127.0.0.1:0", "--shutdown-timeout", "2s")
	cmd, addr := srv.cmd, srv.addr

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.(*net.TCPConn).SetReadBuffer(4 << 10); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "GET /v1/backup HTTP/1.1\r\nHost: amanat\r\nAuthorization: Bearer %s\r\n\r\n", admin)
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	status, err := bufio.NewReaderSize(conn, 16).ReadString('\n')
	if err != nil || !strings.Contains(status, " 200 ") {
		t.Fatalf("backup answer %q: %v", status, err)
	}
	// From here on the backup client reads nothing. Others are served.
	client := &http.Client{Timeout: 30 * time.Second}
	res, err := client.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("healthz beside a stalled backup: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("healthz beside a stalled backup: %d", res.StatusCode)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("the server did not exit cleanly on SIGTERM: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("SIGTERM did not stop a server with a stalled backup client")
	}
	if out := srv.output(); !strings.Contains(out, "closing connections still open after 2s") {
		t.Errorf("the server did not say it cut the stalled connection: %q", out)
	}
	ro, err := openService(db, db+".key", true)
	if err != nil {
		t.Fatalf("the store is not reopenable after the shutdown: %v", err)
	}
	defer ro.Close()
	if parts, ok := ro.RunChecks(); !ok {
		t.Fatalf("verify after SIGTERM: %+v", parts)
	}
}
