// Package chromiumtest renders HTML files and served pages in headless
// Chromium for tests that check what a browser makes of the reports and of
// ducktape serve (the DOM their scripts build). Tests skip, saying how to install it, where there is no
// Chromium. For tests only.
package chromiumtest

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// binaries are the names Chromium is installed under, in order of
// preference.
var binaries = []string{"chromium", "chromium-browser", "google-chrome"}

// DOM loads the file at path (absolute) in headless Chromium and returns
// the DOM once its scripts ran. It skips tb when Chromium is missing.
func DOM(tb testing.TB, path string) string {
	tb.Helper()
	return DOMAt(tb, "file://"+path)
}

// DOMAt is DOM of the page at url (such as http://127.0.0.1:PORT/, a page
// a test serves).
func DOMAt(tb testing.TB, url string) string {
	tb.Helper()
	bin := find(tb)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+tb.TempDir(), "--dump-dom", url)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	return string(out)
}

// find returns the path of a Chromium binary, or skips tb.
func find(tb testing.TB) string {
	tb.Helper()
	for _, name := range binaries {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	tb.Skip("chromium not found: install Debian's chromium (apt-get install -y chromium) to check how report.html renders")
	return ""
}
