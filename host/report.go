package host

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Report is a session's report. Add results with Add; it is safe for
// concurrent use and rewrites its files after every result.
//
// mu guards every field. Summary and Results are exported for the JSON
// encoding and for readers after the run: read them directly only once no
// Add can come (after Finish, which Runner.Run calls before it returns);
// during a run use Failed.
type Report struct {
	mu sync.Mutex

	Summary
	Results []*Result `json:"results"` // in the order they were added

	dir string // the session directory; "" writes nothing

	// Rewrites are coalesced: at most one per rewriteInterval, the last one
	// deferred by a timer; Finish always writes.
	lastWrite time.Time
	deferred  *time.Timer // pending deferred rewrite, or nil
	writeErr  error       // the last rewrite's error, returned by the next Add
}

// rewriteInterval bounds how stale the session's report files can be while
// results arrive faster than this: they are rewritten at most this often.
const rewriteInterval = 200 * time.Millisecond

// Summary is a session's totals, with the Python ducktape's field names; it
// heads report.json and report.html alike.
type Summary struct {
	DucktapeVersion string  `json:"ducktape_version"`
	SessionID       string  `json:"session_id"`
	StartTime       float64 `json:"start_time"`
	StopTime        float64 `json:"stop_time"`
	RunTimeSeconds  float64 `json:"run_time_seconds"`
	NumPassed       int     `json:"num_passed"`
	NumFailed       int     `json:"num_failed"`
	NumIgnored      int     `json:"num_ignored"`
	NumFlaky        int     `json:"num_flaky"`
	// NumOPassed and NumOFailed count the ok_to_fail tests (the names of
	// the Redpanda fork, which has the mark).
	NumOPassed int `json:"num_opassed"`
	NumOFailed int `json:"num_ofailed"`
	Partition      // the suite and its parts, for ducktape merge (merge.go)
}

// NewReport starts the report of a session written into dir ("" for none).
func NewReport(version, sessionID, dir string, start time.Time) *Report {
	return &Report{Summary: Summary{DucktapeVersion: version, SessionID: sessionID, StartTime: unixSeconds(start)}, dir: dir, Results: []*Result{}}
}

func unixSeconds(t time.Time) float64 { return float64(t.UnixMicro()) / 1e6 }

// Add records a result, updates the counts and stop time, and rewrites the
// session's report files, at once or (when the last rewrite was less than
// rewriteInterval ago) within rewriteInterval.
func (r *Report) Add(res *Result) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Results = append(r.Results, res)
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
	wait := rewriteInterval - time.Since(r.lastWrite)
	switch {
	case wait <= 0:
		return errors.Join(err, r.rewriteLocked(time.Now()))
	case r.deferred == nil:
		r.deferred = time.AfterFunc(wait, func() {
			r.mu.Lock()
			defer r.mu.Unlock()
			if r.deferred != nil {
				r.writeErr = r.rewriteLocked(time.Now())
			}
		})
	}
	return err
}

// rewriteLocked writes the report files now and cancels any deferred rewrite.
func (r *Report) rewriteLocked(stop time.Time) error {
	if r.deferred != nil {
		r.deferred.Stop()
		r.deferred = nil
	}
	r.lastWrite = time.Now()
	return r.writeLocked(stop)
}

// Finish sets the stop time and writes the reports a last time.
func (r *Report) Finish(stop time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return errors.Join(r.writeErr, r.rewriteLocked(stop))
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

func (r *Report) writeLocked(stop time.Time) error {
	r.StopTime = unixSeconds(stop)
	r.RunTimeSeconds = r.StopTime - r.StartTime
	if r.dir == "" {
		return nil
	}
	data, err := marshalText(r, "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(r.dir, "report.json"), data); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(r.dir, "report.txt"), []byte(r.textLocked())); err != nil {
		return err
	}
	// Each of these is written (or, for the rerun file, removed) even if
	// another fails.
	return errors.Join(r.writeJUnitLocked(), r.writeHTMLLocked(), r.writeRerunLocked())
}

const rule = "===================================================================================================="

// textLocked renders report.txt in the Python ducktape's layout.
func (r *Report) textLocked() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\nSESSION REPORT (ALL TESTS)\n", rule)
	fmt.Fprintf(&b, "ducktape version: %s\n", r.DucktapeVersion)
	fmt.Fprintf(&b, "session_id:       %s\n", r.SessionID)
	fmt.Fprintf(&b, "run time:         %s\n", formatSeconds(r.RunTimeSeconds))
	fmt.Fprintf(&b, "tests run:        %d\n", len(r.Results))
	fmt.Fprintf(&b, "passed:           %d\n", r.NumPassed)
	fmt.Fprintf(&b, "flaky:            %d\n", r.NumFlaky)
	fmt.Fprintf(&b, "failed:           %d\n", r.NumFailed)
	fmt.Fprintf(&b, "ignored:          %d\n", r.NumIgnored)
	fmt.Fprintf(&b, "opassed:          %d\n", r.NumOPassed)
	fmt.Fprintf(&b, "ofailed:          %d\n", r.NumOFailed)
	fmt.Fprintf(&b, "%s\n", rule)
	for _, res := range r.Results {
		fmt.Fprintf(&b, "test_id:    %s\n", res.TestID)
		fmt.Fprintf(&b, "status:     %s\n", res.TestStatus)
		fmt.Fprintf(&b, "run time:   %s\n", formatSeconds(res.RunTimeSeconds))
		fmt.Fprintf(&b, "results:    %s\n", res.ResultsDir)
		if res.Summary != "" {
			fmt.Fprintf(&b, "\n%s\n", indent(res.Summary, "    "))
		}
		if len(res.Data) > 0 {
			fmt.Fprintf(&b, "data:       %s\n", res.Data)
		}
		for _, c := range res.Checks {
			fmt.Fprintf(&b, "check:      %s\n", checkLine(c))
		}
		fmt.Fprintf(&b, "%s\n", strings.Repeat("-", len(rule)))
	}
	return b.String()
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
// mid-write) see either the old or the new file, never half of one.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
