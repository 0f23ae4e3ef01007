package cluster

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// copyTree copies the file or directory src of srcFS to dest on destFS. If
// dest is an existing directory, src is copied into it under its own base
// name (as scp does). Symbolic links are followed.
func copyTree(ctx context.Context, srcFS FileSystem, src string, destFS FileSystem, dest string) error {
	info, err := srcFS.Stat(src)
	if err != nil {
		return err
	}
	if di, err := destFS.Stat(dest); err == nil && di.IsDir() {
		dest = path.Join(dest, path.Base(filepath.ToSlash(src)))
	}
	return copyEntry(ctx, srcFS, src, info, destFS, dest)
}

func copyEntry(ctx context.Context, srcFS FileSystem, src string, info fs.FileInfo, destFS FileSystem, dest string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !info.IsDir() {
		f, err := srcFS.Open(src)
		if err != nil {
			return err
		}
		defer f.Close()
		return writeFile(destFS, dest, f, info.Mode().Perm())
	}
	if err := destFS.MkdirAll(dest); err != nil {
		return err
	}
	entries, err := srcFS.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		s, d := path.Join(src, e.Name()), path.Join(dest, e.Name())
		if e.Mode()&fs.ModeSymlink != 0 {
			if e, err = srcFS.Stat(s); err != nil {
				return err
			}
		}
		if err := copyEntry(ctx, srcFS, s, e, destFS, d); err != nil {
			return err
		}
	}
	return nil
}

// writeFile creates path on fsys with perm and copies r into it. io.Copy
// lets an SFTP file use its concurrent ReadFrom.
func writeFile(fsys FileSystem, path string, r io.Reader, perm fs.FileMode) error {
	w, err := fsys.Create(path, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, r); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// LocalFS is the machine's own file system as a [FileSystem], with relative
// paths resolved against the directory it names ("" for the current
// directory). It is safe for concurrent use.
type LocalFS string

func (l LocalFS) abs(p string) string {
	p = filepath.FromSlash(p)
	if string(l) == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(string(l), p)
}

func (l LocalFS) Stat(p string) (fs.FileInfo, error)  { return os.Stat(l.abs(p)) }
func (l LocalFS) Lstat(p string) (fs.FileInfo, error) { return os.Lstat(l.abs(p)) }
func (l LocalFS) Mkdir(p string) error                { return os.Mkdir(l.abs(p), 0o755) }
func (l LocalFS) MkdirAll(p string) error             { return os.MkdirAll(l.abs(p), 0o755) }
func (l LocalFS) RemoveAll(p string) error            { return os.RemoveAll(l.abs(p)) }
func (l LocalFS) Open(p string) (io.ReadCloser, error) {
	return os.Open(l.abs(p))
}
func (l LocalFS) Symlink(oldname, newname string) error { return os.Symlink(oldname, l.abs(newname)) }
func (l LocalFS) ReadLink(p string) (string, error)     { return os.Readlink(l.abs(p)) }

func (l LocalFS) Create(p string, perm fs.FileMode) (io.WriteCloser, error) {
	return os.OpenFile(l.abs(p), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
}

func (l LocalFS) ReadDir(p string) ([]fs.FileInfo, error) {
	entries, err := os.ReadDir(l.abs(p))
	if err != nil {
		return nil, err
	}
	infos := make([]fs.FileInfo, 0, len(entries))
	for _, e := range entries {
		info, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed while listing
		}
		if err != nil {
			return nil, err
		}
		infos = append(infos, info)
	}
	return infos, nil
}
