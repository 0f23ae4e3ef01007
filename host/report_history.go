package host

import (
	"errors"
	"path/filepath"
	"strings"

	"github.com/ducktape-go/ducktape/host/check"
	"github.com/ducktape-go/ducktape/starlib"
)

// HistorySummary is a test's operation history as report.json and
// report.html show it: how many events it has and how many operations
// completed in each interval, by outcome (history.Rate), from StartTime.
type HistorySummary struct {
	// StartTime is when the history began, in Unix seconds like the
	// result's start_time (the fault records' times compare with it).
	StartTime     float64 `json:"start_time"`
	Events        int     `json:"events"`
	BucketSeconds float64 `json:"bucket_seconds"`
	OK            []int   `json:"ok"`
	Fail          []int   `json:"fail"`
	Info          []int   `json:"info"`
}

// recordHistory puts the test's checks and a summary of its history into
// res and saves the history, with the test's faults, as history.json in
// dir; a test that recorded no operation gets no history.json.
func recordHistory(res *Result, env *starlib.Env, dir string) error {
	if env.History == nil {
		return nil
	}
	for _, c := range env.History.Checks() {
		if rel, err := filepath.Rel(dir, c.Visualization); c.Visualization != "" && err == nil {
			c.Visualization = filepath.ToSlash(rel)
		}
		res.Checks = append(res.Checks, c)
	}
	f := env.HistoryFile()
	if len(f.Events) == 0 {
		return nil
	}
	rate := f.Rate()
	res.History = &HistorySummary{StartTime: unixSeconds(f.Start), Events: len(f.Events),
		BucketSeconds: rate.Bucket.Seconds(), OK: rate.OK, Fail: rate.Fail, Info: rate.Info}
	return f.Save(filepath.Join(dir, "history.json"))
}

// CheckLine is a check's verdict on one line, as report.txt and ducktape
// check print it: "linearizable (register) FAIL: not linearizable (...)",
// or, when the test expected a violation, "set: found 3 lost adds, as
// expected: the final read (...)" in place of the status when it came out so.
func CheckLine(c check.Result) string {
	name := c.Name
	if c.Model != "" {
		name += " (" + c.Model + ")"
	}
	v := c.Verdict()
	switch {
	case v.Words == "":
		return name + " " + v.Status + ": " + c.Summary
	case v.Status == "PASS":
		return name + ": " + v.Words + ": " + c.Summary
	}
	return name + " " + v.Status + ", " + v.Words + ": " + c.Summary
}

// unmetExpectations fails a test whose checks did not come out as it said
// they would (check.set(h, expect = "violation") finding none), one line
// per such check. Checks without an expectation are the test's to assert.
func unmetExpectations(checks []check.Result) error {
	var unmet []string
	for _, c := range checks {
		if c.Expect != "" && !c.AsExpected() {
			unmet = append(unmet, "check "+CheckLine(c)+" (expected: "+c.Expect+")")
		}
	}
	if len(unmet) > 0 {
		return errors.New(strings.Join(unmet, "\n"))
	}
	return nil
}
