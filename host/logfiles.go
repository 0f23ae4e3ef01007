package host

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ducktape-go/ducktape/starlib"
)

// debugFlushDelay bounds how long a line of the debug log stays in memory
// before it is written (see LogFiles).
const debugFlushDelay = 100 * time.Millisecond

// LogFiles is a pair of log files, <name>.info (INFO and above) and
// <name>.debug (everything), as the Python ducktape keeps them. It is a
// starlib.Logger and safe for concurrent use.
//
// INFO and higher lines are written to both files at once. DEBUG lines,
// two for every remote command a test runs, are buffered: written at most
// debugFlushDelay after they were logged, when a line of INFO or higher
// comes, when the buffer fills, and at Close. A write per line was most of
// what the Starlark side adds to a command (docs/performance.md, "A
// command at the floor"); a driver killed with SIGKILL may lose its last
// 0.1 s of debug lines.
type LogFiles struct {
	mu      sync.Mutex
	info    *os.File
	debug   *os.File
	pending *bufio.Writer // debug's buffer
	timer   *time.Timer   // flushes pending; armed while it holds lines
	armed   bool
	line    []byte // the line being formatted, reused
}

// OpenLogFiles creates dir/name.info and dir/name.debug.
func OpenLogFiles(dir, name string) (*LogFiles, error) {
	info, err := os.Create(filepath.Join(dir, name+".info"))
	if err != nil {
		return nil, err
	}
	debug, err := os.Create(filepath.Join(dir, name+".debug"))
	if err != nil {
		info.Close()
		return nil, err
	}
	l := &LogFiles{info: info, debug: debug, pending: bufio.NewWriterSize(debug, 32<<10)}
	l.timer = time.AfterFunc(time.Hour, l.flush)
	l.timer.Stop()
	return l, nil
}

// Log writes one record: "[LEVEL   2006-01-02 15:04:05.000 file:line] msg".
func (l *LogFiles) Log(r starlib.Record) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := append(l.line[:0], '[')
	b = append(b, r.Level.String()...)
	for n := len(r.Level.String()); n < 7; n++ {
		b = append(b, ' ')
	}
	b = append(b, ' ')
	b = r.Time.AppendFormat(b, "2006-01-02 15:04:05.000")
	if r.Pos != "" {
		b = append(append(b, ' '), r.Pos...)
	}
	b = append(append(append(b, "] "...), r.Msg...), '\n')
	l.line = b
	l.pending.Write(b)
	if r.Level >= starlib.LevelInfo {
		l.pending.Flush()
		l.info.Write(b)
		return
	}
	if !l.armed {
		l.armed = true
		l.timer.Reset(debugFlushDelay)
	}
}

// flush writes the buffered debug lines.
func (l *LogFiles) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.armed = false
	l.pending.Flush()
}

// Logf logs a record from Go code (no Starlark position).
func (l *LogFiles) Logf(level starlib.Level, format string, args ...any) {
	l.Log(starlib.Record{Time: time.Now(), Level: level, Msg: fmt.Sprintf(format, args...)})
}

// Close writes what is buffered and closes both files.
func (l *LogFiles) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.timer.Stop()
	l.armed = false
	err := l.pending.Flush()
	err1, err2 := l.info.Close(), l.debug.Close()
	for _, e := range []error{err, err1, err2} {
		if e != nil {
			return e
		}
	}
	return nil
}
