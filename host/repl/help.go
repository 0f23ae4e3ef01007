package repl

import (
	"fmt"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
)

// helpEntry documents one thing a REPL user meets: a global ("sh"), a
// builtin by its Starlark name ("account.ssh", "assert.eq"), or a type by
// its type name ("account").
type helpEntry struct {
	Name string
	Sig  string // how to call it; "" for values that are not called
	Doc  string
}

// helpTable is the single source of the REPL's help texts: help() prints
// them and docs/repl.md's builtin list is generated from them (see
// TestDocsBuiltinList). Builtins missing here still get their name and type.
var helpTable = []helpEntry{
	// The REPL's own globals.
	{"nodes", "", "The list of nodes allocated to the session (all of the cluster's, or --nodes N)."},
	{"ctx", "", "The session's test context, for creating services: svc = my_service(ctx, num_nodes = 1). ctx.results_dir is where their logs go when the session ends."},
	{"cluster", "", "The session's nodes as a test sees ctx.cluster: len(cluster), cluster[i], cluster.alloc(n), cluster.free(nodes), cluster.num_available()."},
	{"sh", "sh(cmd, nodes = None)", "Runs a shell command on every node of the session (or on the given nodes) at once and prints each node's output under its name. Fails, after printing, if the command failed anywhere."},
	{"help", "help(x = None)", "Prints what a builtin or value does: its signature and text, or a value's attributes. help(\"name\") looks a name up."},
	{"exit", "exit()", "Leaves the REPL (as Ctrl-D does): stops the session's services and frees its nodes."},
	{"_", "", "The value of the last expression that was not None."},

	// Values.
	{"node", "", "A cluster node: node.name, node.os, node.node_type, node.account."},
	{"node.name", "", "The node's name, unique in the cluster (\"local1\", \"worker1\")."},
	{"node.os", "", "The node's operating system (\"linux\" unless the cluster file says otherwise)."},
	{"node.node_type", "", "The node's type from the cluster file, or None."},
	{"node.account", "", "The node's remote account: commands, files and processes on the node."},
	{"account", "", "A node's remote account (the Python ducktape's RemoteAccount). Relative paths are the node's working directory."},
	{"account.hostname", "", "The node's host name."},
	{"account.ssh_hostname", "", "The host name SSH connects to."},
	{"account.user", "", "The login user."},
	{"account.externally_routable_ip", "", "The address other nodes reach this one at."},
	{"account.ssh", "account.ssh(cmd, allow_fail = False)", "Runs a shell command and returns its exit status; a non-zero status fails unless allow_fail."},
	{"account.ssh_output", "account.ssh_output(cmd, allow_fail = False, combine_stderr = True, timeout_sec = None)", "Runs a shell command and returns its output."},
	{"account.ssh_capture", "account.ssh_capture(cmd, allow_fail = False, combine_stderr = True, timeout_sec = None)", "Runs a shell command and yields its output lines as they arrive."},
	{"account.alive", "account.alive(pid)", "Whether the process is running."},
	{"account.signal", "account.signal(pid, sig, allow_fail = False)", "Sends a signal, by number or name (15, \"TERM\", \"SIGTERM\")."},
	{"account.kill_process", "account.kill_process(pattern, clean_shutdown = True, allow_fail = False)", "Signals the processes whose command line matches the pattern (TERM, or KILL unless clean_shutdown)."},
	{"account.pids", "account.pids(pattern)", "The ids of the processes whose command line matches the pattern."},
	{"account.copy_to", "account.copy_to(src, dest)", "Copies a local file or directory to the node."},
	{"account.copy_from", "account.copy_from(src, dest)", "Copies a file or directory from the node to this machine."},
	{"account.copy_between", "account.copy_between(src, dest, dest_node)", "Copies a file or directory from this node to another."},
	{"account.create_file", "account.create_file(path, contents)", "Writes a file on the node."},
	{"account.read_file", "account.read_file(path)", "Returns a file's contents."},
	{"account.mkdir", "account.mkdir(path)", "Creates a directory."},
	{"account.mkdirs", "account.mkdirs(path)", "Creates a directory and its parents."},
	{"account.remove", "account.remove(path, allow_fail = False)", "Removes a file or directory tree."},
	{"account.exists", "account.exists(path)", "Whether the path exists."},
	{"account.isfile", "account.isfile(path)", "Whether the path is a regular file."},
	{"account.isdir", "account.isdir(path)", "Whether the path is a directory."},
	{"account.islink", "account.islink(path)", "Whether the path is a symbolic link."},
	{"account.monitor_log", "account.monitor_log(path)", "Starts watching a log file from its current end; then .wait_until(pattern, timeout_sec, backoff_sec = 0.1, err_msg = \"\") waits for a line matching the pattern."},
	{"account.wait_for_http_service", "account.wait_for_http_service(port, path = \"/\", timeout_sec = 20)", "Waits until an HTTP server on the node answers on the port."},
	{"cluster.nodes", "", "The list of the cluster's nodes."},
	{"cluster.alloc", "cluster.alloc(num_nodes = 1, nodes = None)", "Takes nodes not yet taken: a number of any kind, or one per node_spec in nodes."},
	{"cluster.free", "cluster.free(nodes)", "Gives nodes back."},
	{"cluster.num_available", "cluster.num_available()", "How many nodes are not taken."},

	// Builtins of tests.
	{"service", "service(name, start_node, stop_node = None, clean_node = None, wait_node = None, pids = None, alive = None, logs = None, methods = None, config = None, num_nodes = 1)", "Defines a service; calling it as svc = my_service(ctx, num_nodes = N, **config) takes its nodes. Then svc.start(), svc.stop(), svc.bounce(), ... (help(svc) lists them)."},
	{"background_service", "background_service(name, worker, start_node = None, ...)", "Defines a service whose worker(svc, idx, node) runs on its own thread per node from start(); wait() joins them."},
	{"parallel", "parallel(fn, items)", "[fn(x) for x in items], the calls running concurrently; results in order, errors joined."},
	{"run_parallel", "run_parallel(*services, timeout_sec = 600)", "Starts, waits for and stops each service, all concurrently."},
	{"wait_until", "wait_until(cond, timeout_sec, backoff_sec = 0.1, err_msg = \"\", retry_on_exc = False)", "Calls cond() until it returns a true value; fails with err_msg after timeout_sec."},
	{"node_spec", "node_spec(os = None, node_type = None)", "A request for one node, for cluster.alloc(nodes = [...])."},

	{"faults", "", "Fault injection (docs/faults.md): faults.partition(group_a, group_b, ...), isolate(node), delay(node, ms), loss(node, percent), pause(service), kill(service), cycle(make_fault, every, duration), heal_all(), history(). Healed when the session ends."},

	// Marks: top-level calls in test files (see docs/marks.md).
	{"matrix", "matrix(test, **lists)", "Mark: one case of test per combination of the lists' values. In test files only."},
	{"parametrize", "parametrize(test, **params)", "Mark: one case of test with these parameters per call. In test files only."},
	{"defaults", "defaults(test, **lists)", "Mark: values crossed into every case of test that lacks the key. In test files only."},
	{"ignore", "ignore(test, **params)", "Mark: every case of test, or those matching params, is IGNORE. In test files only."},
	{"env", "env(test, **vars)", "Mark: test is IGNORE unless the environment has these values. In test files only."},
	{"timeout", "timeout(test, duration)", "Mark: cancel test after a duration (\"10m\") or a number of seconds. In test files only."},
	{"assert", "", "Assertions: assert.eq, assert.ne, assert.true, assert.contains, assert.fails."},
	{"assert.eq", "assert.eq(x, y, msg = None)", "Fails unless x == y."},
	{"assert.ne", "assert.ne(x, y, msg = None)", "Fails unless x != y."},
	{"assert.true", "assert.true(cond, msg = None)", "Fails unless cond is true."},
	{"assert.contains", "assert.contains(container, x, msg = None)", "Fails unless x is in container."},
	{"assert.fails", "assert.fails(fn, pattern)", "Calls fn() and fails unless it fails with an error matching the pattern."},
	{"json", "", "JSON: json.encode(x), json.decode(s), json.indent(s)."},
	{"time", "", "Time: time.now(), time.parse_duration(s), durations and times."},
	{"math", "", "Mathematical functions and constants."},
	{"struct", "struct(**kwargs)", "An immutable value with the given attributes."},
}

