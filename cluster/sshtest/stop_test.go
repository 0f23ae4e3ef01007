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
	named := func(comm string) []int {
		var pids []int
		for _, pid := range processesOf(uid) {
			status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
			if err == nil && statusField(string(status), "Name:") == comm && statusField(string(status), "State:") != "Z" {
				pids = append(pids, pid)
			}
		}
		return pids
	}
	for deadline := time.Now().Add(10 * time.Second); len(named("sleep")) == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the command never started on node1")
		}
	}
	ns.Stop(1)
	if pids := named("sshd"); len(pids) > 0 {
		t.Errorf("sshd processes of the logged-in connection survive Stop: %v", pids)
	}
}
