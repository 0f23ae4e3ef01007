package starlib

import (
	"context"
	"fmt"
	"sort"
	"time"

	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/cluster"
)

// Account is the Starlark value of node.account: the Python ducktape's
// RemoteAccount API (see docs/writing-tests.md, "Nodes and accounts"). Every method
// releases the interpreter lock while it waits on the node.
type Account struct{ node *cluster.Node }

var _ starlark.HasAttrs = Account{}

func (a Account) String() string        { return fmt.Sprintf("<account %s>", a.node.Name) }
func (a Account) Type() string          { return "account" }
func (a Account) Freeze()               {}
func (a Account) Truth() starlark.Bool  { return true }
func (a Account) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: account") }

type accountMethod func(thread *starlark.Thread, fn string, a Account, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error)

// accountDomain is the account of a node (node.account): its names and
// its methods (implemented here and, ssh_capture, in capture.go).
func accountDomain() Domain {
	return Domain{Name: "account", Page: "writing-tests.md", Builtins: []Builtin{
		attribute("account", "", "A node's remote account (the Python ducktape's RemoteAccount). Relative remote paths, and the directory commands start in, are the node's working directory."),
		attribute("account.hostname", "", "The node's host name."),
		attribute("account.ssh_hostname", "", "The host name SSH connects to."),
		attribute("account.user", "", "The login user."),
		attribute("account.externally_routable_ip", "", "The address other nodes reach this one at; on the local cluster, the node's own loopback address."),
		onAccount("ssh", "account.ssh(cmd, allow_fail = False)", "Runs `cmd` through `/bin/sh` and returns its exit status; a non-zero status fails unless allow_fail.", accountSSH),
		onAccount("ssh_output", "account.ssh_output(cmd, allow_fail = False, combine_stderr = True, timeout_sec = None)", "Runs `cmd` and returns its output: at most its first 16 MiB, past which the whole output goes to a file in the test's results directory and the log says so.", accountSSHOutput),
		onAccount("ssh_capture", "account.ssh_capture(cmd, allow_fail = False, callback = None, combine_stderr = True, timeout_sec = None)", "Runs `cmd` and yields its output lines as they arrive (each passed through `callback(line)` when given); leaving the loop early stops the command.", accountSSHCapture),
		onAccount("alive", "account.alive(pid)", "Whether the process is running.", accountAlive),
		onAccount("pids", "account.pids(pattern)", "The ids of the processes whose full command line matches pattern, a Go (RE2) regular expression (listed with `ps` on SSH nodes, from /proc on local ones, where only the node's own processes count).", accountPids),
		onAccount("signal", "account.signal(pid, sig, allow_fail = False)", "Sends a signal, by number or name: `15`, `\"TERM\"`, `\"SIGTERM\"`.", accountSignal),
		onAccount("kill_process", "account.kill_process(pattern, clean_shutdown = True, allow_fail = False)", "Sends SIGTERM (SIGKILL unless clean_shutdown) to every process that `pids(pattern)` finds; does not wait for them to exit.", accountKillProcess),
		onAccount("copy_to", "account.copy_to(src, dest)", "Copies a local file or directory to the node; into dest when dest is an existing directory (as scp).", accountCopy("copy_to")),
		onAccount("copy_from", "account.copy_from(src, dest)", "Copies a file or directory from the node to this machine; into dest when dest is an existing directory (as scp).", accountCopy("copy_from")),
		onAccount("copy_between", "account.copy_between(src, dest, dest_node)", "Copies a file or directory from this node to another.", accountCopyBetween),
		onAccount("create_file", "account.create_file(path, contents)", "Writes a file on the node.", accountCreateFile),
		onAccount("read_file", "account.read_file(path)", "Returns a file's contents.", accountReadFile),
		onAccount("mkdir", "account.mkdir(path)", "Creates a directory.", accountPathOp("mkdir")),
		onAccount("mkdirs", "account.mkdirs(path)", "Creates a directory and its parents.", accountPathOp("mkdirs")),
		onAccount("remove", "account.remove(path, allow_fail = False)", "Removes a file or a directory tree.", accountRemove),
		onAccount("exists", "account.exists(path)", "Whether the path exists.", accountPathTest("exists")),
		onAccount("isfile", "account.isfile(path)", "Whether the path is a regular file.", accountPathTest("isfile")),
		onAccount("isdir", "account.isdir(path)", "Whether the path is a directory.", accountPathTest("isdir")),
		onAccount("islink", "account.islink(path)", "Whether the path is a symbolic link.", accountPathTest("islink")),
	}}
}

