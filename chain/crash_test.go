package chain

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

	"github.com/amanat-ledger/amanat/ledger"
)

const crashEnv = "AMANAT_CHAIN_CRASH_CHILD_DB"

// TestCrashChild is the writer TestCrashKeepsTheLogWhole kills; on its own
// it does nothing.
func TestCrashChild(t *testing.T) {
	db := os.Getenv(crashEnv)
	if db == "" {
		t.Skip("only runs as the child of TestCrashKeepsTheLogWhole")
	}
	s, err := ledger.Open(db, ledger.Options{})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(2)
	}
	c, err := NewWithOptions(s, db+".key", testKinds, Options{WitnessEvery: 5 * time.Millisecond})
	if err != nil {
		fmt.Println("custody:", err)
		os.Exit(2)
	}
	base, _ := strconv.ParseUint(os.Getenv(crashEnv+"_BASE"), 10, 64)
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	var wg sync.WaitGroup
	for w := uint64(0); w < 8; w++ {
		wg.Add(1)
		go func(w uint64) {
			defer wg.Done()
			for i := uint64(0); ; i++ {
				item := base + w*1_000_000 + i + 1
				var got []Entry
				err := s.Write(context.Background(), func(tx *ledger.Tx) error {
					got = got[:0]
					txn, err := postSeizure(tx, item, "2.50")
					if err != nil {
						return err
					}
					for _, e := range []Entry{seizedEntry(item, txn.ID),
						{Item: item, Event: EventTransferred, At: at(1), RecordedBy: "custodian:crash", From: "SI Bilal", To: "Asif"}} {
						if e, err = c.Append(tx, e); err != nil {
							return err
						}
						got = append(got, e)
					}
					return nil
				})
				if err != nil {
					fmt.Fprintln(os.Stderr, "write:", err)
					os.Exit(2)
				}
				mu.Lock()
				for _, e := range got {
					fmt.Fprintf(out, "ack %d %s\n", e.Seq, e.Hash)
				}
				out.Flush()
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
}

// A writer killed with SIGKILL in the middle of group commits, several
// times: after each restart every acknowledged entry is there with the hash
// it was acknowledged with, and the whole log verifies, witness included
// (the witness never runs ahead of what was committed).
func TestCrashKeepsTheLogWhole(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "crash.db")
	acked := map[uint64]string{}
	for round := 0; round < 3; round++ {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestCrashChild$")
		cmd.Env = append(os.Environ(), crashEnv+"="+db, fmt.Sprintf("%s_BASE=%d", crashEnv, round*100_000_000))
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		n := 0
		for sc.Scan() && n < 400+round*150 {
			f := strings.Fields(sc.Text())
			if len(f) != 3 || f[0] != "ack" {
				t.Fatalf("child said %q", sc.Text())
			}
			seq, _ := strconv.ParseUint(f[1], 10, 64)
			acked[seq] = f[2]
			n++
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		for sc.Scan() { // acknowledgements written before the kill landed count too
			if f := strings.Fields(sc.Text()); len(f) == 3 {
				seq, _ := strconv.ParseUint(f[1], 10, 64)
				acked[seq] = f[2]
			}
		}
		cmd.Wait()
		if n == 0 {
			t.Fatal("the child acknowledged nothing")
		}

		s, err := ledger.Open(db, ledger.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := VerifyStore(s, db+".key", testKinds)
		if err != nil {
			s.Close()
			t.Fatalf("round %d: verify after SIGKILL: %v", round, err)
		}
		c, _ := Open(s, db+".key", testKinds)
		err = s.View(func(tx *ledger.Tx) error {
			for seq, h := range acked {
				e, err := c.Entry(tx, seq)
				if err != nil {
					return fmt.Errorf("acknowledged entry %d: %w", seq, err)
				}
				if e.Hash != h {
					return fmt.Errorf("entry %d has hash %s, acknowledged %s", seq, e.Hash, h)
				}
			}
			return nil
		})
		s.Close()
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		t.Logf("round %d: %d acknowledged entries present; %s", round, len(acked), rep)
	}
}
