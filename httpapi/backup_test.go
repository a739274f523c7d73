package httpapi

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/ledger"
)

// smallBuffers makes every accepted connection's send buffer small, so a
// client that stops reading stalls the server's writes after a few
// kilobytes instead of after the several megabytes loopback buffers hold.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		if err := tc.SetWriteBuffer(8 << 10); err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, err
}

// fillStore writes n bytes of ballast into a bucket of its own, in one
// write, so that a backup is far larger than any socket buffer.
func fillStore(t testing.TB, store *ledger.Store, bucket string, n int) {
	t.Helper()
	err := store.Write(context.Background(), func(tx *ledger.Tx) error {
		b, err := tx.Bolt.CreateBucketIfNotExists([]byte(bucket))
		if err != nil {
			return err
		}
		chunk := make([]byte, 64<<10)
		for i := 0; i*len(chunk) < n; i++ {
			if err := b.Put(fmt.Appendf(nil, "%08d", i), chunk); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// stallBackup sends GET /v1/backup on a raw connection, reads the answer's
// headers (so the server is streaming the body) and then never reads again.
func stallBackup(t testing.TB, addr, token string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.(*net.TCPConn).SetReadBuffer(4 << 10); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "GET /v1/backup HTTP/1.1\r\nHost: amanat\r\nAuthorization: Bearer %s\r\n\r\n", token)
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReaderSize(conn, 16)
	status, err := r.ReadString('\n')
	if err != nil || !strings.Contains(status, " 200 ") {
		t.Fatalf("backup answer %q: %v", status, err)
	}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("backup headers: %v", err)
		}
		if line == "\r\n" {
			return conn
		}
	}
}

// TestSlowBackupReaderDoesNotStallOtherRequests: a client that asks for a
// backup and then stops reading must not stop anyone else. While it sits
// there, writers grow the store file well past its memory map, and HTTP
// writes and health checks go on; every one of them must finish. The 30 s
// bound detects a hang; it is not a measure of speed.
func TestSlowBackupReaderDoesNotStallOtherRequests(t *testing.T) {
	ts := newTestServer(t)
	fillStore(t, ts.store, "test.ballast", 4<<20)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(nil)
	hs.Listener.Close()
	hs.Listener = smallBuffers{ln}
	hs.Config = ts.s.HTTPServer()
	hs.Start()
	defer hs.Close()
	stalled := stallBackup(t, ln.Addr().String(), ts.tokens[access.RoleAdmin])
	defer stalled.Close() // before hs.Close, which waits for its handler
	// The snapshot being streamed is already unlinked: no copy of the books
	// is left on disk, even if the process dies now.
	left, err := filepath.Glob(filepath.Join(filepath.Dir(ts.store.Path()), ".amanat-backup-*"))
	if err != nil || len(left) != 0 {
		t.Fatalf("backup copies on disk during the download: %v %v", left, err)
	}

	client := &http.Client{Timeout: 30 * time.Second}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	// Growth: 12 MB more in 1 MB writes, three times the file's size, so
	// bbolt must remap it at least once.
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 6; i++ {
				err := ts.store.Write(context.Background(), func(tx *ledger.Tx) error {
					b, err := tx.Bolt.CreateBucketIfNotExists([]byte("test.growth"))
					if err != nil {
						return err
					}
					return b.Put(fmt.Appendf(nil, "%d-%d", w, i), make([]byte, 1<<20))
				})
				if err != nil {
					errs <- fmt.Errorf("grow the store: %w", err)
				}
			}
		}()
	}
	// API writes and reads beside them.
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				body := fmt.Sprintf(`{"currency":"USD","rate":"%d.5000","effective":"2025-06-%02d","source":"sbp-interbank"}`, 270+w, 1+i)
				req, _ := http.NewRequest(http.MethodPost, hs.URL+"/v1/rates", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+ts.tokens[access.RoleFinance])
				req.Header.Set("Content-Type", "application/json")
				res, err := client.Do(req)
				if err != nil {
					errs <- fmt.Errorf("post rate: %w", err)
					continue
				}
				res.Body.Close()
				if res.StatusCode != http.StatusCreated {
					errs <- fmt.Errorf("post rate: status %d", res.StatusCode)
				}
				res, err = client.Get(hs.URL + "/healthz")
				if err != nil {
					errs <- fmt.Errorf("healthz: %w", err)
					continue
				}
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					errs <- fmt.Errorf("healthz: status %d", res.StatusCode)
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("writes and health checks hung behind a backup client that stopped reading")
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// The growth must really have happened, or the test proved nothing.
	var grown int64
	if err := ts.store.View(func(tx *ledger.Tx) error { grown = tx.Bolt.Size(); return nil }); err != nil {
		t.Fatal(err)
	}
	if grown < 12<<20 {
		t.Fatalf("the store grew to only %d bytes; the test did not make bbolt remap", grown)
	}
}
