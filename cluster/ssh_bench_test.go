package cluster_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/cluster/sshsim"
	"github.com/ducktape-go/ducktape/cluster/sshtest"
	"github.com/ducktape-go/ducktape/host/hosttest"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// Benchmarks of the SSH provider against sshtest nodes; see
// docs/performance.md ("SSH cluster") for figures and how to run them.

func openBench(b *testing.B, ns *sshtest.Nodes) *cluster.Cluster {
	c, err := cluster.Open(cluster.Options{File: ns.ClusterFile})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return c
}

// BenchmarkSSHSequential: one `true` after another on one node, through
// ducktape's account, a bare x/crypto/ssh session on a reused connection,
// and the OpenSSH client multiplexed by ControlMaster.
func BenchmarkSSHSequential(b *testing.B) {
	ns := sshtest.Start(b, 1)
	ctx := context.Background()
	b.Run("ducktape", func(b *testing.B) {
		acct := openBench(b, ns).Nodes()[0].Account
		acct.SSH(ctx, "true", false) // connect
		cpu := startCPU(b)
		for range b.N {
			if _, err := acct.SSH(ctx, "true", false); err != nil {
				b.Fatal(err)
			}
		}
		cpu.report()
	})
	b.Run("bare-x-crypto-ssh", func(b *testing.B) {
		client := bareClient(b, ns, 0)
		benchBareTrue(b, client)
	})
	b.Run("openssh-controlmaster", func(b *testing.B) {
		control := filepath.Join(b.TempDir(), "cm")
		args := []string{"-F", ns.SSHConfig, "-o", "BatchMode=yes", "-o", "ControlMaster=auto", "-o", "ControlPath=" + control, "-o", "ControlPersist=60"}
		b.Cleanup(func() { exec.Command("ssh", append(args, "-O", "exit", "node1")...).Run() })
		run := func() {
			if out, err := exec.Command("ssh", append(args, "node1", "true")...).CombinedOutput(); err != nil {
				b.Fatalf("ssh: %v\n%s", err, out)
			}
		}
		run() // start the master
		b.ResetTimer()
		for range b.N {
			run()
		}
	})
}

// BenchmarkSSHCommandEndToEnd: node.account.ssh("true") one after another
// from a Starlark test run by the runner (argument unpacking, the
// interpreter lock, the test's debug log, the owner's mark, the command's
// token, the pool); the same command through the Go account alone
// (RemoteAccount.SSH); and, the floor, `true` in bare x/crypto/ssh sessions
// on a connection of its own to the same sshd node. The three alternate in
// rounds of the same number of commands, so that all see the same load; b.N
// is the number of commands of each. Metrics, per command: the wall time of
// each (the test's is timed inside it) and its ratio to the floor, and the
// driver's CPU of each (the test's less that of a test of one command: the
// runner's own set-up, and its kill of the test's leftovers on the node).
//
//	go test ./cluster -run '^$' -bench SSHCommandEndToEnd -benchtime 2000x -count 6
func BenchmarkSSHCommandEndToEnd(b *testing.B) {
	ns := sshtest.Start(b, 1)
	cl := openBench(b, ns)
	acct := cl.Nodes()[0].Account
	client := bareClient(b, ns, 0)
	const rounds = 20
	per := max(b.N/rounds, 1)
	// starlark runs the test with n commands and returns the seconds its
	// loop took and the driver's CPU for the whole run.
	starlark := func(n int) (float64, time.Duration) {
		runtime.GC()
		cpu := sshsim.ProcessCPU()
		rep, _ := hosttest.RunFile(b, cl, "testdata/bench_commands.star", hosttest.Options{Parameters: map[string]any{"commands": n}})
		var data struct{ Seconds float64 }
		if err := json.Unmarshal(rep.Results[0].Data, &data); err != nil {
			b.Fatal(err)
		}
		return data.Seconds, sshsim.ProcessCPU() - cpu
	}
	// timed runs fn and returns its wall time and the driver's CPU. Each
	// phase starts on a collected heap, so that the garbage of one (the
	// runner makes a lot) is not collected on another's time.
	timed := func(fn func()) (float64, time.Duration) {
		runtime.GC()
		start, cpu := time.Now(), sshsim.ProcessCPU()
		fn()
		return time.Since(start).Seconds(), sshsim.ProcessCPU() - cpu
	}
	goTrue := func() {
		for range per {
			if _, err := acct.SSH(context.Background(), "true", false); err != nil {
				b.Fatal(err)
			}
		}
	}
	starlark(1) // connect, warm up
	bareTrue(b, client, per)
	b.ResetTimer()
	var wall, cpu [3]float64 // starlark, go, bare
	for range rounds {
		_, runner := starlark(1)
		sec, c := starlark(per + 1)
		sec *= float64(per) / float64(per+1)
		wall[0], cpu[0] = wall[0]+sec, cpu[0]+(c-runner).Seconds()
		sec, c = timed(goTrue)
		wall[1], cpu[1] = wall[1]+sec, cpu[1]+c.Seconds()
		sec, c = timed(func() { bareTrue(b, client, per) })
		wall[2], cpu[2] = wall[2]+sec, cpu[2]+c.Seconds()
	}
	b.StopTimer()
	ms := func(s float64) float64 { return s * 1000 / float64(rounds*per) }
	for i, name := range []string{"starlark", "go", "bare"} {
		b.ReportMetric(ms(wall[i]), name+"-ms/cmd")
		b.ReportMetric(ms(cpu[i]), name+"-cpu-ms/cmd")
	}
	b.ReportMetric(wall[0]/wall[2], "starlark/bare")
	b.ReportMetric(wall[1]/wall[2], "go/bare")
}

