package faults

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kballard/go-shellquote"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/services/faults/lazyfs"
)

// LazyFS is a lazy file system mounted on a node for a test (see package
// lazyfs): the directory it covers keeps every write in memory until it is
// fsynced. The registry unmounts it in CloseStorage. Safe for concurrent
// use.
type LazyFS struct {
	node  *cluster.Node
	h     *nodeHelper
	ready lazyfs.Ready
	lines *cluster.Lines // the helper's output, drained until it exits
	ended chan struct{}  // closed when the helper has exited
	err   error          // how it ended, set before ended is closed

	mu        sync.Mutex
	rules     int // rule ids handed out
	unmounted bool
}

// Node returns the node the file system is mounted on.
func (l *LazyFS) Node() *cluster.Node { return l.node }

// Path returns the mount point: absolute, symbolic links resolved.
func (l *LazyFS) Path() string { return l.ready.Mount }

// Mounted reports whether it is still mounted.
func (l *LazyFS) Mounted() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return !l.unmounted
}

func (l *LazyFS) String() string {
	return fmt.Sprintf("lazy file system at %s on %s", l.Path(), l.node.Name)
}

// readyTimeout bounds the wait for a helper to mount.
const readyTimeout = time.Minute

// Lazyfs mounts a lazy file system over dir on node (relative to the
// node's working directory; created if missing), for the rest of the test.
// notes says what the node's first storage fault of the session cleaned
// up (mounts that killed sessions left). On a local node, dir must lie in
// the node's own directory, since the machine's other directories are
// every node's.
func (r *Registry) Lazyfs(ctx context.Context, node *cluster.Node, dir string) (l *LazyFS, notes []string, err error) {
	if dir == "" {
		return nil, nil, errors.New("no directory given")
	}
	if err := r.open(); err != nil {
		return nil, nil, err
	}
	h, err := r.rootHelperOn(ctx, node)
	if err != nil {
		return nil, nil, err
	}
	notes = h.takeReaped()
	if h.local != "" {
		abs := dir
		if !path.IsAbs(abs) {
			abs = path.Join(h.local, dir)
		}
		if !within(path.Clean(abs), h.local) {
			return nil, notes, fmt.Errorf("%s is a local node: its lazy file systems must lie in its own directory %s, not at %s (which every local node and the machine share)", node.Name, h.local, abs)
		}
	}
	lines := node.Account.Capture(context.WithoutCancel(ctx), h.cmd("serve", "--mount", dir), false, false)
	l = &LazyFS{node: node, h: h, lines: lines, ended: make(chan struct{})}
	first := make(chan string, 1)
	go l.drain(first)
	select {
	case line, ok := <-first:
		if ok && json.Unmarshal([]byte(line), &l.ready) == nil && l.ready.Error == "" && l.ready.Socket != "" {
			break
		}
		<-l.ended
		why := l.err
		if l.ready.Error != "" {
			why = withFUSEHint(errors.New(l.ready.Error))
		} else if why == nil {
			why = fmt.Errorf("the helper said %q", line)
		}
		return nil, notes, fmt.Errorf("%s: cannot mount a lazy file system at %s: %w", node.Name, dir, why)
	case <-time.After(readyTimeout):
		lines.Close()
		return nil, notes, fmt.Errorf("%s: the lazyfs helper did not mount %s within %s", node.Name, dir, readyTimeout)
	case <-ctx.Done():
		lines.Close()
		return nil, notes, ctx.Err()
	}
	r.mu.Lock()
	closed := r.closed
	if !closed {
		r.mounts = append(r.mounts, l)
	}
	r.mu.Unlock()
	if closed { // teardown began while it mounted
		return nil, notes, errors.Join(ErrClosed, l.unmount(context.WithoutCancel(ctx)))
	}
	return l, notes, nil
}

// drain sends the helper's first output line to first, then reads (and
// drops) whatever else it prints until it exits.
func (l *LazyFS) drain(first chan<- string) {
	line, ok := l.lines.Next()
	if ok {
		first <- line
	}
	close(first)
	for ok {
		_, ok = l.lines.Next()
	}
	l.err = l.lines.Err()
	close(l.ended)
}

// exitTimeout bounds the wait for a helper to exit once unmounted.
const exitTimeout = 30 * time.Second

// unmount unmounts the file system as a clean shutdown would (its
// unsynced writes are written), killing the processes that still use it,
// and waits for the helper to exit.
func (l *LazyFS) unmount(ctx context.Context) error {
	l.mu.Lock()
	done := l.unmounted
	l.unmounted = true
	l.mu.Unlock()
	if done {
		return nil
	}
	_, err := l.h.ctl(ctx, l.node, l.ready.Socket, lazyfs.Request{Op: "unmount"})
	select {
	case <-l.ended:
	case <-time.After(exitTimeout):
		l.lines.Close()
		err = errors.Join(err, fmt.Errorf("%s: the lazyfs helper did not exit within %s of unmounting %s", l.node.Name, exitTimeout, l.Path()))
	}
	if err != nil {
		return fmt.Errorf("unmounting the %s: %w", l, err)
	}
	return nil
}

