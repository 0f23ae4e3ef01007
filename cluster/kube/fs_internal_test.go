package kube

import (
	"io/fs"
	"strings"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	for _, tc := range []struct {
		line string
		mode fs.FileMode
		size int64
		name string
	}{
		{"81a4 12 1700000000 a b.txt", 0o644, 12, "a b.txt"},
		{"41ed 4096 1700000000 dir", fs.ModeDir | 0o755, 4096, "dir"},
		{"a1ff 3 1700000000 link", fs.ModeSymlink | 0o777, 3, "link"},
		{"89ed 0 1700000000 suid", fs.ModeSetuid | 0o755, 0, "suid"},
		{"43ff 0 1700000000 tmp", fs.ModeDir | fs.ModeSticky | 0o777, 0, "tmp"},
	} {
		info, err := parseStat(tc.line)
		if err != nil || info.mode != tc.mode || info.size != tc.size || info.name != tc.name || !info.mtime.Equal(time.Unix(1700000000, 0)) {
			t.Errorf("parseStat(%q) = %+v, %v", tc.line, info, err)
		}
	}
	for _, bad := range []string{"", "81a4 12", "zz 1 2 n", "81a4 x 2 n"} {
		if _, err := parseStat(bad); err == nil {
			t.Errorf("parseStat(%q) accepted it", bad)
		}
	}
}

func TestParseFind(t *testing.T) {
	for _, tc := range []struct {
		entry string
		mode  fs.FileMode
		name  string
	}{
		{"644 f 12 1700000000.5 a b", 0o644, "a b"},
		{"755 d 4096 1700000000.0000000000 sub", fs.ModeDir | 0o755, "sub"},
		{"777 l 3 1700000000 l", fs.ModeSymlink | 0o777, "l"},
		{"1777 d 0 1700000000 tmp", fs.ModeDir | fs.ModeSticky | 0o777, "tmp"},
	} {
		info, err := parseFind(tc.entry)
		if err != nil || info.mode != tc.mode || info.name != tc.name {
			t.Errorf("parseFind(%q) = %+v, %v", tc.entry, info, err)
		}
	}
	for _, bad := range []string{"", "644 f 1 2", "644 ff 1 2 n", "9 f 1 2 n", "644 f x 2 n"} {
		if _, err := parseFind(bad); err == nil {
			t.Errorf("parseFind(%q) accepted it", bad)
		}
	}
}

func TestLabelValue(t *testing.T) {
	for in, want := range map[string]string{
		"host:1234":                    "host_1234",
		"-x-":                          "x",
		strings.Repeat("a", 70) + ":9": strings.Repeat("a", 61) + "_9",
	} {
		if got := labelValue(in); got != want {
			t.Errorf("labelValue(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzFileInfo: whatever a node's stat or find prints, parsing it returns
// an error or a file's info, never a panic; a label made of any string is
// a valid label value.
func FuzzFileInfo(f *testing.F) {
	f.Add("81a4 12 1700000000 a b.txt")
	f.Add("1777 d 0 1700000000.25 tmp")
	f.Add("host.example:4242")
	f.Fuzz(func(t *testing.T, s string) {
		parseStat(s)
		parseFind(s)
		v := labelValue(s)
		if len(v) > 63 || strings.Trim(v, "_.-") != v || unsafeInLabel.MatchString(v) {
			t.Errorf("labelValue(%q) = %q: not a label value", s, v)
		}
	})
}
