package faults

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/kballard/go-shellquote"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/services/faults/lazyfs"
)

// The storage faults run the lazyfs helper on the node: the driver's own
// binary (ducktape, or a test binary that serves it, see
// lazyfs.MainIfHelper), run in place on local nodes and copied elsewhere
// once per session, named by its content hash.

// helperDir is where the helper's binary is copied on a node that is not
// local: /var/tmp survives reboots, so the copy is made once per version.
const helperDir = "/var/tmp"

// nodeHelper is the helper on one node of this session. Its fields are set
// once, by install.
type nodeHelper struct {
	once   sync.Once
	bin    string // the binary's path on the node
	sudo   string // "sudo -n " when the login user is not root
	asRoot error  // why the helper cannot run as root (nil: it can)
	local  string // the node's working directory when it is a local node
	err    error

	probeOnce sync.Once
	probeErr  error // why the node cannot mount (nil: it can)

	mu   sync.Mutex
	reap []string // what the helper's reap removed, until a caller takes it
}

// takeReaped returns what the node's reap removed, to the first caller.
func (h *nodeHelper) takeReaped() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	notes := h.reap
	h.reap = nil
	return notes
}

// helpers maps a node's account (one per node and session) to its helper.
var helpers sync.Map // *cluster.RemoteAccount -> *nodeHelper

// executable is the driver's binary and its content hash, found once.
var executable = sync.OnceValues(func() ([2]string, error) {
	path, err := os.Executable()
	if err != nil {
		return [2]string{}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return [2]string{}, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return [2]string{}, err
	}
	return [2]string{path, hex.EncodeToString(h.Sum(nil))[:16]}, nil
})

// unameArch is `uname -m` for each GOARCH the helper can run as.
var unameArch = map[string][]string{
	"amd64": {"x86_64"}, "arm64": {"aarch64", "arm64"}, "386": {"i386", "i686"},
	"arm": {"armv7l", "armv6l"}, "ppc64le": {"ppc64le"}, "s390x": {"s390x"}, "riscv64": {"riscv64"},
}

// helperOn returns node n's helper, installing it the first time in the
// session: the binary is checked against the node's system, copied unless
// the node is local or has it, and run once to remove what killed
// sessions left (lazyfs.Reap), whose report it keeps for the first caller.
func (r *Registry) helperOn(ctx context.Context, n *cluster.Node) (*nodeHelper, error) {
	v, _ := helpers.LoadOrStore(n.Account, &nodeHelper{})
	h := v.(*nodeHelper)
	h.once.Do(func() { h.err = h.install(ctx, r, n) })
	return h, h.err
}

func (h *nodeHelper) install(ctx context.Context, r *Registry, n *cluster.Node) error {
	if !lazyfs.Enabled() {
		return fmt.Errorf("this binary cannot run the lazyfs helper (a test binary must call lazyfs.MainIfHelper in its TestMain)")
	}
	exe, err := executable()
	if err != nil {
		return fmt.Errorf("finding the driver's binary: %w", err)
	}
	info, err := r.probe(ctx, n)
	if err != nil {
		return err
	}
	if info.priv == "none" {
		h.asRoot = fmt.Errorf("%s: its login user (uid %s) is neither root nor allowed passwordless sudo: lazy file systems are mounted by a helper running as root", n.Name, info.uid)
	}
	h.sudo = info.sudo()
	out, err := n.Account.Output(ctx, "uname -s; uname -m", cluster.OutputOptions{})
	if err != nil {
		return err
	}
	if f := strings.Fields(out); len(f) != 2 || f[0] != "Linux" || runtime.GOOS != "linux" || !slices.Contains(unameArch[runtime.GOARCH], f[1]) {
		return fmt.Errorf("%s runs %s, and this ducktape binary is for %s/%s: storage faults run the driver's binary on the node (build ducktape for the node's system)",
			n.Name, strings.Join(f, " "), runtime.GOOS, runtime.GOARCH)
	}
	fsys, err := n.Account.Account().FS(ctx)
	if err != nil {
		return err
	}
	if dir, ok := fsys.(cluster.LocalFS); ok {
		h.local, h.bin = string(dir), exe[0]
	} else if h.bin, err = copyHelper(ctx, n, exe[0], exe[1]); err != nil {
		return err
	}
	if h.asRoot != nil {
		return nil // corrupt runs as the login user; nothing of this user's can be left mounted
	}
	out, err = n.Account.Output(ctx, h.cmd("reap"), cluster.OutputOptions{})
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var rep lazyfs.Reaped
		if line != "" && json.Unmarshal([]byte(line), &rep) == nil {
			h.reap = append(h.reap, fmt.Sprintf("%s: removed the lazy file system at %s, left by an earlier session: %s", n.Name, rep.Mount, rep.Action))
		}
	}
	return nil
}

