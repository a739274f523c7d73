package ledger

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const crashEnv = "AMANAT_CRASH_CHILD_DB"

// TestCrashChild is the writer that TestCrashKeepsEveryAcknowledgedWrite
// kills; run on its own it does nothing.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("only runs as the child of TestCrashKeepsEveryAcknowledgedWrite")
	}
	s, err := Open(path, Options{})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(2)
	}
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				item := w*1_000_000 + i + 1
				var id uint64
				err := s.Write(context.Background(), func(tx *Tx) error {
					txn, err := tx.Post(seize(t, item, w+1, "USD", "1.25", day))
					id = txn.ID
					return err
				})
				if err != nil {
					fmt.Fprintln(os.Stderr, "write:", err)
					os.Exit(2)
				}
				// Acknowledge only after Write returned: the commit is durable.
				mu.Lock()
				fmt.Fprintf(out, "ack %d %d\n", id, item)
				out.Flush()
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
}

// TestCrashKeepsEveryAcknowledgedWrite kills a writer under load with SIGKILL
// several times. After each restart every acknowledged transaction is present
// and intact, and the checker passes (so no partial transaction exists).
func TestCrashKeepsEveryAcknowledgedWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test spawns processes")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	acked := map[uint64]int{}
	for round := 0; round < 5; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+path)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(stdout)
		// Kill after a number of acknowledgements that varies by round,
		// so the kill lands at different points of a commit.
		target := 200 + round*137
		n := 0
		deadline := time.AfterFunc(30*time.Second, func() { cmd.Process.Kill() })
		for lines.Scan() {
			f := strings.Fields(lines.Text())
			if len(f) == 3 && f[0] == "ack" {
				id, _ := strconv.ParseUint(f[1], 10, 64)
				item, _ := strconv.Atoi(f[2])
				acked[id] = item
				n++
			}
			if n == target {
				cmd.Process.Signal(syscall.SIGKILL)
			}
		}
		deadline.Stop()
		cmd.Wait()
		if n < target {
			t.Fatalf("round %d: child acknowledged only %d writes before it stopped", round, n)
		}

		s, err := Open(path, Options{ReadOnly: true})
		if err != nil {
			t.Fatalf("round %d: reopen: %v", round, err)
		}
		r, err := s.Verify()
		if err != nil {
			t.Fatalf("round %d: verify after SIGKILL: %v", round, err)
		}
		err = s.View(func(tx *Tx) error {
			for id, item := range acked {
				txn, err := tx.Transaction(id)
				if err != nil {
					return fmt.Errorf("acknowledged transaction %d: %w", id, err)
				}
				if txn.Postings[0].Account != itemAccount(item) {
					return fmt.Errorf("transaction %d posts to %s, acknowledged for item %d", id, txn.Postings[0].Account, item)
				}
			}
			return nil
		})
		s.Close()
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		t.Logf("round %d: %d acknowledged, %d stored (%s)", round, len(acked), r.Transactions, r)
	}
}
