package starlib

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/cluster"
)

// monitorDomain is account.monitor_log and its log monitors.
func monitorDomain() Domain {
	return Domain{Name: "monitor", Page: "services.md", Builtins: []Builtin{
		onAccount("monitor_log", "account.monitor_log(path)", "Starts watching a log file from its current end; then `.wait_until(pattern, timeout_sec, backoff_sec = 0.1, err_msg = \"\")` waits for a line written after, matching pattern (an extended regular expression, as `grep -E`).", accountMonitorLog),
		attribute("log_monitor.wait_until", "log_monitor.wait_until(pattern, timeout_sec, backoff_sec = 0.1, err_msg = \"\")", "Waits for a line matching pattern (grep -E) written after the monitor was made."),
		attribute("log_monitor.offset", "", "The size of the file when the monitor was made."),
		attribute("log_monitor.path", "", "The file watched."),
	}}
}

// logMonitor is what account.monitor_log(path) returns, as the Python
// ducktape's LogMonitor: it remembers the size of the file when it was made
// (0 if missing) and its wait_until(pattern, timeout_sec, backoff_sec =
// 0.1, err_msg = "") looks only at what was written after, for a line
// matching pattern, an extended regular expression (grep -E). Immutable.
type logMonitor struct {
	node   *cluster.Node
	path   string
	offset int64
}

var _ starlark.HasAttrs = (*logMonitor)(nil)

func (m *logMonitor) String() string        { return fmt.Sprintf("<log monitor %s:%s>", m.node.Name, m.path) }
func (m *logMonitor) Type() string          { return "log_monitor" }
func (m *logMonitor) Freeze()               {}
func (m *logMonitor) Truth() starlark.Bool  { return true }
func (m *logMonitor) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: log_monitor") }
func (m *logMonitor) AttrNames() []string   { return []string{"offset", "path", "wait_until"} }

func (m *logMonitor) Attr(name string) (starlark.Value, error) {
	switch name {
	case "offset":
		return starlark.MakeInt64(m.offset), nil
	case "path":
		return starlark.String(m.path), nil
	case "wait_until":
		return starlark.NewBuiltin("log_monitor.wait_until", m.waitUntil), nil
	}
	return nil, nil
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func accountMonitorLog(thread *starlark.Thread, fn string, a Account, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var path string
	if err := starlark.UnpackArgs(fn, args, kwargs, "path", &path); err != nil {
		return nil, err
	}
	q := shellQuote(path)
	out, err := Blocking(thread, func(ctx context.Context) (string, error) {
		return a.remote().Output(ctx, fmt.Sprintf("if [ -f %s ]; then wc -c < %s; else echo 0; fi", q, q), cluster.OutputOptions{})
	})
	if err != nil {
		return nil, err
	}
	offset, err := strconv.ParseInt(strings.TrimSpace(out), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%s: size of %s on %s: %q is not a number", fn, path, a.node.Name, out)
	}
	return &logMonitor{node: a.node, path: path, offset: offset}, nil
}

func (m *logMonitor) waitUntil(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var pattern string
	var timeoutV, backoffV starlark.Value
	var errMsg starlark.Value = starlark.String("")
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "pattern", &pattern, "timeout_sec", &timeoutV,
		"backoff_sec?", &backoffV, "err_msg?", &errMsg); err != nil {
		return nil, err
	}
	timeout, backoff, err := pollTimes(b.Name(), timeoutV, backoffV, 100*time.Millisecond)
	if err != nil {
		return nil, err
	}
	if s, ok := starlark.AsString(errMsg); ok && s == "" {
		errMsg = starlark.String(fmt.Sprintf("%s: no line matching %q in %s on %s within %s", b.Name(), pattern, m.path, m.node.Name, timeout))
	}
	cmd := fmt.Sprintf("tail -c +%d %s 2>/dev/null | grep -E -q -e %s", m.offset+1, shellQuote(m.path), shellQuote(pattern))
	return poll(thread, b.Name(), timeout, backoff, false, errMsg, func() (starlark.Value, error) {
		status, err := Blocking(thread, func(ctx context.Context) (int, error) { return m.node.Account.SSH(ctx, cmd, true) })
		return starlark.Bool(status == 0), err
	})
}
