package history

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// File is the content of history.json.
type File struct {
	// Start is the wall-clock time the history began (RFC 3339); event and
	// fault times are nanoseconds since then.
	Start  time.Time `json:"start"`
	Events []Event   `json:"events"`
	Faults []Fault   `json:"faults"`
}

// Snapshot returns the history as it is now.
func (h *History) Snapshot() File {
	h.mu.Lock()
	defer h.mu.Unlock()
	return File{Start: h.start, Events: append([]Event{}, h.events...), Faults: append([]Fault{}, h.faults...)}
}

// Save writes the history as it is now to path (see File.Save). It may be
// called while operations are still being recorded.
func (h *History) Save(path string) error { return h.Snapshot().Save(path) }

// Save writes f as JSON to path, atomically: readers (and a run killed
// mid-write) see the previous file or the new one, never a part.
func (f File) Save(path string) error {
	data, err := json.MarshalIndent(f, "", " ")
	if err != nil {
		return fmt.Errorf("saving history: %w", err)
	}
	if err := writeAtomic(path, append(data, '\n')); err != nil {
		return fmt.Errorf("saving history to %s: %w", path, err)
	}
	return nil
}

// writeAtomic writes data to a new temporary file next to path and renames
// it over path.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".history-*.json")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
