package host

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Session is one run's results directory: <root>/<YYYY-MM-DD--NNN>/, with
// <root>/latest pointing at it. Its fields do not change after creation.
type Session struct {
	ID    string
	Dir   string
	Start time.Time
	Log   *LogFiles // session_log.info and session_log.debug
}

var sessionIDPattern = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})--(\d{3,})$`)

// CreateSession creates the next session directory of the day under root:
// the counter NNN is one more than the highest of that day, and creation is
// atomic, so concurrent runs get distinct sessions.
func CreateSession(root string, now time.Time) (*Session, error) {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("creating the results root: %w", err)
	}
	day := now.Format("2006-01-02")
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("reading the results root: %w", err)
	}
	next := 1
	for _, e := range entries {
		if m := sessionIDPattern.FindStringSubmatch(e.Name()); m != nil && m[1] == day {
			if n, _ := strconv.Atoi(m[2]); n >= next {
				next = n + 1
			}
		}
	}
	for ; ; next++ {
		id := fmt.Sprintf("%s--%03d", day, next)
		dir := filepath.Join(root, id)
		err := os.Mkdir(dir, 0o755)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("creating the session directory: %w", err)
		}
		if err := pointLatest(root, id); err != nil {
			return nil, err
		}
		logs, err := OpenLogFiles(dir, "session_log")
		if err != nil {
			return nil, err
		}
		return &Session{ID: id, Dir: dir, Start: now, Log: logs}, nil
	}
}

// pointLatest makes root/latest a relative symbolic link to id, replacing
// the previous one atomically.
func pointLatest(root, id string) error {
	tmp := filepath.Join(root, ".latest-"+id)
	os.Remove(tmp)
	if err := os.Symlink(id, tmp); err != nil {
		return fmt.Errorf("linking results/latest: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(root, "latest")); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("linking results/latest: %w", err)
	}
	return nil
}

// CaseDir returns the results directory of run index (1-based) of case c,
// relative to the session directory:
// <test file path>/<test_name>/[<k=v.k2=v2>/]<index>, or with nested (the
// --nested-result-dirs layout) one level per parameter, keys sorted:
// <test file path>/<test_name>/<k=v>/<k2=v2>/<index>.
func CaseDir(c *Case, index int, nested bool) string {
	return filepath.Join(caseRunsDir(c, nested), strconv.Itoa(index))
}

// caseRunsDir is the directory that holds the runs of case c. Two cases
// whose parameters escape to the same name share it, so run indexes are
// counted per caseRunsDir, never per id.
func caseRunsDir(c *Case, nested bool) string {
	parts := []string{fileDir(c.Test.ResultsPath), c.Test.Name}
	if len(c.Params) > 0 && nested {
		parts = append(parts, ParamsDirNames(c.Params)...)
	} else if len(c.Params) > 0 {
		parts = append(parts, ParamsDirName(c.Params))
	}
	return filepath.Join(parts...)
}

// LoadFailureDir returns the results directory of a file that failed to
// load, relative to the session directory: <test file path>/load/1.
func LoadFailureDir(f *LoadFailure) string {
	return filepath.Join(fileDir(f.ResultsPath), "load", "1")
}

// fileDir maps a test file's results path (ResultsPaths) to a relative
// directory path: absolute paths lose their leading slash and ".." becomes
// "__", so results never escape the session directory.
func fileDir(file string) string {
	parts := strings.Split(filepath.ToSlash(file), "/")
	var out []string
	for _, p := range parts {
		switch p {
		case "", ".":
		case "..":
			out = append(out, "__")
		default:
			out = append(out, sanitizeDirName(p))
		}
	}
	return filepath.Join(out...)
}
