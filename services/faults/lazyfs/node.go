package lazyfs

import (
	"context"
	"strings"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
	"golang.org/x/sys/unix"
)

// node is a file or directory of a mount. Its path in the backing
// directory is its path in the mount (go-fuse's tree of inodes tracks
// it). Every operation runs between in.enter and in.leave; one that
// changes names holds the FS's mu throughout, so namespace changes are
// applied and journaled one at a time.
type node struct {
	fs.Inode
	in *instance
}

var (
	_ fs.NodeLookuper       = (*node)(nil)
	_ fs.NodeGetattrer      = (*node)(nil)
	_ fs.NodeSetattrer      = (*node)(nil)
	_ fs.NodeOpener         = (*node)(nil)
	_ fs.NodeCreater        = (*node)(nil)
	_ fs.NodeMkdirer        = (*node)(nil)
	_ fs.NodeMknoder        = (*node)(nil)
	_ fs.NodeSymlinker      = (*node)(nil)
	_ fs.NodeLinker         = (*node)(nil)
	_ fs.NodeUnlinker       = (*node)(nil)
	_ fs.NodeRmdirer        = (*node)(nil)
	_ fs.NodeRenamer        = (*node)(nil)
	_ fs.NodeReadlinker     = (*node)(nil)
	_ fs.NodeOpendirHandler = (*node)(nil)
	_ fs.NodeStatfser       = (*node)(nil)
	_ fs.NodeGetxattrer     = (*node)(nil)
	_ fs.NodeSetxattrer     = (*node)(nil)
	_ fs.NodeRemovexattrer  = (*node)(nil)
	_ fs.NodeListxattrer    = (*node)(nil)
)

func (n *node) fs() *FS { return n.in.fs }

// rel returns the node's path relative to the backing directory ("." for
// the root), or ENOENT when it is in no directory any more (removed while
// open).
func (n *node) rel() (string, syscall.Errno) {
	if n.IsRoot() {
		return ".", 0
	}
	var parts []string
	for cur := n.EmbeddedInode(); !cur.IsRoot(); {
		name, parent := cur.Parent()
		if parent == nil {
			return "", syscall.ENOENT
		}
		parts = append(parts, name)
		cur = parent
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return strings.Join(parts, "/"), 0
}

// childRel returns the backing path of the entry name in this directory.
func (n *node) childRel(name string) (string, syscall.Errno) {
	if n.IsRoot() {
		return name, 0
	}
	dir, errno := n.rel()
	return dir + "/" + name, errno
}

// hidden reports whether name in this directory is TrashDir.
func (n *node) hidden(name string) bool { return name == TrashDir && n.IsRoot() }

// begin enters the instance and applies the rules of operation o. When it
// returns 0 the caller must call n.in.leave().
func (n *node) begin(o op) syscall.Errno {
	if errno := n.in.enter(); errno != 0 {
		return errno
	}
	if errno := n.fs().rules.Load().apply(o); errno != 0 {
		n.in.leave()
		return errno
	}
	return 0
}

// beginChild is begin for an operation on the entry name of this
// directory; it returns the entry's backing path. When it returns 0 the
// caller must call n.in.leave().
func (n *node) beginChild(o op, name string) (string, syscall.Errno) {
	if errno := n.begin(o); errno != 0 {
		return "", errno
	}
	rel, errno := n.childRel(name)
	if errno != 0 {
		n.in.leave()
	}
	return rel, errno
}

// enter is begin for operations no rule covers.
func (n *node) enter() syscall.Errno { return n.in.enter() }

// newChild returns the inode of the backing file st describes.
func (n *node) newChild(ctx context.Context, st *syscall.Stat_t, gen uint64) *fs.Inode {
	return n.NewInode(ctx, &node{in: n.in}, fs.StableAttr{Mode: st.Mode, Ino: n.fs().inodeNumber(st), Gen: gen})
}

// entry stats rel, fills out and returns its inode.
func (n *node) entry(ctx context.Context, rel string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	f := n.fs()
	st, err := f.stat(rel)
	if err != nil {
		return nil, fs.ToErrno(err)
	}
	out.Attr.FromStat(&st)
	return n.newChild(ctx, &st, birth(f.root, rel)), 0
}

func (n *node) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	if errno := n.enter(); errno != 0 {
		return nil, errno
	}
	defer n.in.leave()
	if n.hidden(name) {
		return nil, syscall.ENOENT
	}
	rel, errno := n.childRel(name)
	if errno != 0 {
		return nil, errno
	}
	return n.entry(ctx, rel, out)
}

