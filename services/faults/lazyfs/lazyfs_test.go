package lazyfs

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ducktape-go/ducktape/services/faults/lazyfs/lazyfstest"
)

func TestMain(m *testing.M) {
	MainIfHelper()
	os.Exit(m.Run())
}

// mountTemp mounts a lazy file system over a new directory holding the
// files of initial (synced), and unmounts it when the test ends. It skips
// the test where this process cannot mount (not root, no /dev/fuse).
func mountTemp(t testing.TB, initial map[string]string) (*FS, string) {
	t.Helper()
	lazyfstest.Require(t, Probe)
	tmp := t.TempDir()
	for d := tmp; d != filepath.Dir(d) && strings.Contains(d, t.Name()); d = filepath.Dir(d) {
		os.Chmod(d, 0o755) // so that other users reach the mount
	}
	dir := filepath.Join(tmp, "data")
	for name, data := range initial {
		writeFile(t, filepath.Join(dir, name), data)
	}
	f, err := New(dir, FsNamePrefix+"test")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Mount(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, _, err := f.Unmount(); err != nil {
			t.Errorf("unmounting: %v", err)
		}
		assertNotMounted(t, dir)
	})
	return f, f.MountPoint()
}

func writeFile(t testing.TB, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeSynced writes data to path and fsyncs it.
func writeSynced(t *testing.T, path, data string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(data); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
}

// syncDir fsyncs the directory dir.
func syncDir(t testing.TB, dir string) {
	t.Helper()
	d, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		t.Fatal(err)
	}
}

// assertFiles fails unless dir holds exactly want (paths to contents;
// directories end in "/"), TrashDir left out.
func assertFiles(t *testing.T, dir string, want map[string]string) {
	t.Helper()
	got := map[string]string{}
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case rel == TrashDir:
			return filepath.SkipDir
		case info.IsDir():
			got[rel+"/"] = ""
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				t.Errorf("reading %s: %v", rel, err)
			}
			got[rel] = string(data)
		}
		return nil
	})
	for name, data := range want {
		if g, ok := got[name]; !ok {
			t.Errorf("%s is missing", name)
		} else if g != data {
			t.Errorf("%s holds %q, want %q", name, g, data)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s should not be there (it holds %q)", name, got[name])
		}
	}
}

func assertNotMounted(t testing.TB, dir string) {
	t.Helper()
	mounts, err := ReadMounts()
	if err != nil {
		t.Fatal(err)
	}
	real, _ := filepath.EvalSymlinks(dir)
	for _, m := range mounts {
		if m.Point == real {
			t.Errorf("%s is still mounted (%s)", dir, m.Type)
		}
	}
}

func lose(t *testing.T, f *FS) Loss {
	t.Helper()
	loss, err := f.Lose()
	if err != nil {
		t.Fatal(err)
	}
	if loss.UndoProblem != "" {
		t.Errorf("undoing: %s", loss.UndoProblem)
	}
	return loss
}

