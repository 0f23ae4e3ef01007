package clients_test

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/host"
	"github.com/ducktape-go/ducktape/host/hosttest"
	"github.com/ducktape-go/ducktape/services/clients"
)

// TestConnectionsDoNotLeak runs 1,000 tests that each open a Redis
// connection and an HTTP one and leave them open: the clients' count of
// open connections, and the process's open files, are the same after the
// 100th test as after the 1,000th (the runner closed every test's).
func TestConnectionsDoNotLeak(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 1,000 tests")
	}
	cl := hosttest.LocalCluster(t, 1)
	addr := cl.Nodes()[0].Account.Info().ExternallyRoutableIP
	redisPort := startRedis(t, addr)
	l, err := net.Listen("tcp", net.JoinHostPort(addr, "0"))
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	params := map[string]any{"redis_port": redisPort, "http_port": l.Addr().(*net.TCPAddr).Port}
	run := func(n int) (conns int64, files int) {
		rep, _ := hosttest.Run(t, cl, []string{"testdata/leak.star"}, hosttest.Options{Parameters: params,
			Configure: func(r *host.Runner) { r.Repeat = n }})
		if rep.NumPassed != n {
			t.Fatalf("%d of %d tests passed: %s", rep.NumPassed, n, rep.Results[0].Summary)
		}
		return clients.OpenConnections(), openFiles(t)
	}
	conns100, files100 := run(100)
	conns1000, files1000 := run(900)
	t.Logf("after 100 tests: %d client connections, %d open files; after 1,000: %d, %d", conns100, files100, conns1000, files1000)
	if conns100 != 0 || conns1000 != 0 {
		t.Errorf("client connections left open: %d after 100 tests, %d after 1,000", conns100, conns1000)
	}
	if files1000 > files100+10 {
		t.Errorf("open files grew from %d after 100 tests to %d after 1,000", files100, files1000)
	}
}

// startRedis starts a redis-server on addr at a free port for the test.
func startRedis(t *testing.T, addr string) int {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not installed (apt-get install -y redis-server)")
	}
	l, err := net.Listen("tcp", net.JoinHostPort(addr, "0"))
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, "--bind", addr, "--port", strconv.Itoa(port), "--save", "", "--appendonly", "no", "--dir", t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		c, err := net.Dial("tcp", net.JoinHostPort(addr, strconv.Itoa(port)))
		if err == nil {
			c.Close()
			return port
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not listen on %s:%d: %v", addr, port, err)
		}
	}
}

// openFiles counts this process's open file descriptors.
func openFiles(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir(filepath.Join("/proc", strconv.Itoa(os.Getpid()), "fd"))
	if err != nil {
		t.Fatal(err)
	}
	return len(fds)
}