func (n *node) Getattr(ctx context.Context, fh fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	if errno := n.enter(); errno != 0 {
		return errno
	}
	defer n.in.leave()
	return n.getattr(fh, out)
}

// getattr fills out from the open file fh, else from the node's path.
func (n *node) getattr(fh fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	var st syscall.Stat_t
	var err error
	if h, ok := fh.(*handle); ok {
		if st, err = h.c.stat(); err != nil {
			return fs.ToErrno(err)
		}
	} else {
		rel, errno := n.rel()
		if errno != 0 {
			return errno
		}
		if st, err = n.fs().stat(rel); err != nil {
			return fs.ToErrno(err)
		}
	}
	out.FromStat(&st)
	return 0
}

func (n *node) Setattr(ctx context.Context, fh fs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	o := opOpen // the rules do not cover attribute changes...
	if _, ok := in.GetSize(); ok {
		o = opWrite // ...but truncation is a write
	}
	var errno syscall.Errno
	if o == opWrite {
		errno = n.begin(o)
	} else {
		errno = n.enter()
	}
	if errno != 0 {
		return errno
	}
	defer n.in.leave()
	h, _ := fh.(*handle)
	rel, relErrno := n.rel()
	if h == nil && relErrno != 0 {
		return relErrno
	}
	f := n.fs()
	if errno := f.chattr(rel, relErrno == 0, h, in); errno != 0 {
		return errno
	}
	if size, ok := in.GetSize(); ok {
		c := (*content)(nil)
		if h != nil {
			c = h.c
		} else {
			var errno syscall.Errno
			if c, errno = f.contentAt(rel); errno != 0 {
				return errno
			}
		}
		if errno := c.ensureWritable(); errno != 0 {
			return errno
		}
		c.truncate(int64(size))
	}
	return n.getattr(fh, out)
}

func (n *node) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	if errno := n.begin(opOpen); errno != 0 {
		return nil, 0, errno
	}
	defer n.in.leave()
	rel, errno := n.rel()
	if errno != 0 {
		return nil, 0, errno
	}
	writable := int(flags)&unix.O_ACCMODE != unix.O_RDONLY
	fd, err := unix.Openat(n.fs().root, rel, backingFlags(writable), 0)
	if err != nil {
		return nil, 0, fs.ToErrno(err)
	}
	h, errno := n.in.open(fd, writable, flags)
	return h, 0, errno
}

// backingFlags are the flags the helper opens a backing file with: data
// goes through the content, so the caller's O_TRUNC, O_APPEND, O_SYNC and
// the like are the content's business, and a write-only file is opened
// read-write to fill partly written pages.
func backingFlags(writable bool) int {
	if writable {
		return unix.O_RDWR | unix.O_CLOEXEC | unix.O_NOFOLLOW
	}
	return unix.O_RDONLY | unix.O_CLOEXEC | unix.O_NOFOLLOW
}

func (n *node) Create(ctx context.Context, name string, flags, mode uint32, out *fuse.EntryOut) (*fs.Inode, fs.FileHandle, uint32, syscall.Errno) {
	if n.hidden(name) {
		return nil, nil, 0, syscall.EPERM
	}
	rel, errno := n.beginChild(opCreate, name)
	if errno != 0 {
		return nil, nil, 0, errno
	}
	defer n.in.leave()
	f := n.fs()
	f.mu.Lock()
	fd, err := unix.Openat(f.root, rel, backingFlags(true)|unix.O_CREAT|unix.O_EXCL, mode&0o7777)
	made := err == nil
	if err == unix.EEXIST && int(flags)&unix.O_EXCL == 0 {
		fd, err = unix.Openat(f.root, rel, backingFlags(true), 0)
	}
	if err != nil {
		f.mu.Unlock()
		return nil, nil, 0, fs.ToErrno(err)
	}
	if made {
		f.setOwner(ctx, rel, false)
		f.journal.record(change{kind: created, path: rel})
	}
	f.mu.Unlock()
	h, errno := n.in.open(fd, true, flags)
	if errno != 0 {
		return nil, nil, 0, errno
	}
	st, err := h.c.stat()
	if err != nil {
		h.Release(ctx)
		return nil, nil, 0, fs.ToErrno(err)
	}
	out.Attr.FromStat(&st)
	return n.newChild(ctx, &st, birth(f.root, rel)), h, 0, 0
}

