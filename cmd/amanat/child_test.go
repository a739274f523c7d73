package main

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"testing"
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
