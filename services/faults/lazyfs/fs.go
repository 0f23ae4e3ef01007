package lazyfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
	"golang.org/x/sys/unix"
)

// TypeName is the file system type of the mounts ("fuse.ducktape-lazyfs"
// in /proc/mounts), by which leftovers are found.
const TypeName = "ducktape-lazyfs"

// FS is a lazy file system over one directory: the directory is mounted
// over with a FUSE file system that shows its contents and keeps every
// change in memory until it is synced (see the package documentation).
// Its methods are safe for concurrent use.
type FS struct {
	mountPoint string
	fsName     string
	root       int                     // the backing directory, opened before it was mounted over
	rootDev    uint64                  // its device
	rules      atomic.Pointer[ruleSet] // read by every operation without a lock
	rulesMu    sync.Mutex              // serializes changes of rules

	mu       sync.Mutex // guards contents and journal; taken before a content's mu
	contents map[fileID]*content
	journal  journal

	life sync.Mutex // serializes Mount, Lose and Unmount
	inst *instance  // the mount serving now; nil when unmounted
}

// instance is one mount of an FS: a power loss replaces it with a new
// one, so that the kernel forgets everything it cached.
type instance struct {
	fs     *FS
	server *fuse.Server
	ops    sync.RWMutex // read-held by every operation; write-held to wait for them
	dead   atomic.Bool  // refuses new operations (EIO)
}

// enter begins an operation: EIO once the instance is dead. leave ends it.
func (in *instance) enter() syscall.Errno {
	in.ops.RLock()
	if in.dead.Load() {
		in.ops.RUnlock()
		return syscall.EIO
	}
	return 0
}

func (in *instance) leave() { in.ops.RUnlock() }

// stop makes the instance refuse new operations and waits for those under
// way to end.
func (in *instance) stop() {
	in.dead.Store(true)
	in.ops.Lock()
	in.ops.Unlock() //nolint:staticcheck // an empty critical section: it only waits
}

