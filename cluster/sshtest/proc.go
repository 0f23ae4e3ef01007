package sshtest

import (
	"os"
	"strconv"
	"strings"
)

// processesOf returns the pids of the processes whose real uid is uid.
func processesOf(uid int) []int {
	return scanProc(func(status string) bool { return statusField(status, "Uid:") == strconv.Itoa(uid) })
}

// sshdDescendants returns the pids of the sshd processes below parent: the
// per-connection monitors and, below them, the processes that hold the
// connections after login (the shells and commands they started are not
// sshd and are left out).
func sshdDescendants(parent int) []int {
	var out []int
	for next := []int{parent}; len(next) > 0; {
		p := next[0]
		next = next[1:]
		for _, child := range scanProc(func(status string) bool { return statusField(status, "PPid:") == strconv.Itoa(p) }) {
			if comm, err := os.ReadFile("/proc/" + strconv.Itoa(child) + "/comm"); err == nil && strings.TrimSpace(string(comm)) == "sshd" {
				out = append(out, child)
				next = append(next, child)
			}
		}
	}
	return out
}

// scanProc returns the pids whose /proc/PID/status satisfies keep.
func scanProc(keep func(status string) bool) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		status, err := os.ReadFile("/proc/" + e.Name() + "/status")
		if err == nil && keep(string(status)) {
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
