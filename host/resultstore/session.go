package resultstore

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ducktape-go/ducktape/host"
	"github.com/ducktape-go/ducktape/host/compare"
)

// Limits of what is stored of one result.
const (
	// MaxValues is the most data values stored per result (the first by
	// key); a test's data holding more (a long list) is cut, with a
	// warning.
	MaxValues = 1000
	// summaryLines and summaryBytes bound the end of a result's summary
	// that is stored (the whole is in its results directory).
	summaryLines = 5
	summaryBytes = 1000
)

// Session is one session as the store records it, read from its
// report.json by ReadSession or ParseReport.
type Session struct {
	Key         int64 // sessionKey(ID, StartTime)
	ID          string
	StartTime   float64
	StopTime    float64
	SuiteID     string // the suite record's id ("" for a session without one)
	Subsets     int
	Parts       []int
	Driver      string
	Version     string
	Dir         string // the session directory, absolute
	Fingerprint string // SHA-256 of the report.json
	Counts      [4]int // passed, failed, flaky, ignored
	// MergedFrom are the keys of the sessions a merged session was made
	// of.
	MergedFrom []int64
	Results    []Result
	// Warnings say what was left out (values beyond MaxValues).
	Warnings []string
}

// Result is one result of a session.
type Result struct {
	TestID         string
	Status         string
	RunTime        float64
	StartTime      float64
	Summary        string // its last lines (gist)
	NodesAllocated int
	Nodes          []string
	ResultsDir     string // relative to the session directory
	Values         []Value
	Checks         []Check
}

// Value is one flattened data value of a result, with the direction of
// "better" compare takes for it.
type Value struct {
	Key    string
	Value  float64
	Better compare.Direction
}

// Check is one check verdict of a result.
type Check struct {
	Name, Model string
	Verdict     string // "ok", "failed" or "unknown"
	Summary     string
}

// sessionKey identifies a session in the store: session ids count per day
// and per results root, so two drivers can both have a 2026-12-01--001;
// with the start time (to the microsecond, as report.json has it) they are
// told apart. It is 63 bits of a SHA-256, so never negative.
func sessionKey(id string, start float64) int64 {
	sum := sha256.Sum256([]byte(id + "\x00" + strconv.FormatFloat(start, 'f', 6, 64)))
	return int64(binary.BigEndian.Uint64(sum[:8]) >> 1)
}

// ReadSession reads the session whose results directory is dir (or whose
// report.json is dir). Its errors name the directory.
func ReadSession(dir string) (*Session, error) {
	path := dir
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		path = filepath.Join(dir, "report.json")
	} else {
		dir = filepath.Dir(dir)
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: no report.json, so it is not a ducktape session directory (or its run ended before it wrote one)", dir)
	}
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	s, err := ParseReport(data, abs)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return s, nil
}

// ParseReport reads a session from the bytes of its report.json; dir is
// the session directory it was read from. It touches nothing but data.
func ParseReport(data []byte, dir string) (*Session, error) {
	rep, err := host.ParseSessionReport(data)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	s := &Session{
		Key: sessionKey(rep.SessionID, rep.StartTime), ID: rep.SessionID,
		StartTime: rep.StartTime, StopTime: rep.StopTime, Driver: rep.Driver, Version: rep.DucktapeVersion,
		Dir: dir, Fingerprint: hex.EncodeToString(sum[:]),
		Counts: [4]int{rep.NumPassed, rep.NumFailed, rep.NumFlaky, rep.NumIgnored},
	}
	if rep.Suite != nil {
		s.SuiteID, s.Subsets, s.Parts = rep.Suite.ID, rep.Suite.Subsets, rep.Suite.Parts
	}
	for _, m := range rep.MergedFrom {
		if k := sessionKey(m.SessionID, m.StartTime); k != s.Key && !slices.Contains(s.MergedFrom, k) {
			s.MergedFrom = append(s.MergedFrom, k)
		}
	}
	for _, res := range rep.Results {
		r, warning, err := result(res)
		if err != nil {
			return nil, fmt.Errorf("result %s: %v", res.TestID, err)
		}
		if warning != "" {
			s.Warnings = append(s.Warnings, warning)
		}
		s.Results = append(s.Results, r)
	}
	return s, nil
}

func result(res *host.Result) (Result, string, error) {
	r := Result{
		TestID: res.TestID, Status: string(res.TestStatus), RunTime: res.RunTimeSeconds, StartTime: res.StartTime,
		Summary: gist(res.Summary), NodesAllocated: res.NodesAllocated, Nodes: res.Nodes, ResultsDir: res.ResultsDir,
	}
	var exprs []string
	for _, v := range res.Thresholds {
		exprs = append(exprs, v.Expr)
	}
	t, err := compare.NewTest(res.TestID, r.Status, res.Data, exprs)
	if err != nil {
		return Result{}, "", err
	}
	keys := slices.Sorted(maps.Keys(t.Values))
	var warning string
	if len(keys) > MaxValues {
		warning = fmt.Sprintf("result %s: its data has %d values: the first %d (by key) are stored", res.TestID, len(keys), MaxValues)
		keys = keys[:MaxValues]
	}
	for _, k := range keys {
		r.Values = append(r.Values, Value{Key: k, Value: t.Values[k], Better: t.Direction(k)})
	}
	for _, c := range res.Checks {
		verdict := "failed"
		switch {
		case c.Unknown:
			verdict = "unknown"
		case c.OK:
			verdict = "ok"
		}
		r.Checks = append(r.Checks, Check{Name: c.Name, Model: c.Model, Verdict: verdict, Summary: gist(c.Summary)})
	}
	return r, warning, nil
}

// gist is the last summaryLines lines of s (a Starlark backtrace ends with
// its error), at most summaryBytes bytes of them (cut on a character
// boundary).
func gist(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > summaryLines {
		lines = lines[len(lines)-summaryLines:]
	}
	s = strings.Join(lines, "\n")
	if len(s) > summaryBytes {
		cut := len(s) - summaryBytes
		for cut < len(s) && !utf8.RuneStart(s[cut]) {
			cut++
		}
		s = s[cut:]
	}
	return s
}
