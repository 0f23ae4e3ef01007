package lazyfs

import (
	"context"
	"path"
	"syscall"
	"time"
	"unsafe"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
	"golang.org/x/sys/unix"
)

// This file holds what nodes and handles do to the backing directory.

// lstatAt stats rel below dirfd without following a last symbolic link.
func lstatAt(dirfd int, rel string) (syscall.Stat_t, error) {
	return statAt(dirfd, rel, unix.AT_SYMLINK_NOFOLLOW)
}

// statAt is fstatat(2). The syscall package, whose Stat_t go-fuse takes,
// has no Fstatat on every platform; x/sys/unix's Stat_t is the same
// kernel structure.
func statAt(dirfd int, rel string, flags int) (syscall.Stat_t, error) {
	var st syscall.Stat_t
	err := unix.Fstatat(dirfd, rel, (*unix.Stat_t)(unsafe.Pointer(&st)), flags)
	return st, err
}

// statFd stats the open file fd.
func statFd(fd int) (syscall.Stat_t, error) {
	var st syscall.Stat_t
	err := syscall.Fstat(fd, &st)
	return st, err
}

// birth returns the birth time of rel below dirfd, as the generation of
// its inode number: it tells a reused inode number from the file that had
// it before. 1 where the file system does not say.
func birth(dirfd int, rel string) uint64 {
	var sx unix.Statx_t
	if unix.Statx(dirfd, rel, unix.AT_SYMLINK_NOFOLLOW, unix.STATX_BTIME, &sx) != nil || sx.Mask&unix.STATX_BTIME == 0 {
		return 1
	}
	return uint64(sx.Btime.Sec)*1e9 + uint64(sx.Btime.Nsec)
}

// stat stats rel as the mount shows it: with its unsynced changes.
func (f *FS) stat(rel string) (syscall.Stat_t, error) {
	st, err := lstatAt(f.root, rel)
	if err == nil && st.Mode&syscall.S_IFMT == syscall.S_IFREG {
		if c := f.contentOf(statID(&st)); c != nil {
			c.attrs(&st)
		}
	}
	return st, err
}

func (f *FS) contentOf(id fileID) *content {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.contents[id]
}

// inodeNumber is the mount's inode number of a backing file: its own, with
// the device mixed in for files on another file system than the backing
// directory (as go-fuse's loopback does).
func (f *FS) inodeNumber(st *syscall.Stat_t) uint64 {
	swap := func(d uint64) uint64 { return d<<32 | d>>32 }
	return swap(uint64(st.Dev)) ^ swap(f.rootDev) ^ st.Ino
}

// adopt registers fd, a descriptor of a backing file open for writing when
// writable, as the content of its file (taking fd over), and returns the
// content.
func (f *FS) adopt(fd int, writable bool) (*content, syscall.Errno) {
	st, err := statFd(fd)
	if err != nil {
		unix.Close(fd)
		return nil, fs.ToErrno(err)
	}
	id := statID(&st)
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.contents[id]
	if c == nil {
		c = newContent(id, fd, writable, st.Size)
		f.contents[id] = c
		return c, 0
	}
	unix.Close(c.useFd(fd, writable))
	return c, 0
}

// contentAt returns the content of the file at rel, for a truncation
// without an open file.
func (f *FS) contentAt(rel string) (*content, syscall.Errno) {
	fd, err := unix.Openat(f.root, rel, backingFlags(true), 0)
	if err != nil {
		return nil, fs.ToErrno(err)
	}
	return f.adopt(fd, true)
}

// forgetIfClean drops c when no file is open on it and it holds nothing
// unsynced, or its file has no name left (it was removed and the removal
// made durable).
func (f *FS) forgetIfClean(c *content) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.forgetIfCleanLocked(c)
}

func (f *FS) forgetIfCleanLocked(c *content) {
	if c.opens > 0 || f.contents[c.id] != c || !c.forgettable() {
		return
	}
	delete(f.contents, c.id)
	c.close()
}

// forgettable reports whether the content holds nothing a reader could
// still see: nothing unsynced, or a file with no name left.
func (c *content) forgettable() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.dirtyLocked() {
		return true
	}
	st, err := statFd(c.fd)
	return err == nil && st.Nlink == 0
}

// ensureWritable reopens the backing file for writing when the content
// has only a read-only descriptor.
func (c *content) ensureWritable() syscall.Errno {
	c.mu.Lock()
	defer c.mu.Unlock()
	return fs.ToErrno(c.ensureWritableLocked())
}

