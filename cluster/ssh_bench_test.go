package cluster_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/cluster/sshtest"
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
	for range b.N {
		s, err := client.NewSession()
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Run("true"); err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
	cpu.report()
}
