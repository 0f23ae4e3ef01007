package starlib

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"go.starlark.net/syntax"
)

// Level is a log level, as in Python's logging.
type Level int

const (
	LevelDebug Level = iota
	LevelInfo
	LevelWarning
	LevelError
)

func (l Level) String() string {
	return [...]string{"DEBUG", "INFO", "WARNING", "ERROR"}[l]
}

// Record is one log line of a test.
type Record struct {
	Time  time.Time
	Level Level
	Pos   string // file:line of the Starlark code that logged it, if any
	Msg   string
}

// Logger receives a test's log records. Implementations must be safe for
// concurrent use.
type Logger interface {
	Log(Record)
}

type discardLogger struct{}

func (discardLogger) Log(Record) {}

// newRecord makes a record positioned at the Starlark caller of the builtin
// that is running on thread.
func newRecord(thread *starlark.Thread, level Level, msg string) Record {
	r := Record{Time: time.Now(), Level: level, Msg: msg}
	if thread.CallStackDepth() > 1 {
		pos := thread.CallFrame(1).Pos
		r.Pos = shortPath(pos.Filename()) + ":" + strconv.Itoa(int(pos.Line))
	}
	return r
}

func shortPath(path string) string {
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		return path[i+1:]
	}
	return path
}

// Debugf logs a debug record from Go code on behalf of thread's caller.
func Debugf(thread *starlark.Thread, format string, args ...any) {
	logf(thread, LevelDebug, format, args...)
}

// logf logs a record from Go code on behalf of thread's caller.
func logf(thread *starlark.Thread, level Level, format string, args ...any) {
	if env := EnvOf(thread); env != nil {
		env.Log.Log(newRecord(thread, level, fmt.Sprintf(format, args...)))
	}
}

// loggerDomain documents ctx.logger (the builtin print goes to the same
// log, see Runtime.NewThread).
func loggerDomain() Domain {
	return Domain{Name: "logger", Page: "writing-tests.md", Builtins: []Builtin{
		attribute("ctx.logger", "", "The test's logger: `debug`, `info`, `warning`, `error(format, *args)`, `%`-formatting as Python's logging. Lines go to `test_log.info` (INFO and above) and `test_log.debug` (all) with time, level and file:line; `print()` writes at INFO level."),
	}}
}

// newLoggerValue returns ctx.logger: debug, info, warning and error, each
// taking a format and arguments applied with % as Python's logging does.
func newLoggerValue(log Logger) *starlarkstruct.Struct {
	method := func(level Level) *starlark.Builtin {
		name := strings.ToLower(level.String())
		return starlark.NewBuiltin(name, func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			if len(kwargs) > 0 || len(args) == 0 {
				return nil, fmt.Errorf("logger.%s: want (format, *args)", name)
			}
			msg, err := formatLog(args[0], args[1:])
			if err != nil {
				return nil, fmt.Errorf("logger.%s: %w", name, err)
			}
			log.Log(newRecord(thread, level, msg))
			return starlark.None, nil
		})
	}
	return starlarkstruct.FromStringDict(starlark.String("logger"), starlark.StringDict{
		"debug":   method(LevelDebug),
		"info":    method(LevelInfo),
		"warning": method(LevelWarning),
		"error":   method(LevelError),
	})
}

// formatLog applies format % args like Python's logging: with no args the
// format is the message as is; a non-string format is shown with str().
func formatLog(format starlark.Value, args starlark.Tuple) (string, error) {
	s, ok := starlark.AsString(format)
	if !ok {
		s = format.String()
	}
	if len(args) == 0 {
		return s, nil
	}
	var operand starlark.Value = args
	if len(args) == 1 {
		if _, isDict := args[0].(*starlark.Dict); isDict {
			operand = args[0]
		}
	}
	v, err := starlark.Binary(syntax.PERCENT, starlark.String(s), operand)
	if err != nil {
		return "", err
	}
	return string(v.(starlark.String)), nil
}
