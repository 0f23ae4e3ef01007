package host

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/starlib"
)

// StdPrefix starts the module names that resolve to the embedded standard
// library, load("@ducktape//std/process.star", ...), and to the modules of
// builtins that starlib declares loadable, load("@ducktape//clients", ...).
const StdPrefix = "@ducktape//"

// Loader loads Starlark files with a module cache: each module is executed
// once per Loader and its frozen globals are shared by every test. Relative
// load() names resolve against the loading file's directory; names starting
// with StdPrefix resolve to Std. A load cycle is an error naming the cycle.
// Loader is safe for concurrent use; loads of different files may run at
// once, and a module being loaded by one goroutine is waited for by others.
type Loader struct {
	// Std is the standard library's file system (paths like "std/x.star").
	Std fs.FS
	// Predeclared are the names every module sees.
	Predeclared starlark.StringDict
	// Marks records the marks that loaded files make.
	Marks *starlib.Marks

	mu    sync.Mutex
	cache map[string]*moduleEntry
}

type moduleEntry struct {
	ready   chan struct{} // closed when globals/err are set
	globals starlark.StringDict
	err     error
}

// NewLoader returns a loader of modules that see predeclared.
func NewLoader(std fs.FS, predeclared starlark.StringDict) *Loader {
	return &Loader{Std: std, Predeclared: predeclared, Marks: starlib.NewMarks(), cache: map[string]*moduleEntry{}}
}

// LoadFile loads the file at path (relative paths against the current
// directory) and returns its globals.
func (l *Loader) LoadFile(file string) (starlark.StringDict, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, err
	}
	return l.load(abs, nil)
}

// Thread returns a thread whose load() resolves names relative to dir with
// this loader's cache, for executing code that is not a file (the REPL).
func (l *Loader) Thread(name, dir string) *starlark.Thread {
	thread := &starlark.Thread{Name: name}
	thread.Load = l.loadFunc(filepath.Join(dir, "<repl>"), nil)
	return thread
}

// ResolveModule turns a load() name into the module's key: StdPrefix
// names stay as they are; other names become absolute file paths relative
// to the directory of from (a key itself).
func ResolveModule(from, name string) (string, error) {
	if strings.HasPrefix(name, StdPrefix) {
		return StdPrefix + path.Clean(strings.TrimPrefix(name, StdPrefix)), nil
	}
	if strings.HasPrefix(from, StdPrefix) {
		// std modules may load their siblings by relative name.
		dir := path.Dir(strings.TrimPrefix(from, StdPrefix))
		return StdPrefix + path.Join(dir, name), nil
	}
	if filepath.IsAbs(name) {
		return filepath.Clean(name), nil
	}
	return filepath.Join(filepath.Dir(from), name), nil
}

// load loads the module key; stack holds the keys being loaded by the
// chain of load() calls that led here (for cycle errors).
func (l *Loader) load(key string, stack []string) (starlark.StringDict, error) {
	for i, k := range stack {
		if k == key {
			cycle := append(append([]string(nil), stack[i:]...), key)
			for j := range cycle {
				cycle[j] = displayPath(cycle[j])
			}
			return nil, fmt.Errorf("load cycle: %s", strings.Join(cycle, " -> "))
		}
	}
	l.mu.Lock()
	e, ok := l.cache[key]
	if !ok {
		e = &moduleEntry{ready: make(chan struct{})}
		l.cache[key] = e
	}
	l.mu.Unlock()
	if ok {
		<-e.ready
		return e.globals, e.err
	}
	e.globals, e.err = l.exec(key, append(stack, key))
	close(e.ready)
	return e.globals, e.err
}

func (l *Loader) exec(key string, stack []string) (starlark.StringDict, error) {
	if m, ok := starlib.Loadable(key); ok {
		return m, nil // a module of builtins (@ducktape//clients)
	}
	src, err := l.read(key)
	if err != nil {
		return nil, err
	}
	thread := &starlark.Thread{Name: "load " + displayPath(key), Load: l.loadFunc(key, stack)}
	thread.SetLocal(starlib.MarksKey, l.Marks)
	globals, err := starlark.ExecFileOptions(starlib.FileOptions, thread, displayPath(key), src, l.Predeclared)
	if err != nil {
		return nil, err
	}
	globals.Freeze()
	return globals, nil
}

func (l *Loader) loadFunc(from string, stack []string) func(*starlark.Thread, string) (starlark.StringDict, error) {
	return func(_ *starlark.Thread, name string) (starlark.StringDict, error) {
		key, err := ResolveModule(from, name)
		if err != nil {
			return nil, err
		}
		return l.load(key, stack)
	}
}

func (l *Loader) read(key string) ([]byte, error) {
	if rel, ok := strings.CutPrefix(key, StdPrefix); ok {
		if l.Std == nil {
			return nil, fmt.Errorf("no standard library to load %s from", key)
		}
		data, err := fs.ReadFile(l.Std, rel)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such module in the standard library", key)
		}
		return data, err
	}
	data, err := os.ReadFile(key)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: no such file", displayPath(key))
	}
	return data, err
}

// displayPath shows a module key as the user would name it: relative to
// the current directory when the file is under it, also when the current
// directory or the file's directory is reached through symbolic links (the
// file's own name is kept, so a link under the current directory keeps its
// name); else its absolute path.
func displayPath(key string) string {
	if strings.HasPrefix(key, StdPrefix) || !filepath.IsAbs(key) {
		return key
	}
	wd, err := os.Getwd()
	if err != nil {
		return key
	}
	if rel, ok := relativeUnder(wd, key); ok {
		return rel
	}
	realWD, err := filepath.EvalSymlinks(wd)
	if err != nil {
		return key
	}
	realDir, err := filepath.EvalSymlinks(filepath.Dir(key))
	if err != nil {
		return key
	}
	if rel, ok := relativeUnder(realWD, filepath.Join(realDir, filepath.Base(key))); ok {
		return rel
	}
	return key
}

// relativeUnder returns path relative to dir, if path is under dir.
func relativeUnder(dir, path string) (string, bool) {
	rel, err := filepath.Rel(dir, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}
