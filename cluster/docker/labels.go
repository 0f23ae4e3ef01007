package docker

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Labels on everything the provider creates. A cluster's containers and its
// network carry labelCluster (its id) and labelDriver (who created them);
// the default image carries labelImage.
const (
	labelCluster = "ducktape.cluster"
	labelDriver  = "ducktape.driver" // "<hostname>:<pid>" of the driver process
	labelKeep    = "ducktape.keep"   // "true" when the cluster was kept on purpose
	labelImage   = "ducktape.image"  // "default" on the default image
)

// driverID identifies this driver process in labelDriver.
func driverID() string {
	host, _ := os.Hostname()
	return host + ":" + strconv.Itoa(os.Getpid())
}

// driverGone reports whether the driver named by a labelDriver value has
// ended: it ran on this machine and its process no longer exists. A driver
// of another machine is never reported gone (it cannot be checked).
func driverGone(label string) bool {
	host, pidText, ok := strings.Cut(label, ":")
	me, _ := os.Hostname()
	pid, err := strconv.Atoi(pidText)
	if !ok || err != nil || host != me {
		return false
	}
	_, err = os.Stat(fmt.Sprintf("/proc/%d", pid))
	return os.IsNotExist(err)
}
