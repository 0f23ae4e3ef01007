package host

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Report is a session's report. Add results with Add; it is safe for
// concurrent use.
//
// While results arrive, one writer goroutine (started by the first Add)
// rewrites the session's report files from a snapshot taken under the
// lock and written outside it, so Add never waits for a rewrite. The
// writer waits at least writeSpacing times as long as its last rewrite
// took (and at least rewriteInterval) before the next: it is busy at most
// 1/(1+writeSpacing) of the time, so the cost of the rewrites per result
// does not grow with the number of results (docs/design.md, "Report").
// Finish stops the writer and writes the final files.
//
// mu guards every field. Summary and Results are exported for the JSON
// encoding and for readers after the run: read them directly only once no
// Add can come (after Finish, which Runner.Run calls before it returns);
// during a run use Failed.
type Report struct {
	mu sync.Mutex

	Summary
	Results []*Result `json:"results"` // in the order they were added
	// links says, for each result, which caseLogFiles its directory
	// holds (bit i: caseLogFiles[i]), found once when it is added.
	links []uint8

	dir string // the session directory; "" writes nothing; never changes

	// The writer goroutine: wake (buffered, 1) says results arrived since
	// its last snapshot; closing stop ends it, and it closes done.
	wake, stop, done chan struct{}
	finished         bool  // Finish was called: the writer is stopped
	writeErr         error // the last rewrite's error, returned by the next Add
	diskFull         error // the first DiskFullError, which Finish returns too

	// rerun is the live rerun-failed.yml of a planned session (Plan), or nil.
	rerun *rerunLog
}

const (
	// rewriteInterval bounds how stale the session's report files can be
	// while results arrive and a rewrite is quick: they are rewritten at
	// most this often.
	rewriteInterval = 200 * time.Millisecond
	// writeSpacing is how many times as long as the last rewrite took the
	// writer waits before the next one.
	writeSpacing = 4
)

// Summary is a session's totals, with the Python ducktape's field names; it
// heads report.json and report.html alike.
type Summary struct {
	DucktapeVersion string `json:"ducktape_version"`
	SessionID       string `json:"session_id"`
	// Driver names the machine that ran the session (its host name); the
	// drivers of the parts, comma-separated, for a merged session.
	Driver         string  `json:"driver,omitempty"`
	StartTime      float64 `json:"start_time"`
	StopTime       float64 `json:"stop_time"`
	RunTimeSeconds float64 `json:"run_time_seconds"`
	NumPassed      int     `json:"num_passed"`
	NumFailed      int     `json:"num_failed"`
	NumIgnored     int     `json:"num_ignored"`
	NumFlaky       int     `json:"num_flaky"`
	// NumOPassed and NumOFailed count the ok_to_fail tests (the names of
	// the Redpanda fork, which has the mark).
	NumOPassed int `json:"num_opassed"`
	NumOFailed int `json:"num_ofailed"`
	Partition      // the suite and its parts, for ducktape merge (merge.go)
}

// NewReport starts the report of a session written into dir ("" for none).
func NewReport(version, sessionID, dir string, start time.Time) *Report {
	driver, _ := os.Hostname()
	return &Report{Summary: Summary{DucktapeVersion: version, SessionID: sessionID, Driver: driver, StartTime: unixSeconds(start)}, dir: dir, Results: []*Result{}}
}

func unixSeconds(t time.Time) float64 { return float64(t.UnixMicro()) / 1e6 }

// Add records a result, updates the counts, notes it in the live
// rerun-failed.yml (see Plan) and wakes the writer. It returns the error
// of a rewrite that failed since the last Add.
func (r *Report) Add(res *Result) error {
	links := r.linkedFiles(res)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Results = append(r.Results, res)
	r.links = append(r.links, links)
	switch res.TestStatus {
	case StatusPass:
		r.NumPassed++
	case StatusFail:
		r.NumFailed++
	case StatusIgnore:
		r.NumIgnored++
	case StatusFlaky:
		r.NumFlaky++
	case StatusOPass:
		r.NumOPassed++
	case StatusOFail:
		r.NumOFailed++
	}
	err := r.writeErr
	r.writeErr = nil
	if r.rerun != nil {
		err = errors.Join(err, r.noteLocked(r.rerun.finished(res)))
	}
	if r.dir == "" || r.finished {
		return err
	}
	if r.wake == nil {
		r.wake, r.stop, r.done = make(chan struct{}, 1), make(chan struct{}), make(chan struct{})
		go r.writeLoop()
	}
	select {
	case r.wake <- struct{}{}:
	default: // already awake
	}
	return err
}

