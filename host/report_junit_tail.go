package host

import (
	"io"
	"os"
	"strings"
)

// tailWindow bounds how much of a log tailLines reads: the end of the file,
// so a huge log costs no more than a small one.
const tailWindow = 256 << 10

// tailLines returns the last n lines of the file at path, without a final
// newline, or "" when it cannot be read. Only the last tailWindow bytes are
// read; a line cut by that window is dropped.
func tailLines(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return ""
	}
	start := max(info.Size()-tailWindow, 0)
	buf, err := io.ReadAll(io.NewSectionReader(f, start, info.Size()-start))
	if err != nil {
		return ""
	}
	text := strings.TrimRight(string(buf), "\n")
	if start > 0 {
		if _, rest, ok := strings.Cut(text, "\n"); ok {
			text = rest
		} else {
			text = ""
		}
	}
	lines := strings.Split(text, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
