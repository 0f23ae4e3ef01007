package main

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ducktape-go/ducktape/cluster/sshtest"
	"github.com/ducktape-go/ducktape/host/hosttest"
)

// printedBytes is what the command of TestOutputMemoryIsBounded prints.
const printedBytes = 100_000_000

// maxPeakRSS is the most memory the driver may take for it: well above the
// cluster.MaxOutput (16 MiB) it keeps and the Go runtime's own, far below
// the 380 MB a driver that kept the whole output took (1.3 GB for 300 MB).
const maxPeakRSS = 250 << 20

// TestOutputMemoryIsBounded runs, through the binary, a test whose command
// prints 100 MB to ssh_output, on a local node and on an sshd node: the
// test gets the first 16 MiB, its log says the output was truncated and
// where all of it is, that file holds all 100 MB, and the driver's peak
// RSS (the kernel's accounting of the child process) stays bounded.
func TestOutputMemoryIsBounded(t *testing.T) {
	bin := hosttest.BuildDucktape(t)
	test := hosttest.WriteFile(t, t.TempDir(), "test_big_output.star", `
def test_big_output(ctx):
    out = ctx.cluster[0].account.ssh_output("yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 100000000")
    if len(out) != 16 * 1024 * 1024 or not out.startswith("0123456789abcdefghijklmnopqrstuvwxyz\n"):
        fail("ssh_output returned %d bytes: %s..." % (len(out), out[:80]))
`)
	for _, provider := range []string{"local", "ssh"} {
		t.Run(provider, func(t *testing.T) {
			results := filepath.Join(t.TempDir(), "results")
			args := []string{"--no-color", "--results-root", results}
			if provider == "ssh" {
				args = append(args, "--cluster-file", sshtest.Start(t, 1).ClusterFile)
			}
			cmd := exec.Command(bin, append(args, test)...)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("ducktape: %v\n%s", err, out)
			}
			peak := int64(cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) << 10 // KiB on Linux
			t.Logf("peak RSS of the driver: %d MiB for %d MB printed", peak>>20, printedBytes/1_000_000)
			if peak > maxPeakRSS {
				t.Errorf("the driver's peak RSS was %d MiB; want at most %d MiB", peak>>20, maxPeakRSS>>20)
			}
			var spills []string
			filepath.WalkDir(results, func(path string, d fs.DirEntry, err error) error {
				if err == nil && strings.HasPrefix(d.Name(), "ssh_output-") {
					spills = append(spills, path)
				}
				return err
			})
			if len(spills) != 1 {
				t.Fatalf("ssh_output files in the session: %v; want one", spills)
			}
			if info, err := os.Stat(spills[0]); err != nil || info.Size() != printedBytes {
				t.Errorf("%s: %v, %v; want all %d bytes", spills[0], info, err, printedBytes)
			}
			log, err := os.ReadFile(filepath.Join(filepath.Dir(spills[0]), "test_log.info"))
			if err != nil {
				t.Fatal(err)
			}
			want := "output truncated: 95.4 MiB printed by \"yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 100000000\", the first 16.0 MiB returned; the whole output is in " + filepath.Base(spills[0])
			if !strings.Contains(string(log), want) {
				t.Errorf("the test's log lacks %q:\n%s", want, log)
			}
		})
	}
}
