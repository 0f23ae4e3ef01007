package lazyfs

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// CorruptModes are the ways Corrupt changes a file:
//
//	bitflip   flip each bit of a region with a probability (size unchanged)
//	truncate  cut the file to a size, or by an amount
//	zero      overwrite a region with zeros (size unchanged)
//	snapshot  keep a region's bytes (the file is unchanged)
//	restore   write the bytes a snapshot kept back where they were: a lost
//	          or misdirected write
var CorruptModes = []string{"bitflip", "truncate", "zero", "snapshot", "restore"}

// ToEnd is the Length of a region that runs to the end of the file.
const ToEnd = -1

// CorruptSpec says how to corrupt one file.
type CorruptSpec struct {
	Path        string  `json:"path"`
	Mode        string  `json:"mode"`
	Probability float64 `json:"probability,omitempty"` // bitflip: of each bit, in [0, 1]
	Size        *int64  `json:"size,omitempty"`        // truncate: the new size (>= 0), or how much to cut (< 0)
	Offset      int64   `json:"offset,omitempty"`      // bitflip, zero, snapshot: where the region begins
	Length      int64   `json:"length,omitempty"`      // bitflip, zero, snapshot: how long it is (> 0), or ToEnd
	Snapshot    string  `json:"snapshot,omitempty"`    // snapshot, restore: the file that keeps the bytes
	Seed        uint64  `json:"seed,omitempty"`        // bitflip: seeds the choice of bits
}

// hasRegion reports whether the mode acts on a region of the file.
func (s CorruptSpec) hasRegion() bool {
	return s.Mode == "bitflip" || s.Mode == "zero" || s.Mode == "snapshot"
}

// Check says what is wrong with the spec, or returns nil.
func (s CorruptSpec) Check() error {
	if !slices.Contains(CorruptModes, s.Mode) {
		return fmt.Errorf("unknown mode %q (want one of %s)", s.Mode, strings.Join(CorruptModes, ", "))
	}
	if s.Path == "" {
		return fmt.Errorf("no file given")
	}
	switch {
	case s.Mode == "bitflip" && !(s.Probability >= 0 && s.Probability <= 1):
		return fmt.Errorf("probability must be between 0 and 1, not %g", s.Probability)
	case s.Mode != "bitflip" && s.Probability != 0:
		return fmt.Errorf("probability applies to mode bitflip only")
	case s.Mode == "truncate" && s.Size == nil:
		return fmt.Errorf("mode truncate needs a size (the new size, or a negative amount to cut)")
	case s.Mode != "truncate" && s.Size != nil:
		return fmt.Errorf("size applies to mode truncate only")
	case (s.Mode == "snapshot" || s.Mode == "restore") && s.Snapshot == "":
		return fmt.Errorf("mode %s needs the snapshot's file", s.Mode)
	case s.hasRegion() && s.Offset < 0:
		return fmt.Errorf("offset must not be negative, not %d", s.Offset)
	case s.hasRegion() && s.Length <= 0 && s.Length != ToEnd:
		return fmt.Errorf("length must be positive (or the rest of the file), not %d", s.Length)
	case !s.hasRegion() && (s.Offset != 0 || s.Length != ToEnd):
		return fmt.Errorf("offset and length apply to modes bitflip, zero and snapshot only")
	}
	return nil
}

// CorruptResult is what Corrupt did.
type CorruptResult struct {
	Size    int64 `json:"size"`     // the file's size before
	NewSize int64 `json:"new_size"` // and after
	Offset  int64 `json:"offset"`   // the region acted on (bitflip, zero, snapshot, restore)
	Length  int64 `json:"length"`
	Flipped int64 `json:"flipped_bits"` // bitflip
}

