package hosttest

import (
	"os"
	"path/filepath"
	"testing"
)

// WriteFile writes contents to dir/name, creating the directories on the
// way, and returns the file's path. Errors fail tb.
func WriteFile(tb testing.TB, dir, name, contents string) string {
	tb.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(contents), 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

// WriteTree writes files (a path relative to a new temporary directory ->
// its contents) and returns the directory.
func WriteTree(tb testing.TB, files map[string]string) string {
	tb.Helper()
	root := tb.TempDir()
	for name, contents := range files {
		WriteFile(tb, root, name, contents)
	}
	return root
}
