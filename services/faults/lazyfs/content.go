package lazyfs

import (
	"slices"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// pageSize is the unit in which unsynced data is kept: a write fills
// whole pages, reading what it does not cover from the backing file.
const pageSize = 4096

// pages recycles pages once written or dropped: a fresh one costs the
// kernel a page fault and the runtime a clearing, which made writing
// unsynced data 2 to 4 times slower (BenchmarkWrite64K). A page from it
// holds old bytes: every use overwrites or fills the whole page first (see
// content.write).
var pages = sync.Pool{New: func() any { return new([pageSize]byte) }}

// freePages gives every page of m back to pages.
func freePages(m map[int64]*[pageSize]byte) {
	for _, p := range m {
		pages.Put(p)
	}
}

// fileID names a backing file: its device and inode number, shared by
// its hard links.
type fileID struct{ dev, ino uint64 }

func statID(st *syscall.Stat_t) fileID { return fileID{uint64(st.Dev), st.Ino} }

// content is one backing file's data as the mount shows it: the backing
// file's bytes overlaid with the unsynced writes, kept in memory until an
// fsync writes them (flush).
//
// Invariants, with diskSize the backing file's size:
//   - keep <= diskSize and keep <= size: backing bytes at offsets >= keep
//     were cut off by a truncation since the last flush and read as zeros;
//   - a page holds the file's bytes at [index*pageSize, (index+1)*pageSize),
//     and its bytes at offsets >= size are zeros;
//   - the file is clean (nothing to lose or flush) when there are no pages
//     and size == keep == diskSize.
//
// mu guards every field but id and opens (guarded by the FS's mu).
type content struct {
	id    fileID
	opens int // open handles; guarded by FS.mu

	mu       sync.Mutex
	fd       int  // the backing file, readable; -1 once closed
	writable bool // fd was opened for writing
	pages    map[int64]*[pageSize]byte
	size     int64
	diskSize int64
	keep     int64
	mtime    time.Time // of the last unsynced change; zero when clean
}

// newContent returns the clean content of the backing file open at fd,
// whose size is size. It takes fd over.
func newContent(id fileID, fd int, writable bool, size int64) *content {
	return &content{id: id, fd: fd, writable: writable, size: size, diskSize: size, keep: size}
}

// dirtyLocked reports whether the content holds unsynced changes.
func (c *content) dirtyLocked() bool {
	return len(c.pages) > 0 || c.size != c.diskSize || c.keep != c.diskSize
}

// unsynced returns how many bytes of pages the content holds, and whether
// it holds any unsynced change.
func (c *content) unsynced() (int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return int64(len(c.pages)) * pageSize, c.dirtyLocked()
}

// useFd offers the content a descriptor of its backing file: it keeps it
// when it has only a read-only one and fd is writable, and returns the
// descriptor it does not keep (to be closed).
func (c *content) useFd(fd int, writable bool) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if writable && !c.writable {
		fd, c.fd = c.fd, fd
		c.writable = true
	}
	return fd
}

// attrs patches a stat of the backing file with what the mount shows:
// the size, blocks and modification time of the unsynced changes.
func (c *content) attrs(st *syscall.Stat_t) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.dirtyLocked() {
		return
	}
	st.Size = c.size
	st.Blocks = max(st.Blocks, (c.size+511)/512)
	if !c.mtime.IsZero() {
		ts := syscall.NsecToTimespec(c.mtime.UnixNano())
		st.Mtim, st.Ctim = ts, ts
	}
}

// readBacking fills dst with the backing file's bytes at off, as the
// content shows them: zeros past keep.
func (c *content) readBacking(dst []byte, off int64) error {
	n := 0
	if off < c.keep {
		want := dst[:min(int64(len(dst)), c.keep-off)]
		for n < len(want) {
			k, err := unix.Pread(c.fd, want[n:], off+int64(n))
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				return err
			}
			if k == 0 {
				break // the backing file is shorter than it was: zeros
			}
			n += k
		}
	}
	clear(dst[n:])
	return nil
}

// read copies the bytes at off into dst and returns how many there are
// (fewer than len(dst) at the end of the file).
func (c *content) read(dst []byte, off int64) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if off >= c.size {
		return 0, nil
	}
	dst = dst[:min(int64(len(dst)), c.size-off)]
	if err := c.readBacking(dst, off); err != nil {
		return 0, err
	}
	if len(c.pages) == 0 {
		return len(dst), nil
	}
	end := off + int64(len(dst))
	for idx := off / pageSize; idx*pageSize < end; idx++ {
		p := c.pages[idx]
		if p == nil {
			continue
		}
		start := idx * pageSize
		lo, hi := max(off, start), min(end, start+pageSize)
		copy(dst[lo-off:hi-off], p[lo-start:hi-start])
	}
	return len(dst), nil
}