// bareClient dials node i with x/crypto/ssh alone.
func bareClient(b *testing.B, ns *sshtest.Nodes, i int) *ssh.Client {
	n := ns.Nodes[i]
	client, err := bareDialer(b, ns.Files)(sshtest.Host{Addr: n.Addr, Port: n.Port, User: n.User})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { client.Close() })
	return client
}

// bareDialer returns a function that dials a host with x/crypto/ssh alone,
// with the key and known_hosts of files (read once).
func bareDialer(b *testing.B, files sshtest.Files) func(sshtest.Host) (*ssh.Client, error) {
	key, err := os.ReadFile(files.Key)
	if err != nil {
		b.Fatal(err)
	}
	signer, err := ssh.ParsePrivateKey(key)
	if err != nil {
		b.Fatal(err)
	}
	hk, err := knownhosts.New(files.KnownHosts)
	if err != nil {
		b.Fatal(err)
	}
	return func(h sshtest.Host) (*ssh.Client, error) {
		addr := net.JoinHostPort(h.Addr, strconv.Itoa(h.Port))
		return ssh.Dial("tcp", addr, &ssh.ClientConfig{User: h.User, Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)}, HostKeyCallback: hk})
	}
}

// BenchmarkSSHConcurrent50: 50 commands at once on one node (one op = all 50 done).
func BenchmarkSSHConcurrent50(b *testing.B) {
	acct := openBench(b, sshtest.Start(b, 1)).Nodes()[0].Account
	ctx := context.Background()
	acct.SSH(ctx, "true", false)
	b.ResetTimer()
	for range b.N {
		parallel(b, 50, func(int) error { _, err := acct.SSH(ctx, "true", false); return err })
	}
}

// BenchmarkSSH10Nodes: one command on each of 10 nodes at once.
func BenchmarkSSH10Nodes(b *testing.B) {
	nodes := openBench(b, sshtest.Start(b, 10)).Nodes()
	ctx := context.Background()
	parallel(b, 10, func(i int) error { _, err := nodes[i].Account.SSH(ctx, "true", false); return err })
	b.ResetTimer()
	for range b.N {
		parallel(b, 10, func(i int) error { _, err := nodes[i].Account.SSH(ctx, "true", false); return err })
	}
}

func parallel(b *testing.B, n int, f func(int) error) {
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = f(i) }()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSFTP200MB: copy_to and copy_from of a 200 MB file, and scp the
// same file each way for comparison.
func BenchmarkSFTP200MB(b *testing.B) {
	const size = 200 << 20
	ns := sshtest.Start(b, 1)
	acct := openBench(b, ns).Nodes()[0].Account
	ctx := context.Background()
	dir := b.TempDir()
	src := benchFile(b, dir, size)
	b.Cleanup(func() { acct.Remove(ctx, "dt-bench.bin", true) })
	n := ns.Nodes[0]
	scpArgs := []string{"-q", "-F", ns.SSHConfig, "-o", "BatchMode=yes"}
	for _, tc := range []struct {
		name string
		run  func() error
	}{
		{"copy_to", func() error { return acct.CopyTo(ctx, src, "dt-bench.bin") }},
		{"copy_from", func() error { return acct.CopyFrom(ctx, "dt-bench.bin", filepath.Join(dir, "back.bin")) }},
		{"scp-upload", func() error { return command("scp", append(scpArgs, src, n.Name+":dt-bench.bin")...) }},
		{"scp-download", func() error {
			return command("scp", append(scpArgs, n.Name+":dt-bench.bin", filepath.Join(dir, "back.bin"))...)
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(size)
			for range b.N {
				if err := tc.run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchFile writes a file of size bytes (a multiple of 1 MiB) into dir
// and returns its path.
func benchFile(b *testing.B, dir string, size int) string {
	src := filepath.Join(dir, "src.bin")
	f, err := os.Create(src)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 1<<20)
	for i := range chunk {
		chunk[i] = byte(i * 31)
	}
	for range size / len(chunk) {
		if _, err := f.Write(chunk); err != nil {
			b.Fatal(err)
		}
	}
	return src
}

func command(name string, args ...string) error {
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %v\n%s", name, err, out)
	}
	return nil
}

// benchBareTrue runs `true` b.N times in sessions of a bare x/crypto/ssh
// client, the reference beside ducktape's commands, reporting CPU per op.
func benchBareTrue(b *testing.B, client *ssh.Client) {
	cpu := startCPU(b)
	bareTrue(b, client, b.N)
	cpu.report()
}

// bareTrue runs `true` n times, one after another, each in a session of
// its own on client.
func bareTrue(b *testing.B, client *ssh.Client, n int) {
	for range n {
		s, err := client.NewSession()
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Run("true"); err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}