// New prepares a lazy file system over dir (created if missing; an
// absolute path): it checks that dir can be mounted over and opens it.
// fsName is shown as the mount's source in /proc/mounts.
func New(dir, fsName string) (*FS, error) {
	if !filepath.IsAbs(dir) {
		return nil, fmt.Errorf("%s is not an absolute path", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, err
	}
	if real == "/" {
		return nil, fmt.Errorf("cannot mount over the root directory")
	}
	mounts, err := ReadMounts()
	if err != nil {
		return nil, err
	}
	if err := checkMountPoint(real, mounts); err != nil {
		return nil, err
	}
	root, err := unix.Open(real, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", real, err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(root, &st); err != nil {
		unix.Close(root)
		return nil, err
	}
	f := &FS{mountPoint: real, fsName: fsName, root: root, rootDev: uint64(st.Dev), contents: map[fileID]*content{}}
	f.journal.root = root
	return f, nil
}

// checkMountPoint refuses a directory that is a mount point, or holds a
// lazy file system, or lies inside one.
func checkMountPoint(dir string, mounts []Mount) error {
	for _, m := range mounts {
		switch {
		case m.Point == dir:
			return fmt.Errorf("%s is already a mount point (%s from %s): it is in use", dir, m.Type, m.Source)
		case m.Type == "fuse."+TypeName && within(dir, m.Point):
			return fmt.Errorf("%s is inside the lazy file system mounted at %s", dir, m.Point)
		case m.Type == "fuse."+TypeName && within(m.Point, dir):
			return fmt.Errorf("%s holds the lazy file system mounted at %s", dir, m.Point)
		}
	}
	return nil
}

// within reports whether path is dir or below it.
func within(path, dir string) bool {
	return path == dir || dir == "/" || len(path) > len(dir) && path[:len(dir)] == dir && path[len(dir)] == '/'
}

// MountPoint returns the absolute path the file system is mounted at.
func (f *FS) MountPoint() string { return f.mountPoint }

// Mount mounts the file system.
func (f *FS) Mount() error {
	f.life.Lock()
	defer f.life.Unlock()
	return f.mountLocked()
}

// attrTimeout is how long the kernel may cache names and attributes:
// every change goes through the file system, and a power loss remounts,
// so caching never shows a stale state.
const attrTimeout = time.Second

func (f *FS) mountLocked() error {
	in := &instance{fs: f}
	timeout := attrTimeout
	opts := &fs.Options{
		MountOptions: fuse.MountOptions{
			AllowOther:        true,                            // the service's own user enters it
			Options:           []string{"default_permissions"}, // the kernel checks modes and owners
			FsName:            f.fsName,
			Name:              TypeName,
			DirectMountStrict: true, // no fusermount needed
		},
		EntryTimeout:    &timeout,
		AttrTimeout:     &timeout,
		NullPermissions: true,
	}
	server, err := fs.Mount(f.mountPoint, &node{in: in}, opts)
	if err != nil {
		return fmt.Errorf("mounting %s: %w", f.mountPoint, err)
	}
	in.server = server
	f.inst = in
	return nil
}

// unmountLocked stops the instance and unmounts it: when processes still
// hold it after a few tries, it is detached (MNT_DETACH), and goes away
// when they let go; until then they get EIO. It reports whether it had to
// detach.
func (f *FS) unmountLocked() (detached bool, err error) {
	in := f.inst
	if in == nil {
		return false, nil
	}
	f.inst = nil
	in.stop()
	if err := in.server.Unmount(); err != nil {
		if derr := unix.Unmount(f.mountPoint, unix.MNT_DETACH); derr != nil {
			return false, fmt.Errorf("unmounting %s: %v; detaching it: %w", f.mountPoint, err, derr)
		}
		return true, nil
	}
	return false, nil
}

// Loss is what a power loss did.
type Loss struct {
	Killed      []int  `json:"killed"`                 // processes killed because they used the mount
	LostBytes   int64  `json:"lost_bytes"`             // unsynced data dropped, in whole pages
	LostFiles   int    `json:"lost_files"`             // files with unsynced changes
	UndoneOps   int    `json:"undone_ops"`             // metadata changes undone
	Detached    bool   `json:"detached"`               // a process out of reach held the old mount: it was detached
	UndoProblem string `json:"undo_problem,omitempty"` // what could not be undone
}

// Lose simulates a power loss: it SIGKILLs every process (but the helper
// itself and its ancestors, see Holders) that has a file, its working
// directory or a mapping under the mount, unmounts, drops every unsynced
// write, undoes every metadata change since the last sync, and mounts
// again. The kernel's caches of the mount go with it, as they would with
// a reboot.
func (f *FS) Lose() (Loss, error) {
	f.life.Lock()
	defer f.life.Unlock()
	var loss Loss
	if f.inst == nil {
		return loss, fmt.Errorf("%s is not mounted", f.mountPoint)
	}
	killed, err := KillHolders(f.mountPoint)
	loss.Killed = killed
	if err != nil {
		return loss, err
	}
	if loss.Detached, err = f.unmountLocked(); err != nil {
		return loss, err
	}
	f.mu.Lock()
	for _, c := range f.contents {
		if n, dirty := c.unsynced(); dirty {
			loss.LostBytes += n
			loss.LostFiles++
		}
		c.close()
	}
	f.contents = map[fileID]*content{}
	loss.UndoneOps = f.journal.pending()
	undoErr := f.journal.undo()
	f.mu.Unlock()
	if undoErr != nil {
		loss.UndoProblem = undoErr.Error()
	}
	return loss, f.mountLocked()
}

// Unmount ends the file system as a clean shutdown would: it SIGKILLs
// the processes still using it (see Lose), writes and syncs every
// unsynced change, unmounts, and removes TrashDir. The backing directory
// is then what the mount showed.
func (f *FS) Unmount() (killed []int, detached bool, err error) {
	f.life.Lock()
	defer f.life.Unlock()
	if f.inst == nil {
		return nil, false, nil
	}
	killed, killErr := KillHolders(f.mountPoint) // a survivor makes the unmount detach
	f.inst.stop()
	syncErr := f.syncLocked()
	detached, err = f.unmountLocked()
	f.mu.Lock()
	for _, c := range f.contents {
		c.close()
	}
	f.contents = map[fileID]*content{}
	f.mu.Unlock()
	rmErr := os.RemoveAll(f.journal.at(TrashDir))
	unix.Close(f.root)
	return killed, detached, errors.Join(killErr, syncErr, err, rmErr)
}

// Sync writes and syncs every unsynced change, as sync(2) would on a
// local file system (the kernel sends a FUSE file system nothing on
// sync(2) or syncfs(2), so only this reaches it).
func (f *FS) Sync() error {
	f.life.Lock()
	defer f.life.Unlock()
	return f.syncLocked()
}

func (f *FS) syncLocked() error {
	f.mu.Lock()
	all := make([]*content, 0, len(f.contents))
	for _, c := range f.contents {
		all = append(all, c)
	}
	f.mu.Unlock()
	var errs []error
	for _, c := range all {
		errs = append(errs, c.flush(false))
	}
	errs = append(errs, f.commit())
	return errors.Join(errs...)
}

// commit makes every metadata change durable (a journal commit), and
// forgets the contents of files that went with them.
func (f *FS) commit() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.journal.pending() == 0 {
		return nil
	}
	gone, err := f.journal.commit()
	for _, id := range gone {
		if c := f.contents[id]; c != nil && c.opens == 0 {
			delete(f.contents, id)
			c.close()
		}
	}
	return err
}