// write keeps data, written at off, in memory.
func (c *content) write(data []byte, off int64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	end := off + int64(len(data))
	if c.pages == nil {
		c.pages = map[int64]*[pageSize]byte{}
	}
	for idx := off / pageSize; idx*pageSize < end; idx++ {
		start := idx * pageSize
		lo, hi := max(off, start), min(end, start+pageSize)
		p := c.pages[idx]
		if p == nil {
			p = pages.Get().(*[pageSize]byte)
			if lo > start || hi < start+pageSize {
				// Partly covered: the rest of the page is what the
				// file holds there (zeros past the size, since
				// keep <= size).
				if err := c.readBacking(p[:], start); err != nil {
					return err
				}
			}
			c.pages[idx] = p
		}
		copy(p[lo-start:hi-start], data[lo-off:hi-off])
	}
	c.size = max(c.size, end)
	c.mtime = time.Now()
	return nil
}

// truncate sets the size to size.
func (c *content) truncate(size int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if size < c.size {
		for idx, p := range c.pages {
			start := idx * pageSize
			switch {
			case start >= size:
				delete(c.pages, idx)
				pages.Put(p)
			case start+pageSize > size:
				clear(p[size-start:])
			}
		}
		c.keep = min(c.keep, size)
	}
	c.size = size
	c.mtime = time.Now()
}

// maxIovecs bounds the pages one pwritev writes.
const maxIovecs = 1024

// flush writes the unsynced changes to the backing file and syncs it
// (fdatasync when datasync), making them durable. The content stays as it
// was when flush fails.
func (c *content) flush(datasync bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.dirtyLocked() {
		return nil
	}
	if err := c.ensureWritableLocked(); err != nil {
		return err
	}
	if c.keep < c.diskSize {
		if err := unix.Ftruncate(c.fd, c.keep); err != nil {
			return err
		}
	}
	if err := c.writePagesLocked(); err != nil {
		return err
	}
	if err := unix.Ftruncate(c.fd, c.size); err != nil {
		return err
	}
	sync := unix.Fsync
	if datasync {
		sync = unix.Fdatasync
	}
	if err := sync(c.fd); err != nil {
		return err
	}
	if !c.mtime.IsZero() {
		ts := unix.NsecToTimespec(c.mtime.UnixNano())
		unix.UtimesNanoAt(unix.AT_FDCWD, procFd(c.fd), []unix.Timespec{{Nsec: unix.UTIME_OMIT}, ts}, 0)
	}
	freePages(c.pages)
	c.pages = nil
	c.diskSize, c.keep = c.size, c.size
	c.mtime = time.Time{}
	return nil
}

// writePagesLocked writes the pages in order, runs of adjacent ones with
// one pwritev, each clipped to the size.
func (c *content) writePagesLocked() error {
	idxs := make([]int64, 0, len(c.pages))
	for idx := range c.pages {
		if idx*pageSize < c.size {
			idxs = append(idxs, idx)
		}
	}
	slices.Sort(idxs)
	for i := 0; i < len(idxs); {
		j := i + 1
		for j < len(idxs) && j-i < maxIovecs && idxs[j] == idxs[j-1]+1 {
			j++
		}
		iov := make([][]byte, 0, j-i)
		for _, idx := range idxs[i:j] {
			iov = append(iov, c.pages[idx][:min(pageSize, c.size-idx*pageSize)])
		}
		if err := pwritevAll(c.fd, iov, idxs[i]*pageSize); err != nil {
			return err
		}
		i = j
	}
	return nil
}

// pwritevAll writes every byte of iov at off.
func pwritevAll(fd int, iov [][]byte, off int64) error {
	for len(iov) > 0 {
		n, err := unix.Pwritev(fd, iov, off)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		off += int64(n)
		for n > 0 && len(iov) > 0 {
			if n >= len(iov[0]) {
				n -= len(iov[0])
				iov = iov[1:]
			} else {
				iov[0] = iov[0][n:]
				n = 0
			}
		}
	}
	return nil
}

// close closes the backing descriptor.
func (c *content) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fd >= 0 {
		unix.Close(c.fd)
		c.fd = -1
	}
	freePages(c.pages)
	c.pages = nil
}

// extend grows the file to size (zeros), as fallocate does; a smaller
// size changes nothing.
func (c *content) extend(size int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if size > c.size {
		c.size = size
		c.mtime = time.Now()
	}
}

// stat returns the backing file's attributes as the mount shows them.
func (c *content) stat() (syscall.Stat_t, error) {
	c.mu.Lock()
	st, err := statFd(c.fd)
	c.mu.Unlock()
	if err == nil {
		c.attrs(&st)
	}
	return st, err
}
