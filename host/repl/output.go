package repl

import (
	"fmt"
	"io"
	"sync"

	"github.com/ducktape-go/ducktape/starlib"
)

// lockedWriter serialises writes to w: printed values, sh output and log
// lines may come from several goroutines of a session at once.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// consoleLogger is the session runtime's logger: print() and info records
// go to out as plain lines, warnings and errors to errOut with their level
// and position, debug records nowhere. Safe for concurrent use.
type consoleLogger struct {
	out, errOut io.Writer // lockedWriters
}

func (c consoleLogger) Log(r starlib.Record) {
	switch {
	case r.Level == starlib.LevelInfo:
		fmt.Fprintln(c.out, r.Msg)
	case r.Level > starlib.LevelInfo && r.Pos != "":
		fmt.Fprintf(c.errOut, "%s %s: %s\n", r.Level, r.Pos, r.Msg)
	case r.Level > starlib.LevelInfo:
		fmt.Fprintf(c.errOut, "%s %s\n", r.Level, r.Msg)
	}
}