// writeLoop is the writer goroutine: after each wake it waits out the
// spacing since its last rewrite, then writes a snapshot.
func (r *Report) writeLoop() {
	defer close(r.done)
	var last time.Time
	var took time.Duration
	for {
		select {
		case <-r.wake:
		case <-r.stop:
			return
		}
		if wait := time.Until(last.Add(max(rewriteInterval, writeSpacing*took))); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-r.stop:
				t.Stop()
				return
			}
		}
		start := time.Now()
		r.mu.Lock()
		snap := r.snapshotLocked(start)
		r.mu.Unlock()
		err := snap.write(false)
		took, last = time.Since(start), time.Now()
		if err != nil {
			r.mu.Lock()
			r.writeErr = r.noteLocked(err)
			r.mu.Unlock()
		}
	}
}

// noteLocked remembers err if it is the first DiskFullError, and returns
// it. The caller holds r.mu.
func (r *Report) noteLocked(err error) error {
	var full *DiskFullError
	if r.diskFull == nil && errors.As(err, &full) {
		r.diskFull = full
	}
	return err
}

// Finish sets the stop time, stops the writer and writes the reports a
// last time, the rerun-failed.yml of a planned session included; each
// final file is synced to disk. It returns the error of the last rewrite,
// the first full disk of the session and the errors of the final write.
func (r *Report) Finish(stop time.Time) error {
	r.mu.Lock()
	running := r.wake != nil && !r.finished
	r.finished = true
	r.mu.Unlock()
	if running {
		close(r.stop)
		<-r.done
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.StopTime = unixSeconds(stop)
	r.RunTimeSeconds = r.StopTime - r.StartTime
	errs := []error{r.diskFull, r.writeErr}
	r.writeErr = nil
	if r.rerun != nil {
		errs = append(errs, r.rerun.close())
		r.rerun = nil
	}
	return joinDiskErrors(append(errs, r.snapshotLocked(stop).write(true))...)
}

// Failed returns the results that failed.
func (r *Report) Failed() []*Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*Result
	for _, res := range r.Results {
		if res.TestStatus == StatusFail {
			out = append(out, res)
		}
	}
	return out
}

// snapshot is the report as one write sees it. Results are never modified
// once added, so a snapshot shares them with the Report; its slice ends
// at the results added when it was taken.
type snapshot struct {
	Summary
	Results []*Result `json:"results"`
	links   []uint8   // Report.links of Results
	dir     string
	// liveRerun: rerun-failed.yml is the live file of a planned session,
	// which the snapshot leaves alone.
	liveRerun bool
}

// snapshotLocked takes a snapshot with stop as its stop time. The caller
// holds r.mu.
func (r *Report) snapshotLocked(stop time.Time) *snapshot {
	n := len(r.Results)
	s := &snapshot{Summary: r.Summary, Results: r.Results[:n:n], links: r.links[:n:n], dir: r.dir, liveRerun: r.rerun != nil}
	s.StopTime = unixSeconds(stop)
	s.RunTimeSeconds = s.StopTime - s.StartTime
	return s
}

// write writes every report file of the snapshot; final ones are synced
// to disk. Each is streamed into its file, a result at a time, so a write
// needs no memory beyond the report's own.
func (r *snapshot) write(final bool) error {
	if r.dir == "" {
		return nil
	}
	write := func(name string, render func(w *bufio.Writer) error) error {
		return writeFileStream(filepath.Join(r.dir, name), final, render)
	}
	errs := []error{
		write("report.json", r.writeJSON),
		write("report.txt", r.writeText),
		write("report.xml", r.writeJUnit),
		write("report.html", r.writeHTML),
	}
	if !r.liveRerun {
		errs = append(errs, r.writeRerun(final))
	}
	// Each file is written (or, for the rerun file, removed) even if
	// another fails; a full disk is said once.
	return joinDiskErrors(errs...)
}