func (c *content) ensureWritableLocked() error {
	if c.writable {
		return nil
	}
	fd, err := unix.Open(procFd(c.fd), unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	unix.Close(c.fd)
	c.fd, c.writable = fd, true
	return nil
}

// setOwner gives the entry rel, just created, to the caller, or to the
// group of its directory when that has the set-group-ID bit (which a new
// directory then inherits), as the kernel would.
func (f *FS) setOwner(ctx context.Context, rel string, isDir bool) {
	caller, ok := fuse.FromContext(ctx)
	if !ok {
		return
	}
	uid, gid := int(caller.Uid), int(caller.Gid)
	parent, err := lstatAt(f.root, path.Dir(rel))
	setgid := err == nil && parent.Mode&unix.S_ISGID != 0
	if setgid {
		gid = int(parent.Gid)
	}
	if uid != 0 || gid != 0 {
		unix.Fchownat(f.root, rel, uid, gid, unix.AT_SYMLINK_NOFOLLOW)
	}
	if setgid && isDir {
		if st, err := lstatAt(f.root, rel); err == nil {
			unix.Fchmodat(f.root, rel, (st.Mode&0o7777)|unix.S_ISGID, 0)
		}
	}
}

// chattr applies the owner, mode and time changes of in to rel (when
// named, journaling them), or to the open file of h (a file removed while
// open has no name).
func (f *FS) chattr(rel string, named bool, h *handle, in *fuse.SetAttrIn) syscall.Errno {
	mode, setMode := in.GetMode()
	uid, setUID := in.GetUID()
	gid, setGID := in.GetGID()
	atime, setAtime := in.GetATime()
	mtime, setMtime := in.GetMTime()
	if !setMode && !setUID && !setGID && !setAtime && !setMtime {
		return 0
	}
	dirfd, target, flags := f.root, rel, unix.AT_SYMLINK_NOFOLLOW
	if !named {
		dirfd, target, flags = unix.AT_FDCWD, procFd(h.c.fd), 0
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	st, err := statAt(dirfd, target, flags)
	if err != nil {
		return fs.ToErrno(err)
	}
	if named {
		f.journal.record(change{kind: chattr, path: rel, attrs: saveAttrs(&st)})
	}
	if setUID || setGID {
		u, g := -1, -1
		if setUID {
			u = int(uid)
		}
		if setGID {
			g = int(gid)
		}
		if err := unix.Fchownat(dirfd, target, u, g, flags); err != nil {
			return fs.ToErrno(err)
		}
	}
	if setMode {
		if err := unix.Fchmodat(dirfd, target, mode&0o7777, 0); err != nil {
			return fs.ToErrno(err)
		}
	}
	if setAtime || setMtime {
		ts := []unix.Timespec{{Nsec: unix.UTIME_OMIT}, {Nsec: unix.UTIME_OMIT}}
		if setAtime {
			ts[0] = unix.NsecToTimespec(atime.UnixNano())
		}
		if setMtime {
			ts[1] = unix.NsecToTimespec(mtime.UnixNano())
			if c := f.contents[statID(&st)]; c != nil {
				c.setMtime(mtime)
			}
		}
		if err := unix.UtimesNanoAt(dirfd, target, ts, flags); err != nil {
			return fs.ToErrno(err)
		}
	}
	return 0
}

// setMtime sets the modification time the content shows while it has
// unsynced changes (and gives the file when they are flushed).
func (c *content) setMtime(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dirtyLocked() {
		c.mtime = t
	}
}

// rename renames from to to (both relative), journaling it; what to held
// goes to the trash (an empty directory is only described, to be made
// again). The caller holds f.mu.
func (f *FS) rename(from, to string, flags uint32) syscall.Errno {
	if flags&unix.RENAME_EXCHANGE != 0 {
		if err := unix.Renameat2(f.root, from, f.root, to, unix.RENAME_EXCHANGE); err != nil {
			return fs.ToErrno(err)
		}
		f.journal.record(change{kind: exchanged, from: from, path: to})
		return 0
	}
	target, err := lstatAt(f.root, to)
	if err != nil {
		if err := unix.Renameat2(f.root, from, f.root, to, uint(flags)); err != nil {
			return fs.ToErrno(err)
		}
		f.journal.record(change{kind: renamed, from: from, path: to})
		return 0
	}
	if flags&unix.RENAME_NOREPLACE != 0 {
		return syscall.EEXIST
	}
	source, err := lstatAt(f.root, from)
	if err != nil {
		return fs.ToErrno(err)
	}
	if statID(&source) == statID(&target) {
		return 0 // two names of one file: rename does nothing
	}
	if target.Mode&unix.S_IFMT == unix.S_IFDIR {
		attrs := saveAttrs(&target)
		if err := unix.Renameat(f.root, from, f.root, to); err != nil {
			return fs.ToErrno(err)
		}
		f.journal.record(change{kind: renamed, from: from, path: to, attrs: attrs})
		return 0
	}
	trash, err := f.journal.trashEntry()
	if err != nil {
		return fs.ToErrno(err)
	}
	if err := unix.Linkat(f.root, to, f.root, trash, 0); err != nil {
		return fs.ToErrno(err)
	}
	if err := unix.Renameat(f.root, from, f.root, to); err != nil {
		unix.Unlinkat(f.root, trash, 0)
		return fs.ToErrno(err)
	}
	f.journal.record(change{kind: renamed, from: from, path: to, trash: trash})
	return 0
}
