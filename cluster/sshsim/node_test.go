package sshsim

import (
	"bytes"
	"net"
	"strings"
	"testing"
)

// TestRun: the simulated commands do what the benchmarks rely on, and any
// other command says it is not simulated.
func TestRun(t *testing.T) {
	n := newNode(&net.TCPAddr{IP: net.IPv4(127, 77, 0, 1), Port: 2222})
	run := func(cmd string, wantStatus int) string {
		t.Helper()
		var out, errOut bytes.Buffer
		if status := n.exec(cmd, &out, &errOut); status != wantStatus {
			t.Fatalf("%s: status %d (stderr %q), want %d", cmd, status, errOut.String(), wantStatus)
		}
		return out.String() + errOut.String()
	}
	if out := run("export DUCKTAPE_CMD=ab12-1:$$; export DUCKTAPE_OWNER='dt12/1-x.star::test_x'; echo 'hi there'", 0); out != "hi there\n" {
		t.Errorf("the account's exports and echo printed %q", out)
	}
	run("sleep 300 >> svc.log 2>&1 & echo $! > svc.pid", 0)
	if n.Processes() != 1 {
		t.Fatalf("%d processes after a background start, want 1", n.Processes())
	}
	if out := run("cat svc.log", 0); out != "started sleep 300\n" {
		t.Errorf("the log holds %q", out)
	}
	pid := strings.TrimSpace(run("cat svc.pid", 0))
	if out := run("ps -ww -o pid=,args=", 0); !strings.Contains(out, pid+" sleep 300\n") {
		t.Errorf("ps printed %q, without %s", out, pid)
	}
	run("if [ -d /proc/"+pid+" ]; then ...", 0)
	run("kill $(cat svc.pid)", 0)
	run("kill $(cat svc.pid)", 1)
	run("if [ -d /proc/"+pid+" ]; then ...", 1)
	run("cat missing.log", 1)
	if out := run("uname -a", 127); !strings.Contains(out, "not simulated: uname -a") {
		t.Errorf("an unknown command printed %q", out)
	}
}
