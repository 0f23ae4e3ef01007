package sshsim

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/cluster/sshtest"
)

// Nodes are simulated nodes served by a child sshsimd process, described
// by sshtest.Files (ClusterFile, KnownHosts, Key).
type Nodes struct {
	sshtest.Files
	Hosts []sshtest.Host
}

// Start builds sshsimd and runs it with n nodes for the benchmark; it is
// stopped at the benchmark's end. It raises this process's RLIMIT_NOFILE
// to its hard limit, since every node holds a connection.
func Start(tb testing.TB, n int) *Nodes {
	tb.Helper()
	if err := RaiseFileLimit(); err != nil {
		tb.Fatal(err)
	}
	files := sshtest.NewFiles(tb)
	bin := filepath.Join(files.Dir, "sshsimd")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/ducktape-go/ducktape/cluster/sshsim/sshsimd").CombinedOutput(); err != nil {
		tb.Fatalf("go build sshsimd: %v\n%s", err, out)
	}
	hostKeyFile := filepath.Join(files.Dir, "hostkey")
	hostKey := sshtest.WriteKey(tb, hostKeyFile)
	cmd := exec.Command(bin, "-n", fmt.Sprint(n), "-hostkey", hostKeyFile, "-authorized", files.AuthorizedKeys)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		stdin.Close() // sshsimd ends when its standard input does
		cmd.Wait()
	})
	ns := &Nodes{Files: files}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && sc.Text() != "ready" {
		h := sshtest.Host{Name: fmt.Sprintf("sim%d", len(ns.Hosts)+1), User: "sim", HostKey: hostKey}
		if _, err := fmt.Sscanf(sc.Text(), "%s %d", &h.Addr, &h.Port); err != nil {
			tb.Fatalf("sshsimd printed %q", sc.Text())
		}
		ns.Hosts = append(ns.Hosts, h)
	}
	if len(ns.Hosts) != n {
		tb.Fatalf("sshsimd started %d of %d nodes", len(ns.Hosts), n)
	}
	files.WriteCluster(tb, ns.Hosts)
	return ns
}

// RaiseFileLimit raises the soft RLIMIT_NOFILE to the hard limit.
func RaiseFileLimit() error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return err
	}
	lim.Cur = lim.Max
	return syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
}

// ProcessCPU returns the CPU time (user and system) this process has used:
// the driver's, since the nodes run in sshsimd.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