// writeJSON writes report.json: the summary's fields, then "results", one
// result at a time, indented as by marshalText(snapshot, "  ").
func (r *snapshot) writeJSON(w *bufio.Writer) error {
	head, err := marshalText(r.Summary, "  ")
	if err != nil {
		return err
	}
	w.Write(head[:len(head)-2]) // without "\n}"
	w.WriteString(",\n  \"results\": [")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("    ", "  ")
	for i, res := range r.Results {
		if i > 0 {
			w.WriteString(",")
		}
		w.WriteString("\n    ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	}
	if len(r.Results) > 0 {
		w.WriteString("  ")
	}
	_, err = w.WriteString("]\n}\n")
	return err
}

const rule = "===================================================================================================="

// writeText writes report.txt in the Python ducktape's layout.
func (r *snapshot) writeText(b *bufio.Writer) error {
	fmt.Fprintf(b, "%s\nSESSION REPORT (ALL TESTS)\n", rule)
	fmt.Fprintf(b, "ducktape version: %s\n", r.DucktapeVersion)
	fmt.Fprintf(b, "session_id:       %s\n", r.SessionID)
	fmt.Fprintf(b, "run time:         %s\n", formatSeconds(r.RunTimeSeconds))
	fmt.Fprintf(b, "tests run:        %d\n", len(r.Results))
	fmt.Fprintf(b, "passed:           %d\n", r.NumPassed)
	fmt.Fprintf(b, "flaky:            %d\n", r.NumFlaky)
	fmt.Fprintf(b, "failed:           %d\n", r.NumFailed)
	fmt.Fprintf(b, "ignored:          %d\n", r.NumIgnored)
	fmt.Fprintf(b, "opassed:          %d\n", r.NumOPassed)
	fmt.Fprintf(b, "ofailed:          %d\n", r.NumOFailed)
	fmt.Fprintf(b, "%s\n", rule)
	for _, res := range r.Results {
		fmt.Fprintf(b, "test_id:    %s\n", res.TestID)
		fmt.Fprintf(b, "status:     %s\n", res.TestStatus)
		fmt.Fprintf(b, "run time:   %s\n", formatSeconds(res.RunTimeSeconds))
		fmt.Fprintf(b, "results:    %s\n", res.ResultsDir)
		if res.Summary != "" {
			fmt.Fprintf(b, "\n%s\n", indent(res.Summary, "    "))
		}
		if len(res.Data) > 0 {
			fmt.Fprintf(b, "data:       %s\n", res.Data)
		}
		for _, c := range res.Checks {
			fmt.Fprintf(b, "check:      %s\n", CheckLine(c))
		}
		fmt.Fprintf(b, "%s\n", strings.Repeat("-", len(rule)))
	}
	return nil
}

func formatSeconds(s float64) string {
	d := time.Duration(s * float64(time.Second))
	if d < time.Minute {
		return fmt.Sprintf("%.3f seconds", s)
	}
	return d.Round(time.Millisecond).String()
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}

// writeFileAtomic replaces path with data so that readers (and a run killed
// mid-write) see either the old or the new file, never half of one (see
// writeFileStream).
func writeFileAtomic(path string, data []byte, sync bool) error {
	return writeFileStream(path, sync, func(w *bufio.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// writeFileStream replaces path with what render writes, atomically: it
// writes path.tmp and renames it over path, so readers (and a run killed
// mid-write) see the old file or the new one. With sync the data reach
// the disk before the rename (the final reports; a killed driver loses
// nothing in the page cache, so the rewrites during a run skip it). A full
// disk is a DiskFullError.
func writeFileStream(path string, sync bool, render func(w *bufio.Writer) error) error {
	tmp := path + ".tmp"
	err := writeFile(tmp, sync, render)
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return diskError("writing "+path, err)
	}
	return nil
}

func writeFile(path string, sync bool, render func(w *bufio.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 64<<10)
	err = render(w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil && sync {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}