// TestPowerLoss: synced data and names survive a power loss, unsynced
// data and names created after the last sync do not.
func TestPowerLoss(t *testing.T) {
	f, dir := mountTemp(t, map[string]string{"old": "durable"})
	writeSynced(t, filepath.Join(dir, "synced"), "hello")
	w, err := os.OpenFile(filepath.Join(dir, "synced"), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	w.WriteString(" and more")
	w.Close()
	writeFile(t, filepath.Join(dir, "unsynced"), "lost")
	writeFile(t, filepath.Join(dir, "old"), "overwritten")
	if err := os.Mkdir(filepath.Join(dir, "newdir"), 0o755); err != nil {
		t.Fatal(err)
	}
	assertFiles(t, dir, map[string]string{"old": "overwritten", "synced": "hello and more", "unsynced": "lost", "newdir/": ""})
	st := f.Status()
	if st.UnsyncedFiles != 3 || st.PendingOps != 2 {
		t.Errorf("status %+v: want 3 files with unsynced data (old, synced, unsynced) and 2 pending creations", st)
	}
	loss := lose(t, f)
	if loss.LostFiles != 3 || loss.UndoneOps != 2 || loss.LostBytes != 3*pageSize {
		t.Errorf("loss %+v: want 3 files, 3 pages and 2 changes lost", loss)
	}
	assertFiles(t, dir, map[string]string{"old": "durable", "synced": "hello"})
	if st := f.Status(); st.UnsyncedFiles != 0 || st.PendingOps != 0 {
		t.Errorf("status after the loss %+v: want nothing unsynced", st)
	}
}

// TestAnySyncCommitsNames: an fsync of one file, or of a directory, makes
// every earlier name change durable (as a journal commit does), but not
// the data of other files.
func TestAnySyncCommitsNames(t *testing.T) {
	f, dir := mountTemp(t, nil)
	writeFile(t, filepath.Join(dir, "a"), "data of a")
	writeSynced(t, filepath.Join(dir, "b"), "data of b")
	writeFile(t, filepath.Join(dir, "c"), "data of c")
	if err := os.Mkdir(filepath.Join(dir, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	syncDir(t, dir)
	writeFile(t, filepath.Join(dir, "d/e"), "e")
	lose(t, f)
	assertFiles(t, dir, map[string]string{"a": "", "b": "data of b", "c": "", "d/": ""})
}

// TestRenamesAndRemovalsUndone: renames (also over an existing file or
// empty directory), removals and attribute changes since the last sync
// are undone, newest first.
func TestRenamesAndRemovalsUndone(t *testing.T) {
	f, dir := mountTemp(t, map[string]string{"a": "A", "b": "B", "c": "C", "sub/x": "X"})
	if err := os.Mkdir(filepath.Join(dir, "empty"), 0o700); err != nil {
		t.Fatal(err)
	}
	syncDir(t, dir)
	p := func(name string) string { return filepath.Join(dir, name) }
	for _, err := range []error{
		os.Rename(p("a"), p("a2")),
		os.Rename(p("b"), p("c")),            // c replaced
		syscall.Rename(p("sub"), p("empty")), // an empty directory replaced (os.Rename refuses)
		os.Remove(p("a2")),
		os.Chmod(p("empty/x"), 0o600),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	assertFiles(t, dir, map[string]string{"c": "B", "empty/": "", "empty/x": "X"})
	lose(t, f)
	assertFiles(t, dir, map[string]string{"a": "A", "b": "B", "c": "C", "sub/": "", "sub/x": "X", "empty/": ""})
	if info, err := os.Stat(p("empty")); err != nil || info.Mode().Perm() != 0o700 {
		t.Errorf("the replaced directory came back as %v (%v), want mode 0700", info.Mode(), err)
	}
	if info, err := os.Stat(p("sub/x")); err != nil || info.Mode().Perm() != 0o644 {
		t.Errorf("sub/x came back with mode %v (%v), want 0644", info.Mode(), err)
	}
	// After a sync the same changes are durable.
	os.Remove(p("a"))
	os.Rename(p("b"), p("c"))
	syncDir(t, dir)
	lose(t, f)
	assertFiles(t, dir, map[string]string{"c": "B", "sub/": "", "sub/x": "X", "empty/": ""})
}

// TestContentsAgainstAModel writes, truncates, syncs and loses a file at
// random, through the mount, and compares what it reads with a model.
func TestContentsAgainstAModel(t *testing.T) {
	f, dir := mountTemp(t, map[string]string{"f": strings.Repeat("0123456789", 1000)})
	path := filepath.Join(dir, "f")
	synced := []byte(strings.Repeat("0123456789", 1000))
	model := slices.Clone(synced)
	rng := rand.New(rand.NewPCG(1, 2))
	open := func() *os.File {
		h, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	h := open()
	defer func() { h.Close() }()
	for i := 0; i < 400; i++ {
		switch k := rng.IntN(20); {
		case k < 12: // write
			off := rng.Int64N(int64(len(model)) + 3*pageSize)
			data := make([]byte, 1+rng.IntN(3*pageSize))
			for j := range data {
				data[j] = byte('a' + rng.IntN(26))
			}
			if _, err := h.WriteAt(data, off); err != nil {
				t.Fatal(err)
			}
			if end := off + int64(len(data)); end > int64(len(model)) {
				model = append(model, make([]byte, end-int64(len(model)))...)
			}
			copy(model[off:], data)
		case k < 15: // truncate
			size := rng.Int64N(int64(len(model)) + 2*pageSize)
			if err := h.Truncate(size); err != nil {
				t.Fatal(err)
			}
			if size < int64(len(model)) {
				model = model[:size]
			} else {
				model = append(model, make([]byte, size-int64(len(model)))...)
			}
		case k < 19: // sync
			if err := h.Sync(); err != nil {
				t.Fatal(err)
			}
			synced = slices.Clone(model)
		default: // power loss (an open file would keep the old mount busy)
			h.Close()
			if loss := lose(t, f); loss.Detached {
				t.Fatalf("the mount had to be detached: %+v", loss)
			}
			h = open()
			model = slices.Clone(synced)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, model) {
			t.Fatalf("after step %d the file holds %d bytes that differ from the model's %d", i, len(got), len(model))
		}
	}
}

// TestOwnersAndModesPassThrough: a user other than root works in the
// mount (allow_other), and what it creates is its own in the backing
// directory, with the modes it asked for.
func TestOwnersAndModesPassThrough(t *testing.T) {
	f, dir := mountTemp(t, nil)
	const nobody = 65534
	sub := filepath.Join(dir, "svc")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(sub, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("/bin/sh", "-c", "umask 027 && echo mine > file && mkdir d && cat file")
	cmd.Dir = sub
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	if out, err := cmd.CombinedOutput(); err != nil || string(out) != "mine\n" {
		t.Fatalf("as nobody: %v: %s", err, out)
	}
	if _, _, err := f.Unmount(); err != nil {
		t.Fatal(err)
	}
	for name, mode := range map[string]os.FileMode{"svc": 0o700 | os.ModeDir, "svc/file": 0o640, "svc/d": 0o750 | os.ModeDir} {
		info, err := os.Lstat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		st := info.Sys().(*syscall.Stat_t)
		if st.Uid != nobody || st.Gid != nobody || info.Mode() != mode {
			t.Errorf("%s: owner %d:%d mode %v, want %d:%d %v", name, st.Uid, st.Gid, info.Mode(), nobody, nobody, mode)
		}
	}
}

// TestRules: disk errors fail the chosen operations of real programs,
// delays slow them, and removing the rules ends both.
func TestRules(t *testing.T) {
	f, dir := mountTemp(t, map[string]string{"f": "x"})
	sh := func(script string) error {
		cmd := exec.Command("/bin/sh", "-c", script)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			return errors.New(strings.TrimSpace(string(out)))
		}
		return nil
	}
	if err := f.AddRule(Rule{ID: 1, Ops: []string{"write"}, Errno: "EIO", Probability: 1}); err != nil {
		t.Fatal(err)
	}
	if err := sh("echo data >> f"); err == nil || !strings.Contains(err.Error(), "I/O error") && !strings.Contains(err.Error(), "Input/output error") {
		t.Errorf("a write under an EIO rule: %v, want an I/O error", err)
	}
	if err := f.AddRule(Rule{ID: 2, Ops: []string{"create"}, Errno: "ENOSPC", Probability: 1}); err != nil {
		t.Fatal(err)
	}
	if err := sh("mkdir d"); err == nil || !strings.Contains(err.Error(), "No space left") {
		t.Errorf("mkdir under an ENOSPC rule: %v, want no space left", err)
	}
	f.RemoveRule(1)
	f.RemoveRule(2)
	if err := sh("echo data > f && mkdir d"); err != nil {
		t.Errorf("after the rules were removed: %v", err)
	}
	if err := f.AddRule(Rule{ID: 3, Ops: []string{"fsync"}, DelayMs: 100}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	syncDir(t, dir)
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Errorf("an fsync under a 100 ms delay took %s", d)
	}
	if st := f.Status(); len(st.Rules) != 1 || st.Rules[0].ID != 3 {
		t.Errorf("rules in effect: %+v, want rule 3", st.Rules)
	}
	if err := f.AddRule(Rule{ID: 3, Ops: []string{"read"}, DelayMs: 1}); err == nil {
		t.Error("a second rule 3 was accepted")
	}
}

// TestLoseKillsUsers: a power loss kills the processes that use the
// mount (an open file, a working directory), and no other.
func TestLoseKillsUsers(t *testing.T) {
	f, dir := mountTemp(t, nil)
	start := func(script, cwd string) *exec.Cmd {
		cmd := exec.Command("/bin/sh", "-c", script)
		cmd.Dir = cwd
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go cmd.Wait()
		return cmd
	}
	holder := start("exec 3>held; exec sleep 60", dir)
	inside := start("exec sleep 60", dir)
	outside := start("exec sleep 60", t.TempDir())
	defer outside.Process.Kill()
	deadline := time.Now().Add(5 * time.Second)
	for !slices.Contains(Holders(f.MountPoint()), holder.Process.Pid) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	loss := lose(t, f)
	for _, c := range []*exec.Cmd{holder, inside} {
		if !slices.Contains(loss.Killed, c.Process.Pid) || !gone(c.Process.Pid) {
			t.Errorf("process %d used the mount but was not killed (killed %v)", c.Process.Pid, loss.Killed)
		}
	}
	if slices.Contains(loss.Killed, outside.Process.Pid) || gone(outside.Process.Pid) {
		t.Errorf("process %d, outside the mount, was killed", outside.Process.Pid)
	}
	if _, err := os.Stat(filepath.Join(dir, "held")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the unsynced file held survived: %v", err)
	}
}

// TestUnmountWritesEverything: a clean unmount leaves the backing
// directory as the mount showed it, without TrashDir.
func TestUnmountWritesEverything(t *testing.T) {
	f, dir := mountTemp(t, map[string]string{"gone": "x", "kept": "y"})
	writeFile(t, filepath.Join(dir, "new/file"), "unsynced")
	os.Remove(filepath.Join(dir, "gone"))
	if _, err := os.Stat(filepath.Join(dir, TrashDir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s shows in the mount: %v", TrashDir, err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() == TrashDir {
			t.Errorf("%s is listed in the mount", TrashDir)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, TrashDir), 0o755); !errors.Is(err, os.ErrPermission) {
		t.Errorf("making %s in the mount: %v, want a permission error", TrashDir, err)
	}
	if _, _, err := f.Unmount(); err != nil {
		t.Fatal(err)
	}
	assertNotMounted(t, dir)
	if _, err := os.Stat(filepath.Join(dir, TrashDir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s is left in the backing directory: %v", TrashDir, err)
	}
	assertFiles(t, dir, map[string]string{"kept": "y", "new/": "", "new/file": "unsynced"})
}

// TestMountPointsInUse: a mount point, a directory inside a lazy file
// system, and one that holds one, are refused.
func TestMountPointsInUse(t *testing.T) {
	_, dir := mountTemp(t, nil)
	for _, d := range []string{dir, filepath.Join(dir, "inner"), filepath.Dir(dir)} {
		if _, err := New(d, FsNamePrefix+"test"); err == nil {
			t.Errorf("%s was accepted", d)
		}
	}
	if _, err := New("relative", FsNamePrefix+"test"); err == nil {
		t.Error("a relative path was accepted")
	}
}

// TestLinksMmapAndAllocate: hard links share their unsynced data, a
// read-only shared mapping sees it, and fallocate extends the file.
func TestLinksMmapAndAllocate(t *testing.T) {
	f, dir := mountTemp(t, map[string]string{"a": "1234"})
	if err := os.Link(filepath.Join(dir, "a"), filepath.Join(dir, "b")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "b"), "shared")
	if data, _ := os.ReadFile(filepath.Join(dir, "a")); string(data) != "shared" {
		t.Errorf("a holds %q after a write through its link b, want shared", data)
	}
	h, err := os.OpenFile(filepath.Join(dir, "a"), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	m, err := unix.Mmap(int(h.Fd()), 0, 6, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	if string(m) != "shared" {
		t.Errorf("the mapping shows %q", m)
	}
	unix.Munmap(m)
	if err := unix.Fallocate(int(h.Fd()), 0, 0, 10000); err != nil {
		t.Fatal(err)
	}
	if info, _ := h.Stat(); info.Size() != 10000 {
		t.Errorf("size after fallocate: %d, want 10000", info.Size())
	}
	h.Close()
	lose(t, f)
	assertFiles(t, dir, map[string]string{"a": "1234"})
}

// TestXattrs: extended attributes are written through to the backing
// file (and not undone by a power loss).
func TestXattrs(t *testing.T) {
	f, dir := mountTemp(t, map[string]string{"f": "x"})
	path := filepath.Join(dir, "f")
	if err := unix.Setxattr(path, "user.ducktape", []byte("v"), 0); err != nil {
		t.Skipf("the backing file system takes no user attributes: %v", err)
	}
	lose(t, f)
	buf := make([]byte, 16)
	k, err := unix.Getxattr(path, "user.ducktape", buf)
	if err != nil || string(buf[:k]) != "v" {
		t.Errorf("user.ducktape after a power loss: %q, %v", buf[:max(k, 0)], err)
	}
	names := make([]byte, 256)
	if k, err := unix.Listxattr(path, names); err != nil || !strings.Contains(string(names[:k]), "user.ducktape") {
		t.Errorf("listed %q, %v", names[:max(k, 0)], err)
	}
	if err := unix.Removexattr(path, "user.ducktape"); err != nil {
		t.Error(err)
	}
}
