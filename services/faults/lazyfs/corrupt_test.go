package lazyfs

import (
	"bytes"
	"math/bits"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func int64p(v int64) *int64 { return &v }

// TestCorrupt: each mode changes exactly what it says.
func TestCorrupt(t *testing.T) {
	dir := t.TempDir()
	orig := bytes.Repeat([]byte("abcdefgh"), 4096) // 32 KiB
	path := filepath.Join(dir, "f")
	reset := func() {
		if err := os.WriteFile(path, orig, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	read := func() []byte {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	corrupt := func(spec CorruptSpec) CorruptResult {
		t.Helper()
		spec.Path = path
		res, err := Corrupt(spec)
		if err != nil {
			t.Fatalf("%+v: %v", spec, err)
		}
		return res
	}

	reset()
	res := corrupt(CorruptSpec{Mode: "bitflip", Probability: 0.01, Offset: 1000, Length: 8000, Seed: 7})
	got := read()
	var flipped int64
	for i := range got {
		d := int64(bits.OnesCount8(got[i] ^ orig[i]))
		if d > 0 && (i < 1000 || i >= 9000) {
			t.Errorf("byte %d, outside the region, changed", i)
		}
		flipped += d
	}
	// 64,000 bits at 1%: 640 expected; 5 standard deviations is 126.
	if flipped != res.Flipped || flipped < 514 || flipped > 766 || len(got) != len(orig) {
		t.Errorf("flipped %d bits (reported %d) of 64000 at p=0.01, size %d", flipped, res.Flipped, len(got))
	}
	reset()
	if res := corrupt(CorruptSpec{Mode: "bitflip", Probability: 1, Length: ToEnd}); res.Flipped != int64(len(orig))*8 {
		t.Errorf("p=1 flipped %d bits, want all %d", res.Flipped, len(orig)*8)
	}
	for i, b := range read() {
		if b != ^orig[i] {
			t.Fatalf("p=1: byte %d is %x, want %x", i, b, ^orig[i])
		}
	}

	reset()
	corrupt(CorruptSpec{Mode: "truncate", Size: int64p(-4096), Length: ToEnd})
	if got := read(); !bytes.Equal(got, orig[:len(orig)-4096]) {
		t.Errorf("truncate by 4096 left %d bytes", len(got))
	}
	corrupt(CorruptSpec{Mode: "truncate", Size: int64p(10), Length: ToEnd})
	if got := read(); !bytes.Equal(got, orig[:10]) {
		t.Errorf("truncate to 10 left %q", got)
	}
	corrupt(CorruptSpec{Mode: "truncate", Size: int64p(-100), Length: ToEnd})
	if got := read(); len(got) != 0 {
		t.Errorf("truncate by more than the size left %d bytes", len(got))
	}

	reset()
	corrupt(CorruptSpec{Mode: "zero", Offset: 8, Length: 16})
	want := bytes.Clone(orig)
	clear(want[8:24])
	if got := read(); !bytes.Equal(got, want) {
		t.Errorf("zero [8, 24) gave %q...", got[:32])
	}

	reset()
	snap := filepath.Join(dir, "snapshots", "f")
	corrupt(CorruptSpec{Mode: "snapshot", Offset: 4096, Length: 4096, Snapshot: snap})
	os.WriteFile(path, bytes.Repeat([]byte("X"), len(orig)), 0o644)
	res = corrupt(CorruptSpec{Mode: "restore", Snapshot: snap, Length: ToEnd})
	want = bytes.Repeat([]byte("X"), len(orig))
	copy(want[4096:8192], orig[4096:8192])
	if got := read(); !bytes.Equal(got, want) || res.Offset != 4096 || res.Length != 4096 {
		t.Errorf("restore put back [%d, +%d), file differs: %v", res.Offset, res.Length, !bytes.Equal(got, want))
	}
}

// TestCorruptRefuses: bad specs and files get clear errors and change
// nothing.
func TestCorruptRefuses(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	os.WriteFile(path, []byte("0123456789"), 0o644)
	for _, c := range []struct {
		spec CorruptSpec
		want string
	}{
		{CorruptSpec{Mode: "shred", Length: ToEnd}, `unknown mode "shred"`},
		{CorruptSpec{Mode: "bitflip", Probability: 1.5, Length: ToEnd}, "probability must be between 0 and 1"},
		{CorruptSpec{Mode: "bitflip", Probability: -0.1, Length: ToEnd}, "probability must be between 0 and 1"},
		{CorruptSpec{Mode: "truncate", Length: ToEnd}, "needs a size"},
		{CorruptSpec{Mode: "zero", Offset: -1, Length: ToEnd}, "offset must not be negative"},
		{CorruptSpec{Mode: "zero", Length: 0}, "length must be positive"},
		{CorruptSpec{Mode: "zero", Offset: 10, Length: ToEnd}, "offset 10 is not inside"},
		{CorruptSpec{Mode: "truncate", Size: int64p(1), Offset: 3, Length: ToEnd}, "offset and length apply to"},
		{CorruptSpec{Mode: "zero", Probability: 0.5, Length: ToEnd}, "probability applies to mode bitflip only"},
		{CorruptSpec{Mode: "restore", Snapshot: filepath.Join(dir, "none"), Length: ToEnd}, "no snapshot to restore"},
		{CorruptSpec{Mode: "snapshot", Length: ToEnd}, "needs the snapshot's file"},
	} {
		c.spec.Path = path
		if _, err := Corrupt(c.spec); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.spec, err, c.want)
		}
	}
	if _, err := Corrupt(CorruptSpec{Path: dir, Mode: "snapshot", Snapshot: filepath.Join(dir, "s"), Length: ToEnd}); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a directory: %v", err)
	}
	if _, err := Corrupt(CorruptSpec{Path: filepath.Join(dir, "missing"), Mode: "zero", Length: ToEnd}); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("a missing file: %v", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "0123456789" {
		t.Errorf("the file changed: %q", data)
	}
}