// request sends req to the file system's helper.
func (l *LazyFS) request(ctx context.Context, req lazyfs.Request) (lazyfs.Response, error) {
	if !l.Mounted() {
		return lazyfs.Response{}, fmt.Errorf("the %s is unmounted", l)
	}
	return l.h.ctl(ctx, l.node, l.ready.Socket, req)
}

// Status returns what a power loss would drop now, and the rules in
// effect.
func (l *LazyFS) Status(ctx context.Context) (lazyfs.Status, error) {
	resp, err := l.request(ctx, lazyfs.Request{Op: "status"})
	if err != nil || resp.Status == nil {
		return lazyfs.Status{}, errors.Join(err, errors.New("no status in the helper's answer"))
	}
	return *resp.Status, nil
}

// Sync writes and syncs everything unsynced under l, as sync(1) would on a
// local file system.
func (l *LazyFS) Sync(ctx context.Context) error {
	_, err := l.request(ctx, lazyfs.Request{Op: "sync"})
	return err
}

// LoseUnsynced injects a power loss into l (see lazyfs.FS.Lose): every
// process using it is SIGKILLed, what was not synced is dropped, and the
// file system comes back. The fault's window lasts until it is back; its
// record's args say what was lost.
func (r *Registry) LoseUnsynced(ctx context.Context, l *LazyFS) (*Fault, error) {
	args := map[string]any{"path": l.Path()}
	return r.injectEvent(ctx, "lose_unsynced", []*cluster.Node{l.node}, args, func(ctx context.Context) error {
		resp, err := l.request(ctx, lazyfs.Request{Op: "lose"})
		if resp.Loss != nil {
			args["killed"] = resp.Loss.Killed
			args["lost_bytes"] = resp.Loss.LostBytes
			args["lost_files"] = resp.Loss.LostFiles
			args["undone_ops"] = resp.Loss.UndoneOps
			if resp.Loss.UndoProblem != "" {
				args["undo_problem"] = resp.Loss.UndoProblem
			}
			if resp.Loss.Detached {
				args["detached"] = true // a process out of reach kept the old mount
			}
		}
		return err
	})
}

// DiskErrors makes the operations ops (see lazyfs.Ops) under l fail with
// errno ("EIO" or "ENOSPC"), each with the probability, until healed.
func (r *Registry) DiskErrors(ctx context.Context, l *LazyFS, errno string, ops []string, probability float64) (*Fault, error) {
	args := map[string]any{"path": l.Path(), "errno": errno, "ops": ops, "probability": probability}
	return r.addRule(ctx, "disk_errors", l, lazyfs.Rule{Ops: ops, Errno: errno, Probability: probability}, args)
}

// SlowDisk makes every write and fsync under l take ms milliseconds
// longer, until healed.
func (r *Registry) SlowDisk(ctx context.Context, l *LazyFS, ms float64) (*Fault, error) {
	if !(ms > 0) {
		return nil, fmt.Errorf("ms must be positive, not %g", ms)
	}
	args := map[string]any{"path": l.Path(), "ms": ms}
	return r.addRule(ctx, "slow_disk", l, lazyfs.Rule{Ops: []string{"write", "fsync"}, DelayMs: ms}, args)
}

// addRule injects fault kind: rule in effect on l until healed.
func (r *Registry) addRule(ctx context.Context, kind string, l *LazyFS, rule lazyfs.Rule, args map[string]any) (*Fault, error) {
	if err := rule.Check(); err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.rules++
	rule.ID = l.rules
	l.mu.Unlock()
	return r.inject(ctx, kind, []*cluster.Node{l.node}, args, false, func(ctx context.Context, _ string) (func(context.Context) error, error) {
		if _, err := l.request(ctx, lazyfs.Request{Op: "add_rule", Rule: &rule}); err != nil {
			return nil, err
		}
		return func(ctx context.Context) error {
			if !l.Mounted() {
				return nil // unmounting ended it
			}
			_, err := l.request(ctx, lazyfs.Request{Op: "remove_rule", ID: rule.ID})
			return err
		}, nil
	})
}

