package sshtest

import (
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// TestStopKillsLoggedInSessions checks that Stop leaves no sshd process of
// a logged-in connection running (the one below sshd's child holds the
// connection and would serve new commands on it for a while). Killed ones
// may linger as zombies until init reaps them.
func TestStopKillsLoggedInSessions(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs the nodes' own users, so root, to tell their processes apart")
	}
	ns := Start(t, 1)
	n := ns.Nodes[0]
	client := exec.Command("ssh", "-F", ns.SSHConfig, "-o", "BatchMode=yes", "node1", "sleep 31.5")
	if err := client.Start(); err != nil {
		t.Fatal(err)
	}
	defer client.Wait()
	uid, _ := lookupIDs(t, n.User)
	status := func(pid int) string {
		b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
		return string(b)
	}
	// The connection's sshd processes: the sshd ancestors of its command
	// (the node's listener too). (Other packages' tests may run sshtest nodes, whose users
	// are the same, at the same time: the user's other sshd processes are
	// not this connection's.)
	var sessions []int
	for deadline := time.Now().Add(10 * time.Second); len(sessions) == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the command never started on node1")
		}
		for _, pid := range processesOf(uid) {
			cmdline, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
			if string(cmdline) != "sleep\x0031.5\x00" {
				continue
			}
			for p := pid; p > 1; {
				p, _ = strconv.Atoi(statusField(status(p), "PPid:"))
				if statusField(status(p), "Name:") == "sshd" {
					sessions = append(sessions, p)
				}
			}
		}
	}
	ns.Stop(1)
	for _, pid := range sessions {
		if !exited(pid) {
			t.Errorf("sshd process %d of the logged-in connection survives Stop (its chain: %v)", pid, sessions)
		}
	}
}