// Corrupt changes the file as spec says (see CorruptModes).
func Corrupt(spec CorruptSpec) (CorruptResult, error) {
	var res CorruptResult
	if err := spec.Check(); err != nil {
		return res, err
	}
	flag := os.O_RDWR
	if spec.Mode == "snapshot" {
		flag = os.O_RDONLY
	}
	f, err := os.OpenFile(spec.Path, flag, 0)
	if err != nil {
		return res, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return res, err
	}
	if !info.Mode().IsRegular() {
		return res, fmt.Errorf("%s is not a regular file", spec.Path)
	}
	res.Size, res.NewSize = info.Size(), info.Size()
	if spec.hasRegion() {
		if spec.Offset >= res.Size {
			return res, fmt.Errorf("offset %d is not inside %s, which has %d bytes", spec.Offset, spec.Path, res.Size)
		}
		res.Offset, res.Length = spec.Offset, res.Size-spec.Offset
		if spec.Length != ToEnd {
			res.Length = min(res.Length, spec.Length)
		}
	}
	switch spec.Mode {
	case "bitflip":
		res.Flipped, err = flipBits(f, res.Offset, res.Length, spec.Probability, spec.Seed)
	case "truncate":
		res.NewSize = *spec.Size
		if res.NewSize < 0 {
			res.NewSize = max(0, res.Size+res.NewSize)
		}
		err = f.Truncate(res.NewSize)
	case "zero":
		_, err = f.WriteAt(make([]byte, res.Length), res.Offset)
	case "snapshot":
		err = saveSnapshot(f, res.Offset, res.Length, spec.Snapshot)
	case "restore":
		res.Offset, res.Length, err = restoreSnapshot(f, spec.Snapshot)
		if err == nil {
			res.NewSize = max(res.Size, res.Offset+res.Length)
		}
	}
	if err == nil && spec.Mode != "snapshot" {
		err = f.Sync() // the corruption is on the disk, as after a power loss
	}
	return res, err
}

// flipChunk is how much of the file flipBits holds in memory at a time.
const flipChunk = 1 << 20

// flipBits flips each bit of [off, off+length) of f with probability p,
// the bits chosen by a generator seeded with seed, and returns how many
// it flipped. It draws the gap to the next flipped bit (geometrically
// distributed), so its cost follows the flips, not the file's size.
func flipBits(f *os.File, off, length int64, p float64, seed uint64) (int64, error) {
	if p == 0 {
		return 0, nil
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	bits := length * 8
	next := func(pos int64) int64 { // the next bit to flip after pos
		if p == 1 {
			return pos + 1
		}
		gap := math.Floor(math.Log(1-rng.Float64()) / math.Log1p(-p))
		if gap >= float64(bits) {
			return bits
		}
		return pos + 1 + int64(gap)
	}
	var flipped int64
	buf := make([]byte, flipChunk)
	chunk := int64(-1) // index of the chunk in buf
	var n int          // bytes of it in buf
	flush := func() error {
		if chunk < 0 {
			return nil
		}
		_, err := f.WriteAt(buf[:n], off+chunk*flipChunk)
		return err
	}
	for pos := next(-1); pos < bits; pos = next(pos) {
		byteAt := pos / 8
		if c := byteAt / flipChunk; c != chunk {
			if err := flush(); err != nil {
				return flipped, err
			}
			chunk = c
			want := min(int64(flipChunk), length-c*flipChunk)
			k, err := f.ReadAt(buf[:want], off+c*flipChunk)
			if err != nil && err != io.EOF {
				return flipped, err
			}
			n = k
		}
		if i := byteAt - chunk*flipChunk; i < int64(n) {
			buf[i] ^= 1 << (pos % 8)
			flipped++
		}
	}
	return flipped, flush()
}

// snapshotHeader begins a snapshot file; the region's offset and length
// follow it on its first line, then its bytes.
const snapshotHeader = "ducktape-snapshot/1"

func saveSnapshot(f *os.File, off, length int64, file string) error {
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return err
	}
	out, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s %d %d\n", snapshotHeader, off, length)
	if _, err := io.Copy(out, io.NewSectionReader(f, off, length)); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func restoreSnapshot(f *os.File, file string) (off, length int64, err error) {
	in, err := os.Open(file)
	if err != nil {
		return 0, 0, fmt.Errorf("no snapshot to restore: %w", err)
	}
	defer in.Close()
	r := bufio.NewReader(in)
	var header string
	if _, err := fmt.Fscanf(r, "%s %d %d\n", &header, &off, &length); err != nil || header != snapshotHeader || off < 0 || length < 0 {
		return 0, 0, fmt.Errorf("%s is not a snapshot", file)
	}
	k, err := io.Copy(io.NewOffsetWriter(f, off), io.LimitReader(r, length))
	if err == nil && k != length {
		err = fmt.Errorf("the snapshot %s is cut short: %d of %d bytes", file, k, length)
	}
	return off, length, err
}
