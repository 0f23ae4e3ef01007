package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// runREPL runs `ducktape repl args...` in-process with input piped in.
func runREPL(t *testing.T, input string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	gs := &globalState{
		ctx:    context.Background(),
		args:   append([]string{"repl", "--local-nodes", "2"}, args...),
		stdin:  strings.NewReader(input),
		stdout: &out,
		stderr: &errOut,
		getenv: func(string) string { return "" },
		now:    time.Now,
	}
	code = execute(gs)
	return code, out.String(), errOut.String()
}

func TestReplThroughAPipe(t *testing.T) {
	code, out, errOut := runREPL(t, "len(nodes)\nsh(\"echo hi\")\n")
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	if want := "2\n--- local1 ---\nhi\n--- local2 ---\nhi\n"; out != want {
		t.Errorf("stdout = %q, want %q", out, want)
	}

	code, out, errOut = runREPL(t, "nodes[0].account.ssh(\"exit 7\")\n\"after\"\n", "--nodes", "1")
	if code != exitTestFailed || out != "\"after\"\n" || !strings.Contains(errOut, "exit status 7") {
		t.Errorf("a failed input: exit %d, stdout %q, stderr:\n%s", code, out, errOut)
	}
}

func TestReplUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"--nodes", "3"}, {"--nodes", "-1"}, {filepath.Join(t.TempDir(), "missing.star")}, {"a.star", "b.star"}} {
		if code, _, errOut := runREPL(t, "", args...); code != exitUsage || errOut == "" {
			t.Errorf("repl %v: exit %d, stderr %q; want exit %d with a message", args, code, errOut, exitUsage)
		}
	}
}

// terminal is `ducktape repl` on a pseudo-terminal, as a person uses it.
type terminal struct {
	t    *testing.T
	cmd  *exec.Cmd
	pty  *os.File
	home string

	mu   sync.Mutex
	out  bytes.Buffer // everything the REPL wrote, escape sequences removed
	seen int          // how much of out expect has consumed
	done chan struct{}
}

// startTerminal starts the binary's repl on a pseudo-terminal, with a home
// directory of its own, and waits for the prompt.
func startTerminal(t *testing.T, bin string) *terminal {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(bin, "repl", "--local-nodes", "2")
	cmd.Dir = home
	cmd.Env = append(os.Environ(), "HOME="+home, "TERM=xterm")
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 200})
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	term := &terminal{t: t, cmd: cmd, pty: f, home: home, done: make(chan struct{})}
	go term.read()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		f.Close()
	})
	term.expect(">>> ")
	return term
}

var escapes = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]|\r`)

func (term *terminal) read() {
	defer close(term.done)
	buf := make([]byte, 4096)
	for {
		n, err := term.pty.Read(buf)
		term.mu.Lock()
		term.out.Write(buf[:n])
		term.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// send types keys.
func (term *terminal) send(keys string) {
	term.t.Helper()
	if _, err := io.WriteString(term.pty, keys); err != nil {
		term.t.Fatal(err)
	}
}

// expect waits until the REPL has written want after what earlier expects
// consumed, and consumes up to its end.
func (term *terminal) expect(want string) {
	term.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		term.mu.Lock()
		text := escapes.ReplaceAllString(term.out.String(), "")
		i := strings.Index(text[min(term.seen, len(text)):], want)
		if i >= 0 {
			term.seen += i + len(want)
		}
		term.mu.Unlock()
		if i >= 0 {
			return
		}
		if time.Now().After(deadline) {
			term.t.Fatalf("the terminal never showed %q; it shows:\n%s", want, text[min(term.seen, len(text)):])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestReplOnATerminal(t *testing.T) {
	term := startTerminal(t, buildBinary(t))

	term.send("6 * 7\r")
	term.expect("42\n>>> ")

	term.send("1 // 0\r")
	term.expect("Traceback (most recent call last):")
	term.expect("floored division by zero\n>>> ")

	term.send("def triple(x):\r")
	term.expect("... ")
	term.send("    return 3 * x\r")
	term.expect("... ")
	term.send("\r") // a blank line ends the block
	term.send("triple(_)\r")
	term.expect("126\n>>> ")

	term.send("nodes[0].account.ssh_o\t")
	term.expect("ssh_output")
	term.send("(\"echo hi\")\r")
	term.expect(`"hi\n"` + "\n>>> ")

	term.send("nodes[1].account.s\t\t")
	term.expect("signal ssh ssh_capture ssh_hostname ssh_output")
	term.send("\x15") // Ctrl-U: kill the line
	term.send("half typed\x03")
	term.expect("^C\n>>> ")

	term.send("nodes[0].account.ssh(\"sleep 30\")\r")
	time.Sleep(500 * time.Millisecond) // the command is running
	start := time.Now()
	term.send("\x03")
	term.expect("Traceback")
	term.expect(">>> ")
	if took := time.Since(start); took > time.Second {
		t.Errorf("Ctrl-C took %s to cancel the remote command", took)
	}
	term.send("\"still\" + \" here\"\r")
	term.expect(`"still here"`)
}

func TestReplLeavesCleanly(t *testing.T) {
	bin := buildBinary(t)
	term := startTerminal(t, bin)
	term.send("nodes[0].account.ssh(\"nohup sleep 987 > /dev/null 2>&1 &\")\r")
	term.expect("0\n>>> ")
	term.send("len(nodes[0].account.pids(\"sleep 987\"))\r")
	term.expect("1\n>>> ")
	term.send("\x04") // Ctrl-D
	select {
	case <-term.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the REPL did not leave on Ctrl-D")
	}
	if err := term.cmd.Wait(); err != nil {
		t.Errorf("exit: %v", err)
	}
	history, err := os.ReadFile(filepath.Join(term.home, ".ducktape", "repl_history"))
	if err != nil || !strings.Contains(string(history), "sleep 987") {
		t.Errorf("history: %q, %v", history, err)
	}
	if _, err := exec.LookPath("pgrep"); err != nil {
		t.Log("no pgrep: not checking that the node's processes were killed")
	} else if out, _ := exec.Command("pgrep", "-f", "sleep 987").Output(); len(out) > 0 {
		t.Errorf("a process started from a node outlived the session: %s", out)
	}

	term = startTerminal(t, bin)
	term.send("exit()\r")
	select {
	case <-term.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the REPL did not leave on exit()")
	}
	if err := term.cmd.Wait(); err != nil {
		t.Errorf("exit: %v", err)
	}
}