// copyHelper copies the binary at path to the node, as
// helperDir/ducktape-helper-<hash>, unless it is there, and returns its
// path there. The copy is renamed into place, so a binary under that name
// is whole.
func copyHelper(ctx context.Context, n *cluster.Node, path, hash string) (string, error) {
	dest := helperDir + "/ducktape-helper-" + hash
	if ok, err := n.Account.IsFile(ctx, dest); err != nil || ok {
		return dest, err
	}
	// A name of its own: nodes of one machine (with other login users,
	// in /var/tmp, which is sticky) copy at the same time.
	suffix := make([]byte, 6)
	rand.Read(suffix) // never fails (crypto/rand)
	tmp := dest + "." + hex.EncodeToString(suffix) + ".tmp"
	if err := n.Account.CopyTo(ctx, path, tmp); err != nil {
		return "", fmt.Errorf("copying the lazyfs helper (the ducktape binary) to %s: %w", n.Name, err)
	}
	// Where another user's copy won the race, the sticky directory keeps
	// theirs: use it.
	_, err := n.Account.SSH(ctx, fmt.Sprintf("chmod 755 %[1]s && { mv -f %[1]s %[2]s 2>/dev/null || { [ -x %[2]s ] && rm -f %[1]s; }; }", tmp, dest), false)
	return dest, err
}

// HelperCopy returns the path at which nodes that are not local keep their
// copy of this binary as the lazyfs helper (for tests that remove it).
func HelperCopy() (string, error) {
	exe, err := executable()
	return helperDir + "/ducktape-helper-" + exe[1], err
}

// cmd returns the shell command that runs the helper with args, as root.
// The owner mark survives sudo, so the test's leftover check covers the
// helper too.
func (h *nodeHelper) cmd(args ...string) string {
	env := ""
	if h.sudo != "" {
		env = cluster.OwnerEnv + `="$` + cluster.OwnerEnv + `" `
	}
	return h.sudo + "env " + env + lazyfs.HelperEnv + "=1 " + shellquote.Join(append([]string{h.bin, "lazyfs"}, args...)...)
}

// call runs `lazyfs <cmd> <args>` on n and decodes its one line of JSON
// output into out; an {"error": ...} it prints is returned as an error
// naming the node.
func (h *nodeHelper) call(ctx context.Context, n *cluster.Node, out any, args ...string) error {
	text, err := n.Account.Output(ctx, h.cmd(args...), cluster.OutputOptions{AllowFail: true})
	if err != nil {
		return err
	}
	var failed struct {
		Error string `json:"error"`
	}
	line := strings.TrimSpace(text)
	if json.Unmarshal([]byte(line), &failed) != nil {
		return fmt.Errorf("%s: the lazyfs helper answered %q", n.Name, line)
	}
	if failed.Error != "" {
		return fmt.Errorf("%s: %s", n.Name, failed.Error)
	}
	if out != nil {
		return json.Unmarshal([]byte(line), out)
	}
	return nil
}

// ctl sends req to the helper listening on socket.
func (h *nodeHelper) ctl(ctx context.Context, n *cluster.Node, socket string, req lazyfs.Request) (lazyfs.Response, error) {
	data, err := json.Marshal(req)
	if err != nil {
		return lazyfs.Response{}, err
	}
	var resp lazyfs.Response
	err = h.call(ctx, n, &resp, "ctl", socket, string(data))
	return resp, err
}

// rootHelperOn returns node n's helper when it can run as root, which
// mounting needs.
func (r *Registry) rootHelperOn(ctx context.Context, n *cluster.Node) (*nodeHelper, error) {
	h, err := r.helperOn(ctx, n)
	if err == nil {
		err = h.asRoot
	}
	return h, err
}

// probeFUSE says why n cannot mount a lazy file system, or returns nil;
// it asks the node once per session.
func (r *Registry) probeFUSE(ctx context.Context, n *cluster.Node) error {
	h, err := r.rootHelperOn(ctx, n)
	if err != nil {
		return err
	}
	h.probeOnce.Do(func() {
		if err := h.call(ctx, n, nil, "probe"); err != nil {
			h.probeErr = withFUSEHint(err)
		}
	})
	return h.probeErr
}

// withFUSEHint adds to a failure to mount what the node probably lacks.
func withFUSEHint(err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "/dev/fuse"):
		return fmt.Errorf("%w (the node has no FUSE device: a host needs the fuse kernel module; docker nodes get /dev/fuse when the engine's host has it, see docs/faults.md)", err)
	case strings.Contains(msg, "operation not permitted"), strings.Contains(msg, "permission denied"):
		return fmt.Errorf("%w (mounting needs root with CAP_SYS_ADMIN; docker nodes get SYS_ADMIN, but an AppArmor or SELinux policy on the engine's host may still forbid mounts: see docs/faults.md)", err)
	}
	return err
}

// StorageReady reports why lazyfs and its faults cannot work on nodes (one
// line per node that lacks something), or nil when they can: for a test to
// skip itself where its storage faults could not act.
func (r *Registry) StorageReady(ctx context.Context, nodes []*cluster.Node) error {
	errs := make([]error, len(nodes))
	forEach(nodes, func(i int, n *cluster.Node) error {
		errs[i] = r.probeFUSE(ctx, n)
		return nil
	})
	var lines []string
	for _, err := range errs {
		if err != nil {
			lines = append(lines, err.Error())
		}
	}
	if len(lines) > 0 {
		return errors.New("storage faults need nodes that can mount FUSE file systems as root:\n  " + strings.Join(lines, "\n  "))
	}
	return nil
}