func (a Account) AttrNames() []string {
	names := []string{"externally_routable_ip", "hostname", "ssh_hostname", "user"}
	for name := range getUniverse().account {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func (a Account) Attr(name string) (starlark.Value, error) {
	info := a.node.Account.Info()
	switch name {
	case "hostname":
		return starlark.String(info.Hostname), nil
	case "ssh_hostname":
		return starlark.String(info.SSHHostname), nil
	case "user":
		return starlark.String(info.User), nil
	case "externally_routable_ip":
		return starlark.String(info.ExternallyRoutableIP), nil
	}
	return boundMethod("account", name, getUniverse().account, a), nil
}

func (a Account) remote() *cluster.RemoteAccount { return a.node.Account }

// run logs cmd, runs fn without the interpreter lock and logs how it ended.
func (a Account) run(thread *starlark.Thread, cmd string, fn func(ctx context.Context) (int, error)) (int, error) {
	Debugf(thread, "%s$ %s", a.node.Name, cmd)
	start := time.Now()
	status, err := Blocking(thread, fn)
	if err == nil {
		Debugf(thread, "%s: exit status %d after %s", a.node.Name, status, time.Since(start).Round(time.Millisecond))
	}
	return status, err
}

func accountSSH(thread *starlark.Thread, fn string, a Account, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var cmd string
	var allowFail bool
	if err := starlark.UnpackArgs(fn, args, kwargs, "cmd", &cmd, "allow_fail?", &allowFail); err != nil {
		return nil, err
	}
	status, err := a.run(thread, cmd, func(ctx context.Context) (int, error) {
		return a.remote().SSH(ctx, cmd, allowFail)
	})
	if err != nil {
		return nil, err
	}
	return starlark.MakeInt(status), nil
}

// timeoutArg converts an optional timeout_sec argument (None or a number).
func timeoutArg(fn string, v starlark.Value) (time.Duration, error) {
	if v == nil || v == starlark.None {
		return 0, nil
	}
	f, ok := starlark.AsFloat(v)
	if !ok || f <= 0 {
		return 0, fmt.Errorf("%s: timeout_sec must be a positive number or None, not %s", fn, v)
	}
	return time.Duration(f * float64(time.Second)), nil
}

func accountSSHOutput(thread *starlark.Thread, fn string, a Account, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var cmd string
	opts := cluster.OutputOptions{CombineStderr: true}
	var timeout starlark.Value
	if err := starlark.UnpackArgs(fn, args, kwargs, "cmd", &cmd, "allow_fail?", &opts.AllowFail,
		"combine_stderr?", &opts.CombineStderr, "timeout_sec?", &timeout); err != nil {
		return nil, err
	}
	var err error
	if opts.Timeout, err = timeoutArg(fn, timeout); err != nil {
		return nil, err
	}
	spill := spillFor(thread, a.node.Name)
	if spill != nil {
		opts.Spill = spill.open
	}
	var out string
	_, err = a.run(thread, cmd, func(ctx context.Context) (int, error) {
		var err error
		out, err = a.remote().Output(ctx, cmd, opts)
		return 0, err
	})
	spill.report(thread, cmd)
	if err != nil {
		return nil, err
	}
	return starlark.String(out), nil
}

func accountAlive(thread *starlark.Thread, fn string, a Account, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var pid int
	if err := starlark.UnpackArgs(fn, args, kwargs, "pid", &pid); err != nil {
		return nil, err
	}
	alive, err := Blocking(thread, func(ctx context.Context) (bool, error) { return a.remote().Alive(ctx, pid) })
	return starlark.Bool(alive), err
}

func accountSignal(thread *starlark.Thread, fn string, a Account, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var pid int
	var sigv starlark.Value
	var allowFail bool
	if err := starlark.UnpackArgs(fn, args, kwargs, "pid", &pid, "sig", &sigv, "allow_fail?", &allowFail); err != nil {
		return nil, err
	}
	sigText := sigv.String()
	if s, ok := starlark.AsString(sigv); ok {
		sigText = s
	}
	sig, err := cluster.ParseSignal(sigText)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	_, err = a.run(thread, fmt.Sprintf("kill -%d %d", int(sig), pid), func(ctx context.Context) (int, error) {
		return 0, a.remote().Signal(ctx, pid, sig, allowFail)
	})
	return starlark.None, err
}

func accountKillProcess(thread *starlark.Thread, fn string, a Account, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var pattern string
	cleanShutdown, allowFail := true, false
	if err := starlark.UnpackArgs(fn, args, kwargs, "pattern", &pattern, "clean_shutdown?", &cleanShutdown, "allow_fail?", &allowFail); err != nil {
		return nil, err
	}
	pids, err := Blocking(thread, func(ctx context.Context) ([]int, error) {
		return a.remote().KillProcess(ctx, pattern, cleanShutdown, allowFail)
	})
	Debugf(thread, "%s: kill_process %q signalled %v", a.node.Name, pattern, pids)
	return starlark.None, err
}

func accountPids(thread *starlark.Thread, fn string, a Account, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var pattern string
	if err := starlark.UnpackArgs(fn, args, kwargs, "pattern", &pattern); err != nil {
		return nil, err
	}
	pids, err := Blocking(thread, func(ctx context.Context) ([]int, error) { return a.remote().Pids(ctx, pattern) })
	if err != nil {
		return nil, err
	}
	vals := make([]starlark.Value, len(pids))
	for i, pid := range pids {
		vals[i] = starlark.MakeInt(pid)
	}
	return starlark.NewList(vals), nil
}

func accountCopy(name string) accountMethod {
	return func(thread *starlark.Thread, fn string, a Account, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var src, dest string
		if err := starlark.UnpackArgs(fn, args, kwargs, "src", &src, "dest", &dest); err != nil {
			return nil, err
		}
		Debugf(thread, "%s: %s %s -> %s", a.node.Name, name, src, dest)
		_, err := Blocking(thread, func(ctx context.Context) (struct{}, error) {
			if name == "copy_to" {
				return struct{}{}, a.remote().CopyTo(ctx, src, dest)
			}
			return struct{}{}, a.remote().CopyFrom(ctx, src, dest)
		})
		return starlark.None, err
	}
}

func accountCopyBetween(thread *starlark.Thread, fn string, a Account, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var src, dest string
	var destNode starlark.Value
	if err := starlark.UnpackArgs(fn, args, kwargs, "src", &src, "dest", &dest, "dest_node", &destNode); err != nil {
		return nil, err
	}
	to, err := AsNode(fn, "dest_node", destNode)
	if err != nil {
		return nil, err
	}
	Debugf(thread, "%s: copy_between %s -> %s:%s", a.node.Name, src, to.Name, dest)
	_, err = Blocking(thread, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, a.remote().CopyBetween(ctx, src, dest, to.Account)
	})
	return starlark.None, err
}

func accountCreateFile(thread *starlark.Thread, fn string, a Account, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var path, contents string
	if err := starlark.UnpackArgs(fn, args, kwargs, "path", &path, "contents", &contents); err != nil {
		return nil, err
	}
	_, err := Blocking(thread, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, a.remote().CreateFile(ctx, path, []byte(contents))
	})
	return starlark.None, err
}

