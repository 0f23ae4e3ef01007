package lazyfs

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// The cost of writing through a lazy file system, beside the same writes
// to the directory below it (see docs/performance.md, "Lazy file system"):
//
//	go test ./services/faults/lazyfs -run XXX -bench . -benchtime 5x

// benchDirs returns the directory of each sub-benchmark: "backing", a
// plain directory, and "lazyfs", a lazy file system mounted over a
// directory beside it (unmounted when b ends).
func benchDirs(b *testing.B) map[string]string {
	f, mounted := mountTemp(b, nil)
	plain := filepath.Join(filepath.Dir(f.MountPoint()), "plain")
	if err := os.Mkdir(plain, 0o755); err != nil {
		b.Fatal(err)
	}
	return map[string]string{"backing": plain, "lazyfs": mounted}
}

// BenchmarkWrite64K writes a 100 MB file in 64 KiB writes, syncing
// nothing; between iterations the file is removed (and, through the lazy
// file system, the unsynced data dropped: a power loss), untimed.
func BenchmarkWrite64K(b *testing.B) {
	const total, chunk = 100 << 20, 64 << 10
	dirs := benchDirs(b)
	buf := make([]byte, chunk)
	for i := range buf {
		buf[i] = byte(i)
	}
	for _, name := range []string{"backing", "lazyfs"} {
		b.Run(name, func(b *testing.B) {
			path := filepath.Join(dirs[name], "f")
			b.SetBytes(total)
			for i := 0; i < b.N; i++ {
				w, err := os.Create(path)
				if err != nil {
					b.Fatal(err)
				}
				for off := 0; off < total; off += chunk {
					if _, err := w.Write(buf); err != nil {
						b.Fatal(err)
					}
				}
				w.Close()
				b.StopTimer()
				os.Remove(path)
				if name == "lazyfs" {
					syncDir(b, dirs[name]) // the removal commits, and the data goes with the file
				}
				b.StartTimer()
			}
		})
	}
}

// BenchmarkWrite4KFsync writes 4 KiB and fsyncs, over and over, in a
// 4 MiB file (reused in rounds).
func BenchmarkWrite4KFsync(b *testing.B) {
	const chunk, size = 4 << 10, 4 << 20
	dirs := benchDirs(b)
	buf := make([]byte, chunk)
	for _, name := range []string{"backing", "lazyfs"} {
		b.Run(name, func(b *testing.B) {
			w, err := os.Create(filepath.Join(dirs[name], "f"))
			if err != nil {
				b.Fatal(err)
			}
			defer w.Close()
			b.SetBytes(chunk)
			for i := 0; i < b.N; i++ {
				if _, err := w.WriteAt(buf, int64(i*chunk%size)); err != nil {
					b.Fatal(err)
				}
				if err := w.Sync(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLose measures a power loss (kills, unmount, drop, mount) with
// 1, 10 and 100 MB unsynced in one file: the part that grows with the
// unsynced data is freeing its pages.
func BenchmarkLose(b *testing.B) {
	f, dir := mountTemp(b, nil)
	buf := make([]byte, 1<<20)
	for _, mb := range []int{1, 10, 100} {
		b.Run(strconv.Itoa(mb)+"MB", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				w, err := os.Create(filepath.Join(dir, "f"))
				if err != nil {
					b.Fatal(err)
				}
				for j := 0; j < mb; j++ {
					w.Write(buf)
				}
				w.Close()
				b.StartTimer()
				if _, err := f.Lose(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFsyncGrowth measures an fsync that writes 1, 100 and 10,000
// unsynced pages (4 KiB, written in order): it grows with the pages.
func BenchmarkFsyncGrowth(b *testing.B) {
	_, dir := mountTemp(b, nil)
	page := make([]byte, pageSize)
	for _, pages := range []int{1, 100, 10000} {
		b.Run(strconv.Itoa(pages)+"pages", func(b *testing.B) {
			w, err := os.Create(filepath.Join(dir, "f"))
			if err != nil {
				b.Fatal(err)
			}
			defer w.Close()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				for p := 0; p < pages; p++ {
					w.WriteAt(page, int64(p*pageSize))
				}
				b.StartTimer()
				if err := w.Sync(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