var helpIndex = func() map[string]*helpEntry {
	m := make(map[string]*helpEntry, len(helpTable))
	for i := range helpTable {
		m[helpTable[i].Name] = &helpTable[i]
	}
	return m
}()

// help(x = None): without an argument, an overview; with a string, the
// global or help entry of that name; with any other value, what it is.
func (s *Session) help(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 0, &x); err != nil {
		return nil, err
	}
	var text string
	switch x := x.(type) {
	case nil:
		text = s.overview()
	case starlark.String:
		if v, ok := s.globals[string(x)]; ok {
			text = describe(v)
		} else if e := helpIndex[string(x)]; e != nil {
			text = e.String()
		} else {
			text = fmt.Sprintf("no help for %q", string(x))
		}
	default:
		text = describe(x)
	}
	fmt.Fprintln(s.out, strings.TrimRight(text, "\n"))
	return starlark.None, nil
}

func (s *Session) overview() string {
	var b strings.Builder
	b.WriteString("The session's globals: nodes, cluster, ctx, sh(cmd), help(x), exit() and every builtin of tests.\n")
	b.WriteString("help(x) tells what x does; Tab completes names and attributes; Ctrl-C cancels a command; Ctrl-D leaves.\n\n")
	var names []string
	for _, name := range s.globalNames() {
		if _, ok := s.globals[name]; ok && !strings.HasPrefix(name, "_") {
			names = append(names, name)
		}
	}
	b.WriteString(wrap(strings.Join(names, ", "), 78))
	return b.String()
}

