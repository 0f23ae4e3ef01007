package cluster

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

// sftpFS is a node's file system over one SFTP session. Relative paths
// resolve against the SFTP server's start directory, the login user's home.
// Files are *sftp.File, so io.Copy uses their concurrent ReadFrom/WriteTo.
// Safe for concurrent use.
type sftpFS struct {
	client *sftp.Client
	done   chan struct{} // closed when the SFTP session has ended
}

// openSFTP starts the sftp subsystem on a session of pool.
func openSFTP(ctx context.Context, pool *sshPool) (*sftpFS, error) {
	var r io.Reader
	var w io.WriteCloser
	_, release, err := pool.session(ctx, func(s *ssh.Session) error {
		var err error
		if w, err = s.StdinPipe(); err != nil {
			return err
		}
		if r, err = s.StdoutPipe(); err != nil {
			return err
		}
		return s.RequestSubsystem("sftp")
	})
	if err != nil {
		return nil, err
	}
	client, err := sftp.NewClientPipe(r, w, sftp.UseConcurrentWrites(true), sftp.UseConcurrentReads(true))
	if err != nil {
		release()
		return nil, err
	}
	f := &sftpFS{client: client, done: make(chan struct{})}
	go func() {
		client.Wait()
		release()
		close(f.done)
	}()
	return f, nil
}

func (f *sftpFS) alive() bool {
	select {
	case <-f.done:
		return false
	default:
		return true
	}
}

func (f *sftpFS) Stat(p string) (fs.FileInfo, error)      { return f.client.Stat(p) }
func (f *sftpFS) Lstat(p string) (fs.FileInfo, error)     { return f.client.Lstat(p) }
func (f *sftpFS) ReadDir(p string) ([]fs.FileInfo, error) { return f.client.ReadDir(p) }
func (f *sftpFS) Mkdir(p string) error                    { return f.client.Mkdir(p) }
func (f *sftpFS) MkdirAll(p string) error                 { return f.client.MkdirAll(p) }
func (f *sftpFS) Symlink(oldname, newname string) error   { return f.client.Symlink(oldname, newname) }
func (f *sftpFS) ReadLink(p string) (string, error)       { return f.client.ReadLink(p) }

func (f *sftpFS) RemoveAll(p string) error {
	if err := f.client.RemoveAll(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

func (f *sftpFS) Open(p string) (io.ReadCloser, error) { return f.client.Open(p) }

func (f *sftpFS) Create(p string, perm fs.FileMode) (io.WriteCloser, error) {
	file, err := f.client.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
	if err != nil {
		return nil, err
	}
	if err := file.Chmod(perm); err != nil {
		file.Close()
		return nil, err
	}
	return file, nil
}
