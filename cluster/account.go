package cluster

import (
	"context"
	"io"
	"io/fs"
)

// Account is the provider-specific way into one node. Implementations must be
// safe for concurrent use: several Starlark threads of a test (and several
// tests, over a node's lifetime) call them at once.
type Account interface {
	// Info describes the account; it does not change after construction.
	Info() AccountInfo

	// Exec runs cmd with a POSIX shell on the node (/bin/sh on local nodes,
	// the login shell over SSH, as `ssh host cmd` does), in the node's working
	// directory, copying its standard output and standard error to the
	// writers (either may be nil to discard). It returns the command's exit
	// status. A non-nil error means the command could not be run to
	// completion (the node is unreachable, ctx was cancelled): it never
	// stands for a non-zero exit. When ctx is cancelled the command and the
	// processes it started in the foreground are killed.
	Exec(ctx context.Context, cmd string, stdout, stderr io.Writer) (exitStatus int, err error)

	// FS returns the node's file system. Relative paths resolve against the
	// node's working directory.
	FS(ctx context.Context) (FileSystem, error)

	// Pids returns the ids of the processes whose full command line matches
	// the extended regular expression pattern (as pgrep -f). On a local node
	// only processes started from that node are considered.
	Pids(ctx context.Context, pattern string) ([]int, error)

	// Close releases connections. The account must not be used afterwards.
	Close() error
}

// AccountInfo holds the names of an account, as the Python ducktape's
// RemoteAccount exposes them.
type AccountInfo struct {
	// Hostname is the name other nodes use to reach this node.
	Hostname string
	// SSHHostname is the address the driver connects to.
	SSHHostname string
	// User is the login user.
	User string
	// ExternallyRoutableIP is the address services bind and advertise.
	ExternallyRoutableIP string
}

// FileSystem is the subset of file operations ducktape needs, as offered by
// both the os package and an SFTP client. Paths use forward slashes;
// relative paths resolve against the node's working directory. Errors for
// missing files satisfy errors.Is(err, fs.ErrNotExist).
type FileSystem interface {
	Stat(path string) (fs.FileInfo, error)
	Lstat(path string) (fs.FileInfo, error)
	ReadDir(path string) ([]fs.FileInfo, error)
	Mkdir(path string) error
	MkdirAll(path string) error
	// RemoveAll removes path and anything below it; a missing path is no error.
	RemoveAll(path string) error
	Open(path string) (io.ReadCloser, error)
	// Create creates or truncates a file with the given permission bits.
	Create(path string, perm fs.FileMode) (io.WriteCloser, error)
	Symlink(oldname, newname string) error
	ReadLink(path string) (string, error)
}
