package lazyfs

import (
	"context"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
	"golang.org/x/sys/unix"
)

// handle is an open file of a mount. Reads and writes go to the file's
// content (shared by every handle of the file); the handle only counts as
// one of its opens.
type handle struct {
	in   *instance
	c    *content
	sync bool // opened with O_SYNC or O_DSYNC: each write is synced
}

var (
	_ fs.FileReader    = (*handle)(nil)
	_ fs.FileWriter    = (*handle)(nil)
	_ fs.FileFsyncer   = (*handle)(nil)
	_ fs.FileFlusher   = (*handle)(nil)
	_ fs.FileReleaser  = (*handle)(nil)
	_ fs.FileAllocater = (*handle)(nil)
)

// open makes the handle of fd, just opened on a backing file (for writing
// when writable) with the caller's flags.
func (in *instance) open(fd int, writable bool, flags uint32) (*handle, syscall.Errno) {
	f := in.fs
	c, errno := f.adopt(fd, writable)
	if errno != 0 {
		return nil, errno
	}
	f.mu.Lock()
	c.opens++
	f.mu.Unlock()
	if writable && int(flags)&unix.O_TRUNC != 0 {
		c.truncate(0)
	}
	return &handle{in: in, c: c, sync: int(flags)&(unix.O_SYNC|unix.O_DSYNC) != 0}, 0
}

// begin enters the instance and applies the rules of operation o; when it
// returns 0 the caller must call h.in.leave().
func (h *handle) begin(o op) syscall.Errno {
	if errno := h.in.enter(); errno != 0 {
		return errno
	}
	if errno := h.in.fs.rules.Load().apply(o); errno != 0 {
		h.in.leave()
		return errno
	}
	return 0
}

func (h *handle) Read(ctx context.Context, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	if errno := h.begin(opRead); errno != 0 {
		return nil, errno
	}
	defer h.in.leave()
	k, err := h.c.read(dest, off)
	if err != nil {
		return nil, fs.ToErrno(err)
	}
	return fuse.ReadResultData(dest[:k]), 0
}

func (h *handle) Write(ctx context.Context, data []byte, off int64) (uint32, syscall.Errno) {
	if errno := h.begin(opWrite); errno != 0 {
		return 0, errno
	}
	defer h.in.leave()
	if err := h.c.write(data, off); err != nil {
		return 0, fs.ToErrno(err)
	}
	if h.sync {
		if errno := h.fsync(true); errno != 0 {
			return 0, errno
		}
	}
	return uint32(len(data)), 0
}

func (h *handle) Fsync(ctx context.Context, flags uint32) syscall.Errno {
	if errno := h.begin(opFsync); errno != 0 {
		return errno
	}
	defer h.in.leave()
	return h.fsync(flags&1 != 0)
}

// fsync makes the file's changes durable, and every metadata change (a
// journal commit).
func (h *handle) fsync(datasync bool) syscall.Errno {
	if err := h.c.flush(datasync); err != nil {
		return fs.ToErrno(err)
	}
	return fs.ToErrno(h.in.fs.commit())
}

// Flush (at each close of a descriptor) does nothing: data stays unsynced.
func (h *handle) Flush(ctx context.Context) syscall.Errno { return 0 }

func (h *handle) Release(ctx context.Context) syscall.Errno {
	if errno := h.in.enter(); errno != 0 {
		return 0 // the instance is gone, and its contents with it
	}
	defer h.in.leave()
	f := h.in.fs
	f.mu.Lock()
	defer f.mu.Unlock()
	h.c.opens--
	f.forgetIfCleanLocked(h.c)
	return 0
}

// Allocate extends the file as fallocate(2) with mode 0 does; with
// FALLOC_FL_KEEP_SIZE it does nothing (space is not the point here); it
// refuses the other modes (punching holes and the like).
func (h *handle) Allocate(ctx context.Context, off, size uint64, mode uint32) syscall.Errno {
	if errno := h.begin(opWrite); errno != 0 {
		return errno
	}
	defer h.in.leave()
	switch mode {
	case 0:
		h.c.extend(int64(off + size))
		return 0
	case unix.FALLOC_FL_KEEP_SIZE:
		return 0
	}
	return syscall.EOPNOTSUPP
}

// dirHandle is an open directory: its listing (without TrashDir at the
// root) and fsync.
type dirHandle struct {
	in   *instance
	fd   int          // the backing directory, owned by ds
	ds   fs.DirStream // go-fuse's listing of fd
	root bool
}

var (
	_ fs.FileReaddirenter = (*dirHandle)(nil)
	_ fs.FileSeekdirer    = (*dirHandle)(nil)
	_ fs.FileReleasedirer = (*dirHandle)(nil)
	_ fs.FileFsyncdirer   = (*dirHandle)(nil)
)

func (d *dirHandle) Readdirent(ctx context.Context) (*fuse.DirEntry, syscall.Errno) {
	if errno := d.in.enter(); errno != 0 {
		return nil, errno
	}
	defer d.in.leave()
	for {
		de, errno := d.ds.(fs.FileReaddirenter).Readdirent(ctx)
		if de == nil || errno != 0 || !d.root || de.Name != TrashDir {
			return de, errno
		}
	}
}

func (d *dirHandle) Seekdir(ctx context.Context, off uint64) syscall.Errno {
	return d.ds.(fs.FileSeekdirer).Seekdir(ctx, off)
}

func (d *dirHandle) Releasedir(ctx context.Context, flags uint32) {
	d.ds.(fs.FileReleasedirer).Releasedir(ctx, flags)
}

// Fsyncdir makes every metadata change durable (a journal commit), after
// syncing the backing directory.
func (d *dirHandle) Fsyncdir(ctx context.Context, flags uint32) syscall.Errno {
	if errno := d.in.enter(); errno != 0 {
		return errno
	}
	defer d.in.leave()
	if errno := d.in.fs.rules.Load().apply(opFsync); errno != 0 {
		return errno
	}
	if err := unix.Fsync(d.fd); err != nil {
		return fs.ToErrno(err)
	}
	return fs.ToErrno(d.in.fs.commit())
}
