package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/chain/evidence"
	"github.com/amanat-ledger/amanat/chain/service"
	"github.com/amanat-ledger/amanat/ledger"
)

// child is `amanat serve` run as a child process of the test binary (see
// TestMain's AMANAT_RUN_MAIN), on port 0.
type child struct {
	cmd    *exec.Cmd
	addr   string   // host:port it says it listens on
	before []string // what it printed up to that line
	rest   strings.Builder
	done   chan struct{}
}

// startServe starts `amanat serve ARGS...` and waits for the line that says
// where it listens over scheme ("http" or "https"). The process is killed
// when the test ends; what it prints after that line is kept for output.
func startServe(t *testing.T, scheme string, args ...string) *child {
	t.Helper()
	c := &child{cmd: exec.Command(os.Args[0], append([]string{"serve"}, args...)...), done: make(chan struct{})}
	c.cmd.Env = append(os.Environ(), "AMANAT_RUN_MAIN=1")
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.cmd.Process.Kill() })
	lines := bufio.NewScanner(stdout)
	for c.addr == "" && lines.Scan() {
		line := lines.Text()
		c.before = append(c.before, line)
		if _, a, ok := strings.Cut(line, " on "+scheme+"://"); ok && strings.HasPrefix(line, "amanat serving ") {
			c.addr = a
		}
	}
	if c.addr == "" {
		t.Fatalf("the server never said it listens on %s://", scheme)
	}
	go func() {
		for lines.Scan() {
			c.rest.WriteString(lines.Text() + "\n")
		}
		close(c.done)
	}()
	return c
}

// output is what the server printed after saying where it listens; it
// waits for the process to close its standard output.
func (c *child) output() string {
	<-c.done
	return c.rest.String()
}

// seizeOne registers case FIR 112/2025 and one cash bag (seal ISB-0001,
// USD 1500.00) directly through the register.
func seizeOne(t *testing.T, a *service.Service) {
	t.Helper()
	cs, err := evidence.CheckCase(evidence.CaseRequest{FIR: "112/2025", Circle: "islamabad"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := evidence.CheckSeizure(evidence.SeizureRequest{CaseID: 1, SeizedAt: "2025-06-03T10:30:00Z", Officer: "Inspector Ayesha Khan",
		SeizedFrom: evidence.PersonInput{Name: "Li Wei"},
		Items: []evidence.ItemRequest{{Kind: evidence.KindCash, Seal: "ISB-0001", Description: "brown envelope of banknotes",
			Amounts: []evidence.CashAmount{{Currency: "USD", Amount: "1500.00"}}}}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	err = a.Store.Write(context.Background(), func(tx *ledger.Tx) error {
		if _, err := a.Evidence.CreateCase(tx, cs, "custodian:ayesha"); err != nil {
			return err
		}
		_, err := a.Evidence.Register(tx, &s, "custodian:ayesha")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
