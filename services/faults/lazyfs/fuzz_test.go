package lazyfs

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParseMountinfo: any text parses or fails cleanly, and what parses
// has the fields of every line.
func FuzzParseMountinfo(f *testing.F) {
	f.Add("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n")
	f.Add("61 25 0:52 / /tmp/a\\040b rw,nosuid,nodev,relatime shared:33 - fuse.ducktape-lazyfs ducktape-lazyfs:/run/ducktape-lazyfs/1.sock rw,user_id=0\n")
	f.Add("1 2 3 4 5 6 -\n")
	f.Fuzz(func(t *testing.T, text string) {
		mounts, err := ParseMountinfo(text)
		if err != nil {
			return
		}
		if lines := strings.Count(strings.TrimSpace(text), "\n") + 1; len(mounts) > lines {
			t.Errorf("%d mounts from %d lines", len(mounts), lines)
		}
	})
}

// FuzzRule: any rule (as the driver sends it, JSON) is checked without a
// panic, and one that passes compiles and applies.
func FuzzRule(f *testing.F) {
	f.Add(`{"id":1,"ops":["write","fsync"],"errno":"EIO","probability":1}`)
	f.Add(`{"id":2,"ops":["read"],"delay_ms":0.5}`)
	f.Add(`{"ops":["write"],"errno":"ENOSPC","probability":1e-300}`)
	f.Fuzz(func(t *testing.T, text string) {
		var r Rule
		if json.Unmarshal([]byte(text), &r) != nil || r.Check() != nil {
			return
		}
		r.DelayMs = 0 // apply without sleeping
		if r.Errno == "" {
			return
		}
		compile([]Rule{r}).apply(opWrite)
	})
}

// FuzzCorrupt: any spec (JSON, as the driver sends it) corrupts a small
// file or fails with an error, never a panic, and the modes that keep the
// size keep it.
func FuzzCorrupt(f *testing.F) {
	f.Add(`{"mode":"bitflip","probability":0.1,"length":-1,"seed":3}`)
	f.Add(`{"mode":"truncate","size":-5,"length":-1}`)
	f.Add(`{"mode":"zero","offset":3,"length":100}`)
	f.Add(`{"mode":"snapshot","offset":1,"length":4,"snapshot":"S"}`)
	f.Add(`{"mode":"restore","snapshot":"S","length":-1}`)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, text string) {
		var spec CorruptSpec
		if json.Unmarshal([]byte(text), &spec) != nil {
			return
		}
		spec.Path = filepath.Join(dir, "f")
		if spec.Snapshot != "" {
			spec.Snapshot = filepath.Join(dir, "snap")
		}
		if spec.Size != nil && *spec.Size > 1<<20 {
			return // a sparse file of any size is fine, but slow to fuzz
		}
		os.WriteFile(spec.Path, []byte("0123456789abcdef"), 0o644)
		res, err := Corrupt(spec)
		if err != nil {
			return
		}
		info, _ := os.Stat(spec.Path)
		if (spec.Mode == "bitflip" || spec.Mode == "zero" || spec.Mode == "snapshot") && info.Size() != 16 {
			t.Errorf("%s changed the size to %d", spec.Mode, info.Size())
		}
		if info.Size() != res.NewSize {
			t.Errorf("reported size %d, file has %d", res.NewSize, info.Size())
		}
	})
}
