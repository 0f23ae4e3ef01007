package cluster

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// DriverProcess identifies this driver process, as providers record it on
// what they create (so that a prune can tell a killed session's leftovers
// from a running one's): "<hostname>:<pid>".
func DriverProcess() string { return DriverOf(os.Getpid()) }

// DriverOf is the [DriverProcess] value of process pid of this machine.
func DriverOf(pid int) string {
	host, _ := os.Hostname()
	return host + ":" + strconv.Itoa(pid)
}

// DriverProcessGone reports whether the driver a [DriverProcess] value
// names has ended: it ran on this machine and its process no longer
// exists. A driver of another machine is never reported gone (it cannot
// be checked).
func DriverProcessGone(driver string) bool {
	host, pidText, ok := strings.Cut(driver, ":")
	me, _ := os.Hostname()
	pid, err := strconv.Atoi(pidText)
	if !ok || err != nil || host != me {
		return false
	}
	_, err = os.Stat(fmt.Sprintf("/proc/%d", pid))
	return os.IsNotExist(err)
}
