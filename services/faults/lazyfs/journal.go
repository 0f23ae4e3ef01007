package lazyfs

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// TrashDir is the directory, at the root of the backing directory, that
// holds what was removed or replaced since the last sync, so that a power
// loss can put it back. The mount hides it: this one name is reserved at
// the mount's root.
const TrashDir = ".ducktape-lazyfs"

// changeKind is what a metadata change did.
type changeKind int

const (
	created   changeKind = iota // a file, link, symlink or special file at path
	madeDir                     // a directory at path
	removed                     // path moved to trash (unlink, rmdir)
	renamed                     // from moved to path; what path held moved to trash, or was the empty directory dir
	exchanged                   // from and path swapped
	chattr                      // path's mode, owner or times changed from attrs
)

// change is one metadata change not yet durable: applied to the backing
// directory at once, and undone by a power loss. Paths are relative to
// the backing directory.
type change struct {
	kind  changeKind
	path  string
	from  string
	trash string      // the name under TrashDir of what was removed or replaced; "" for none
	attrs *savedAttrs // chattr: the attributes before; renamed: those of the empty directory replaced
}

// savedAttrs are the attributes a change may have to restore.
type savedAttrs struct {
	mode         uint32 // with the file type bits
	uid, gid     int
	atime, mtime unix.Timespec
}

func saveAttrs(st *syscall.Stat_t) *savedAttrs {
	return &savedAttrs{mode: st.Mode, uid: int(st.Uid), gid: int(st.Gid),
		atime: unix.Timespec{Sec: st.Atim.Sec, Nsec: st.Atim.Nsec}, mtime: unix.Timespec{Sec: st.Mtim.Sec, Nsec: st.Mtim.Nsec}}
}

// journal is the list of metadata changes since the last sync, in order,
// with the trash that holds what they removed. It is not safe for
// concurrent use: the FS's mu guards it.
type journal struct {
	root    int // the backing directory
	seq     int // names trash entries
	changes []change
}

// at returns the path of rel in the backing directory as the helper
// reaches it, below any mount on top (see procFd).
func (j *journal) at(rel string) string { return procFd(j.root) + "/" + rel }

// trashEntry returns a new name under TrashDir (relative to the backing
// directory), creating TrashDir when needed.
func (j *journal) trashEntry() (string, error) {
	if err := unix.Mkdirat(j.root, TrashDir, 0o700); err != nil && err != unix.EEXIST {
		return "", err
	}
	j.seq++
	return TrashDir + "/" + strconv.Itoa(j.seq), nil
}

func (j *journal) record(c change) { j.changes = append(j.changes, c) }

// pending returns how many changes a power loss would undo.
func (j *journal) pending() int { return len(j.changes) }

// commit makes every change durable: what is in the trash is deleted for
// good. It returns the regular files whose last link went with it.
func (j *journal) commit() ([]fileID, error) {
	var gone []fileID
	var errs []error
	for _, c := range j.changes {
		if c.trash == "" {
			continue
		}
		if st, err := lstatAt(j.root, c.trash); err == nil && st.Mode&unix.S_IFMT == unix.S_IFREG && st.Nlink == 1 {
			gone = append(gone, statID(&st))
		}
		errs = append(errs, os.RemoveAll(j.at(c.trash)))
	}
	j.changes = nil
	return gone, errors.Join(errs...)
}

// undo reverts every change, newest first, and forgets them. It goes on
// after a failure and returns every error.
func (j *journal) undo() error {
	var errs []error
	for i := len(j.changes) - 1; i >= 0; i-- {
		if err := j.revert(j.changes[i]); err != nil {
			errs = append(errs, fmt.Errorf("undoing %s: %w", j.changes[i], err))
		}
	}
	j.changes = nil
	return errors.Join(errs...)
}

func (j *journal) revert(c change) error {
	switch c.kind {
	case created:
		return unix.Unlinkat(j.root, c.path, 0)
	case madeDir:
		return os.RemoveAll(j.at(c.path))
	case removed:
		return unix.Renameat(j.root, c.trash, j.root, c.path)
	case renamed:
		if err := unix.Renameat(j.root, c.path, j.root, c.from); err != nil {
			return err
		}
		switch {
		case c.trash != "":
			return unix.Renameat(j.root, c.trash, j.root, c.path)
		case c.attrs != nil:
			if err := unix.Mkdirat(j.root, c.path, c.attrs.mode&0o7777); err != nil {
				return err
			}
			return restoreAttrs(j.root, c.path, c.attrs)
		}
		return nil
	case exchanged:
		return unix.Renameat2(j.root, c.from, j.root, c.path, unix.RENAME_EXCHANGE)
	case chattr:
		return restoreAttrs(j.root, c.path, c.attrs)
	}
	return fmt.Errorf("unknown change %d", c.kind)
}

// restoreAttrs puts back the owner, mode and times of rel.
func restoreAttrs(root int, rel string, a *savedAttrs) error {
	if err := unix.Fchownat(root, rel, a.uid, a.gid, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return err
	}
	if a.mode&unix.S_IFMT != unix.S_IFLNK { // a symbolic link's mode cannot change
		if err := unix.Fchmodat(root, rel, a.mode&0o7777, 0); err != nil {
			return err
		}
	}
	return unix.UtimesNanoAt(root, rel, []unix.Timespec{a.atime, a.mtime}, unix.AT_SYMLINK_NOFOLLOW)
}

func (c change) String() string {
	switch c.kind {
	case created:
		return "the creation of " + c.path
	case madeDir:
		return "the creation of directory " + c.path
	case removed:
		return "the removal of " + c.path
	case renamed:
		return "the rename of " + c.from + " to " + c.path
	case exchanged:
		return "the exchange of " + c.from + " and " + c.path
	case chattr:
		return "the attribute change of " + c.path
	}
	return "an unknown change"
}

// procFd is the path of descriptor fd of this process. Paths below it
// resolve from the directory fd was opened on, even when a mount now
// covers that directory: so the helper reaches the backing directory
// through the lazy file system mounted over it.
func procFd(fd int) string { return "/proc/self/fd/" + strconv.Itoa(fd) }