func accountReadFile(thread *starlark.Thread, fn string, a Account, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var path string
	if err := starlark.UnpackArgs(fn, args, kwargs, "path", &path); err != nil {
		return nil, err
	}
	data, err := Blocking(thread, func(ctx context.Context) ([]byte, error) { return a.remote().ReadFile(ctx, path) })
	return starlark.String(data), err
}

func accountPathOp(name string) accountMethod {
	return func(thread *starlark.Thread, fn string, a Account, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var path string
		if err := starlark.UnpackArgs(fn, args, kwargs, "path", &path); err != nil {
			return nil, err
		}
		_, err := Blocking(thread, func(ctx context.Context) (struct{}, error) {
			if name == "mkdir" {
				return struct{}{}, a.remote().Mkdir(ctx, path)
			}
			return struct{}{}, a.remote().Mkdirs(ctx, path)
		})
		return starlark.None, err
	}
}

func accountRemove(thread *starlark.Thread, fn string, a Account, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var path string
	var allowFail bool
	if err := starlark.UnpackArgs(fn, args, kwargs, "path", &path, "allow_fail?", &allowFail); err != nil {
		return nil, err
	}
	_, err := Blocking(thread, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, a.remote().Remove(ctx, path, allowFail)
	})
	return starlark.None, err
}

func accountPathTest(name string) accountMethod {
	test := map[string]func(*cluster.RemoteAccount, context.Context, string) (bool, error){
		"exists": (*cluster.RemoteAccount).Exists,
		"isfile": (*cluster.RemoteAccount).IsFile,
		"isdir":  (*cluster.RemoteAccount).IsDir,
		"islink": (*cluster.RemoteAccount).IsLink,
	}[name]
	return func(thread *starlark.Thread, fn string, a Account, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var path string
		if err := starlark.UnpackArgs(fn, args, kwargs, "path", &path); err != nil {
			return nil, err
		}
		ok, err := Blocking(thread, func(ctx context.Context) (bool, error) { return test(a.remote(), ctx, path) })
		return starlark.Bool(ok), err
	}
}