// String formats an entry as help prints it.
func (e *helpEntry) String() string {
	head := e.Sig
	if head == "" {
		head = e.Name
	}
	return head + "\n    " + e.Doc
}

// describe says what v is: its help entry, its signature and doc string,
// or its type and attributes.
func describe(v starlark.Value) string {
	switch v := v.(type) {
	case *starlark.Builtin:
		if e := helpIndex[v.Name()]; e != nil {
			return e.String()
		}
		return fmt.Sprintf("%s(...)\n    A builtin function (no help text).", v.Name())
	case *starlark.Function:
		return functionHelp(v)
	case *starlarkstruct.Module:
		return withAttrs(helpIndex[v.Name], v.Name, v)
	case starlark.HasAttrs:
		return withAttrs(helpIndex[v.Type()], v.Type(), v)
	}
	return fmt.Sprintf("%s value: %s", v.Type(), v)
}

// withAttrs is e's text (if any) followed by v's attributes, one a line
// with the first sentence of their help.
func withAttrs(e *helpEntry, typ string, v starlark.HasAttrs) string {
	var b strings.Builder
	if e != nil {
		b.WriteString(e.String())
	} else {
		fmt.Fprintf(&b, "%s value: %s", typ, v)
	}
	b.WriteString("\n\nAttributes:\n")
	names := v.AttrNames()
	width := 0
	for _, name := range names {
		width = max(width, len(name))
	}
	for _, name := range names {
		line := name
		if e := helpIndex[typ+"."+name]; e != nil {
			line = fmt.Sprintf("%-*s  %s", width, name, firstSentence(e.Doc))
		}
		fmt.Fprintf(&b, "    %s\n", line)
	}
	return b.String()
}

// functionHelp is a Starlark function's signature and doc string. The
// parameters come as Param numbers them: positional ones, keyword-only
// ones, then *args and **kwargs.
func functionHelp(fn *starlark.Function) string {
	param := func(i int) string {
		name, _ := fn.Param(i)
		if d := fn.ParamDefault(i); d != nil {
			name += " = " + d.String()
		}
		return name
	}
	n, kwonly := fn.NumParams(), fn.NumKwonlyParams()
	if fn.HasKwargs() {
		n--
	}
	if fn.HasVarargs() {
		n--
	}
	var params []string
	for i := range n - kwonly {
		params = append(params, param(i))
	}
	if fn.HasVarargs() {
		name, _ := fn.Param(n)
		params = append(params, "*"+name)
	} else if kwonly > 0 {
		params = append(params, "*")
	}
	for i := n - kwonly; i < n; i++ {
		params = append(params, param(i))
	}
	if fn.HasKwargs() {
		name, _ := fn.Param(fn.NumParams() - 1)
		params = append(params, "**"+name)
	}
	text := fmt.Sprintf("%s(%s)", fn.Name(), strings.Join(params, ", "))
	if doc := fn.Doc(); doc != "" {
		text += "\n    " + strings.ReplaceAll(doc, "\n", "\n    ")
	}
	return text + "\n    Defined at " + fn.Position().String() + "."
}

func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}

// wrap breaks a comma-separated list into lines of at most width.
func wrap(s string, width int) string {
	var b strings.Builder
	col := 0
	for _, word := range strings.Split(s, " ") {
		if col > 0 && col+1+len(word) > width {
			b.WriteByte('\n')
			col = 0
		} else if col > 0 {
			b.WriteByte(' ')
			col++
		}
		b.WriteString(word)
		col += len(word)
	}
	return b.String()
}

// markdownBuiltins is docs/repl.md's builtin list, generated from helpTable.
func markdownBuiltins() string {
	var b strings.Builder
	for _, e := range helpTable {
		head := e.Sig
		if head == "" {
			head = e.Name
		}
		fmt.Fprintf(&b, "- `%s`: %s\n", head, e.Doc)
	}
	return b.String()
}