// Corrupt corrupts the file at file on node as spec says (spec.Path and
// spec.Snapshot are filled in here; see lazyfs.CorruptModes). Under a lazy
// file system of the test it corrupts the durable bytes (the backing
// file): what survives a power loss; processes see the change where they
// have no unsynced write over it, once their page cache is dropped (by a
// power loss, at the latest). It needs no FUSE, only the helper.
func (r *Registry) Corrupt(ctx context.Context, node *cluster.Node, file string, spec lazyfs.CorruptSpec) (*Fault, error) {
	spec.Path = file
	if spec.Mode == "snapshot" || spec.Mode == "restore" {
		spec.Snapshot = "-" // filled in below, once the path is resolved
	}
	if err := spec.Check(); err != nil {
		return nil, err
	}
	if err := r.open(); err != nil {
		return nil, err
	}
	h, err := r.helperOn(ctx, node)
	if err != nil {
		return nil, err
	}
	out, err := node.Account.Output(ctx, h.sudo+"readlink -f -- "+shellquote.Join(file), cluster.OutputOptions{})
	if err != nil {
		return nil, fmt.Errorf("%s: resolving %s: %w", node.Name, file, err)
	}
	abs := strings.TrimSpace(out)
	spec.Path = r.backingPath(node, abs)
	if spec.Snapshot != "" {
		sum := sha256.Sum256([]byte(abs))
		dir := r.snapshotDir(node)
		spec.Snapshot = dir + "/" + hex.EncodeToString(sum[:8])
		if spec.Mode == "restore" && !r.hasSnapshot(node, spec.Snapshot) {
			return nil, fmt.Errorf("no snapshot of %s on %s was taken in this test (corrupt it with mode \"snapshot\" first)", file, node.Name)
		}
	}
	if spec.Mode == "bitflip" {
		spec.Seed = rand.Uint64()
	}
	args := map[string]any{"path": abs, "mode": spec.Mode}
	switch spec.Mode {
	case "bitflip":
		args["probability"], args["seed"] = spec.Probability, spec.Seed
	case "truncate":
		args["size"] = *spec.Size
	}
	data, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	return r.injectEvent(ctx, "corrupt", []*cluster.Node{node}, args, func(ctx context.Context) error {
		var res lazyfs.CorruptResult
		if err := h.call(ctx, node, &res, "corrupt", string(data)); err != nil {
			return fmt.Errorf("corrupting %s: %w", file, err)
		}
		args["size"], args["new_size"] = res.Size, res.NewSize
		if spec.Mode != "truncate" {
			args["offset"], args["length"] = res.Offset, res.Length
		}
		if spec.Mode == "bitflip" {
			args["flipped_bits"] = res.Flipped
		}
		if spec.Mode == "snapshot" {
			r.addSnapshot(node, spec.Snapshot)
		}
		return nil
	})
}

// backingPath returns the path by which the helper reaches the backing
// file of abs when abs lies under one of the test's lazy file systems on
// node, else abs.
func (r *Registry) backingPath(node *cluster.Node, abs string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, l := range r.mounts {
		if l.node == node && l.Mounted() && within(abs, l.Path()) {
			return fmt.Sprintf("/proc/%d/fd/%d%s", l.ready.Pid, l.ready.RootFd, strings.TrimPrefix(abs, l.Path()))
		}
	}
	return abs
}

// snapshotDir is where the test keeps its snapshots on node.
func (r *Registry) snapshotDir(node *cluster.Node) string {
	return helperDir + "/ducktape-snapshots-" + strings.TrimPrefix(r.tag, "ducktape-") + "-" + path.Base(node.Name)
}

func (r *Registry) addSnapshot(node *cluster.Node, file string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.snapshots == nil {
		r.snapshots = map[*cluster.Node][]string{}
	}
	if !slices.Contains(r.snapshots[node], file) {
		r.snapshots[node] = append(r.snapshots[node], file)
	}
}

func (r *Registry) hasSnapshot(node *cluster.Node, file string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Contains(r.snapshots[node], file)
}

// CloseStorage unmounts every lazy file system of the test, newest first,
// as clean shutdowns (see LazyFS.unmount), and removes its snapshots. The
// runner calls it after the services were stopped and their logs
// collected, also when the test failed; ctx must not be one the test's end
// cancels.
func (r *Registry) CloseStorage(ctx context.Context) error {
	r.mu.Lock()
	r.closed = true
	mounts := slices.Clone(r.mounts)
	snapshots := r.snapshots
	r.snapshots = nil
	r.mu.Unlock()
	r.inflight.Wait()
	var errs []error
	for i := len(mounts) - 1; i >= 0; i-- {
		errs = append(errs, mounts[i].unmount(ctx))
	}
	for node := range snapshots {
		h, err := r.helperOn(ctx, node)
		if err == nil {
			_, err = node.Account.SSH(ctx, h.sudo+"rm -rf "+shellquote.Join(r.snapshotDir(node)), false)
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// within reports whether p is dir or below it (both clean, absolute).
func within(p, dir string) bool {
	return p == dir || dir == "/" || strings.HasPrefix(p, dir+"/")
}
