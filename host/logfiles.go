package host

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ducktape-go/ducktape/starlib"
)

// LogFiles is a pair of log files, <name>.info (INFO and above) and
// <name>.debug (everything), as the Python ducktape keeps them. It is a
// starlib.Logger and safe for concurrent use.
type LogFiles struct {
	mu    sync.Mutex
	info  *os.File
	debug *os.File
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
	return &LogFiles{info: info, debug: debug}, nil
}

// Log writes one record: "[LEVEL   2006-01-02 15:04:05.000 file:line] msg".
func (l *LogFiles) Log(r starlib.Record) {
	pos := ""
	if r.Pos != "" {
		pos = " " + r.Pos
	}
	line := fmt.Sprintf("[%-7s %s%s] %s\n", r.Level, r.Time.Format("2006-01-02 15:04:05.000"), pos, r.Msg)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.debug.WriteString(line)
	if r.Level >= starlib.LevelInfo {
		l.info.WriteString(line)
	}
}

// Logf logs a record from Go code (no Starlark position).
func (l *LogFiles) Logf(level starlib.Level, format string, args ...any) {
	l.Log(starlib.Record{Time: time.Now(), Level: level, Msg: fmt.Sprintf(format, args...)})
}

// Close closes both files.
func (l *LogFiles) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	err1, err2 := l.info.Close(), l.debug.Close()
	if err1 != nil {
		return err1
	}
	return err2
}