// owner says whom a new entry belongs to.
type owner int

const (
	callersFile owner = iota // the caller
	callersDir               // the caller; a directory, which may inherit the set-group-ID bit
	linkedFile               // a hard link: the file keeps its owner
)

// makeEntry creates an entry (make: a mkdirat, mknodat, symlinkat or
// linkat of rel) as one journaled change of kind, and returns its inode.
func (n *node) makeEntry(ctx context.Context, name string, kind changeKind, own owner, make func(rel string) error, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	if n.hidden(name) {
		return nil, syscall.EPERM
	}
	rel, errno := n.beginChild(opCreate, name)
	if errno != 0 {
		return nil, errno
	}
	defer n.in.leave()
	f := n.fs()
	f.mu.Lock()
	if err := make(rel); err != nil {
		f.mu.Unlock()
		return nil, fs.ToErrno(err)
	}
	if own != linkedFile {
		f.setOwner(ctx, rel, own == callersDir)
	}
	f.journal.record(change{kind: kind, path: rel})
	f.mu.Unlock()
	return n.entry(ctx, rel, out)
}

func (n *node) Mkdir(ctx context.Context, name string, mode uint32, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	return n.makeEntry(ctx, name, madeDir, callersDir, func(rel string) error {
		return unix.Mkdirat(n.fs().root, rel, mode&0o7777)
	}, out)
}

func (n *node) Mknod(ctx context.Context, name string, mode, rdev uint32, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	return n.makeEntry(ctx, name, created, callersFile, func(rel string) error {
		return unix.Mknodat(n.fs().root, rel, mode, int(rdev))
	}, out)
}

func (n *node) Symlink(ctx context.Context, target, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	return n.makeEntry(ctx, name, created, callersFile, func(rel string) error {
		return unix.Symlinkat(target, n.fs().root, rel)
	}, out)
}

func (n *node) Link(ctx context.Context, target fs.InodeEmbedder, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	t, ok := target.(*node)
	if !ok || t.in.fs != n.in.fs {
		return nil, syscall.EXDEV
	}
	from, errno := t.rel()
	if errno != 0 {
		return nil, errno
	}
	return n.makeEntry(ctx, name, created, linkedFile, func(rel string) error {
		return unix.Linkat(n.fs().root, from, n.fs().root, rel, 0)
	}, out)
}

func (n *node) Unlink(ctx context.Context, name string) syscall.Errno {
	return n.remove(name, false)
}

func (n *node) Rmdir(ctx context.Context, name string) syscall.Errno {
	return n.remove(name, true)
}

// remove moves the entry name (a directory when dir) into the trash, as
// unlink or rmdir would remove it.
func (n *node) remove(name string, dir bool) syscall.Errno {
	if n.hidden(name) {
		return syscall.ENOENT
	}
	rel, errno := n.beginChild(opUnlink, name)
	if errno != 0 {
		return errno
	}
	defer n.in.leave()
	f := n.fs()
	f.mu.Lock()
	defer f.mu.Unlock()
	st, err := lstatAt(f.root, rel)
	if err != nil {
		return fs.ToErrno(err)
	}
	isDir := st.Mode&unix.S_IFMT == unix.S_IFDIR
	switch {
	case dir && !isDir:
		return syscall.ENOTDIR
	case !dir && isDir:
		return syscall.EISDIR
	case dir:
		if errno := emptyDir(f.root, rel); errno != 0 {
			return errno
		}
	}
	trash, err := f.journal.trashEntry()
	if err != nil {
		return fs.ToErrno(err)
	}
	if err := unix.Renameat(f.root, rel, f.root, trash); err != nil {
		return fs.ToErrno(err)
	}
	f.journal.record(change{kind: removed, path: rel, trash: trash})
	return 0
}

