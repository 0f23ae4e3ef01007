package sshtest

import (
	"os"
	"strconv"
	"strings"
)

// processesOf returns the pids of the processes whose real uid is uid.
func processesOf(uid int) []int {
	return scanProc(func(_ int, status string) bool { return statusField(status, "Uid:") == strconv.Itoa(uid) })
}

// sshdProcessesUnder returns the pids of the sshd processes below the
// listener root: each connection's privileged process and its unprivileged
// child, which holds the connection's socket too. The users' commands
// (children of the latter) are not among them.
func sshdProcessesUnder(root int) []int {
	parent := map[int]int{}
	sshd := map[int]bool{}
	scanProc(func(pid int, status string) bool {
		parent[pid], _ = strconv.Atoi(statusField(status, "PPid:"))
		sshd[pid] = strings.HasPrefix(statusField(status, "Name:"), "sshd")
		return false
	})
	var pids []int
	for pid := range sshd {
		for p := parent[pid]; sshd[pid] && p > 1; p = parent[p] {
			if p == root {
				pids = append(pids, pid)
				break
			}
		}
	}
	return pids
}

// scanProc returns the pids whose /proc/PID/status satisfies keep.
func scanProc(keep func(pid int, status string) bool) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		status, err := os.ReadFile("/proc/" + e.Name() + "/status")
		if err == nil && keep(pid, string(status)) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// statusField returns the first word of the line of status starting with key.
func statusField(status, key string) string {
	for _, line := range strings.Split(status, "\n") {
		if rest, ok := strings.CutPrefix(line, key); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				return f[0]
			}
		}
	}
	return ""
}

// exited reports whether process pid is gone or a zombie (dead, not yet
// reaped: a SIGKILLed process dies a moment after the signal).
func exited(pid int) bool {
	status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	return err != nil || statusField(string(status), "State:") == "Z"
}