// Status is the state of a mount.
type Status struct {
	Mount         string `json:"mount"`
	Pid           int    `json:"pid"`
	Orphaned      bool   `json:"orphaned"` // its driver is gone
	UnsyncedBytes int64  `json:"unsynced_bytes"`
	UnsyncedFiles int    `json:"unsynced_files"`
	PendingOps    int    `json:"pending_ops"` // metadata changes a power loss would undo
	Rules         []Rule `json:"rules"`
}

// Status returns what a power loss would drop now, and the rules in
// effect.
func (f *FS) Status() Status {
	st := Status{Mount: f.mountPoint, Pid: os.Getpid(), Rules: []Rule{}}
	f.mu.Lock()
	for _, c := range f.contents {
		if n, dirty := c.unsynced(); dirty {
			st.UnsyncedBytes += n
			st.UnsyncedFiles++
		}
	}
	st.PendingOps = f.journal.pending()
	f.mu.Unlock()
	if s := f.rules.Load(); s != nil {
		st.Rules = append(st.Rules, s.rules...)
	}
	return st
}

// AddRule puts r into effect (after checking it); its ID must be new.
func (f *FS) AddRule(r Rule) error {
	if err := r.Check(); err != nil {
		return err
	}
	f.rulesMu.Lock()
	defer f.rulesMu.Unlock()
	var rules []Rule
	if s := f.rules.Load(); s != nil {
		rules = append(rules, s.rules...)
	}
	for _, old := range rules {
		if old.ID == r.ID {
			return fmt.Errorf("a rule with id %d is already in effect", r.ID)
		}
	}
	f.rules.Store(compile(append(rules, r)))
	return nil
}

// RemoveRule ends rule id; ending a rule not in effect does nothing.
func (f *FS) RemoveRule(id int) {
	f.rulesMu.Lock()
	defer f.rulesMu.Unlock()
	s := f.rules.Load()
	if s == nil {
		return
	}
	var rules []Rule
	for _, r := range s.rules {
		if r.ID != id {
			rules = append(rules, r)
		}
	}
	if len(rules) == 0 {
		f.rules.Store(nil)
		return
	}
	f.rules.Store(compile(rules))
}
