package history

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Load reads a history.json file (see Read); path may also be a test's
// results directory holding one.
func Load(path string) (File, error) {
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		path = filepath.Join(path, "history.json")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return File{}, err
	}
	f, err := Read(data)
	if err != nil {
		return File{}, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// Read parses the content of a history.json file and checks that it is
// one a History could have saved: an object with "events" (and optionally
// "start" and "faults"), each event at its own index, of a known type, in
// time order; every completion answering an earlier open invoke of the
// same process, each process with at most one operation open; fault
// windows named and not ending before they start. Values are decoded as
// History keeps them (numbers as float64). An error names the first event
// (index, process) or fault that is wrong, and why.
func Read(data []byte) (File, error) {
	// Every event has an "invoke" field: sized once, the events are not
	// copied as the list grows. json.Unmarshal (not a Decoder) refuses data
	// after the object too, and does not copy the file into a buffer.
	f := File{Events: make([]Event, 0, bytes.Count(data, []byte(`"invoke"`)))}
	if err := json.Unmarshal(data, &f); err != nil {
		return File{}, fmt.Errorf("not a history.json: %w", err)
	}
	if !bytes.Contains(data, []byte(`"events"`)) {
		return File{}, errors.New(`not a history.json: it has no "events" list`)
	}
	return f, f.Validate()
}

// Validate checks f as Read describes.
func (f File) Validate() error {
	open := map[int]int{} // process -> index of its open invoke
	done := make([]bool, len(f.Events))
	for i, e := range f.Events {
		where := fmt.Sprintf("event %d (process %d)", i, e.Process)
		switch {
		case e.Index != i:
			return fmt.Errorf("%s: its index is %d; events must be numbered from 0 in order", where, e.Index)
		case e.F == "":
			return fmt.Errorf("%s: f (the operation's name) is empty", where)
		case e.Time < 0:
			return fmt.Errorf("%s: time %d is negative", where, e.Time)
		case i > 0 && e.Time < f.Events[i-1].Time:
			return fmt.Errorf("%s: time %s is before event %d's %s; events must be in time order", where, e.Time, i-1, f.Events[i-1].Time)
		}
		switch e.Type {
		case Invoke:
			if e.Invoke != -1 {
				return fmt.Errorf("%s: an invoke has invoke %d; it must be -1", where, e.Invoke)
			}
			if prev, busy := open[e.Process]; busy {
				return fmt.Errorf("%s: invoked while the process's operation of event %d is still open", where, prev)
			}
			open[e.Process] = i
		case OK, Fail, Info:
			inv := e.Invoke
			switch {
			case inv < 0 || inv >= i:
				return fmt.Errorf("%s: a completion's invoke must be the index of an earlier invoke event, not %d", where, inv)
			case f.Events[inv].Type != Invoke:
				return fmt.Errorf("%s: its invoke, event %d, is a completion (%s), not an invoke", where, inv, f.Events[inv].Type)
			case done[inv]:
				return fmt.Errorf("%s: completes event %d, which an earlier event already completed", where, inv)
			case f.Events[inv].Process != e.Process:
				return fmt.Errorf("%s: completes event %d of process %d", where, inv, f.Events[inv].Process)
			case f.Events[inv].F != e.F:
				return fmt.Errorf("%s: completes event %d, a %q, as a %q", where, inv, f.Events[inv].F, e.F)
			}
			done[inv] = true
			delete(open, e.Process)
		default:
			return fmt.Errorf("%s: type %q is not invoke, ok, fail or info", where, e.Type)
		}
	}
	for i, w := range f.Faults {
		switch {
		case w.Name == "":
			return fmt.Errorf("fault %d: its name is empty", i)
		case w.End != nil && *w.End < w.Start:
			return fmt.Errorf("fault %d (%s): ends before it starts", i, w.Name)
		}
	}
	return nil
}