// emptyDir returns ENOTEMPTY unless the directory rel is empty.
func emptyDir(root int, rel string) syscall.Errno {
	fd, err := unix.Openat(root, rel, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fs.ToErrno(err)
	}
	defer unix.Close(fd)
	buf := make([]byte, 4096)
	for {
		k, err := unix.Getdents(fd, buf)
		if err != nil {
			return fs.ToErrno(err)
		}
		if k <= 0 {
			return 0
		}
		_, _, names := unix.ParseDirent(buf[:k], -1, nil)
		if len(names) > 0 { // ParseDirent leaves out . and ..
			return syscall.ENOTEMPTY
		}
	}
}

func (n *node) Rename(ctx context.Context, name string, newParent fs.InodeEmbedder, newName string, flags uint32) syscall.Errno {
	np, ok := newParent.(*node)
	if !ok || np.in.fs != n.in.fs {
		return syscall.EXDEV
	}
	if n.hidden(name) || np.hidden(newName) {
		return syscall.EPERM
	}
	if flags&^(unix.RENAME_NOREPLACE|unix.RENAME_EXCHANGE) != 0 {
		return syscall.EINVAL
	}
	from, errno := n.beginChild(opRename, name)
	if errno != 0 {
		return errno
	}
	defer n.in.leave()
	to, errno := np.childRel(newName)
	if errno != 0 {
		return errno
	}
	f := n.fs()
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rename(from, to, flags)
}

func (n *node) Readlink(ctx context.Context) ([]byte, syscall.Errno) {
	if errno := n.enter(); errno != 0 {
		return nil, errno
	}
	defer n.in.leave()
	rel, errno := n.rel()
	if errno != 0 {
		return nil, errno
	}
	for size := 256; ; size *= 2 {
		buf := make([]byte, size)
		k, err := unix.Readlinkat(n.fs().root, rel, buf)
		if err != nil {
			return nil, fs.ToErrno(err)
		}
		if k < size {
			return buf[:k], 0
		}
	}
}

func (n *node) OpendirHandle(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	if errno := n.enter(); errno != 0 {
		return nil, 0, errno
	}
	defer n.in.leave()
	rel, errno := n.rel()
	if errno != 0 {
		return nil, 0, errno
	}
	fd, err := unix.Openat(n.fs().root, rel, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, 0, fs.ToErrno(err)
	}
	ds, errno := fs.NewLoopbackDirStreamFd(fd)
	if errno != 0 {
		unix.Close(fd)
		return nil, 0, errno
	}
	return &dirHandle{in: n.in, fd: fd, ds: ds, root: n.IsRoot()}, 0, 0
}

func (n *node) Statfs(ctx context.Context, out *fuse.StatfsOut) syscall.Errno {
	if errno := n.enter(); errno != 0 {
		return errno
	}
	defer n.in.leave()
	var s syscall.Statfs_t
	if err := syscall.Fstatfs(n.fs().root, &s); err != nil {
		return fs.ToErrno(err)
	}
	out.FromStatfsT(&s)
	return 0
}

// xattr runs call, an extended attribute call, on the node's backing
// path (those calls take paths only), inside the instance.
func (n *node) xattr(call func(path string) (int, error)) (uint32, syscall.Errno) {
	if errno := n.enter(); errno != 0 {
		return 0, errno
	}
	defer n.in.leave()
	rel, errno := n.rel()
	if errno != 0 {
		return 0, errno
	}
	k, err := call(n.fs().journal.at(rel))
	return uint32(max(k, 0)), fs.ToErrno(err)
}

func (n *node) Getxattr(ctx context.Context, attr string, dest []byte) (uint32, syscall.Errno) {
	return n.xattr(func(p string) (int, error) { return unix.Lgetxattr(p, attr, dest) })
}

func (n *node) Setxattr(ctx context.Context, attr string, data []byte, flags uint32) syscall.Errno {
	_, errno := n.xattr(func(p string) (int, error) { return 0, unix.Lsetxattr(p, attr, data, int(flags)) })
	return errno
}

func (n *node) Removexattr(ctx context.Context, attr string) syscall.Errno {
	_, errno := n.xattr(func(p string) (int, error) { return 0, unix.Lremovexattr(p, attr) })
	return errno
}

func (n *node) Listxattr(ctx context.Context, dest []byte) (uint32, syscall.Errno) {
	return n.xattr(func(p string) (int, error) { return unix.Llistxattr(p, dest) })
}
