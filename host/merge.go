package host

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ducktape-go/ducktape/starlib"
)

// ducktape merge: the sessions of a suite's --subsets parts, run on several
// drivers, combined into one session directory whose reports are written by
// the same Report as a run's.

// Partition is what report.json says of the suite a session ran ("suite")
// and, for a merged session, of the sessions it was merged from
// ("merged_from"). A session from before ducktape merge has neither.
type Partition struct {
	Suite      *SuiteInfo   `json:"suite,omitempty"`
	MergedFrom []MergedPart `json:"merged_from,omitempty"`
}

// MergedPart is one session a merged session was made of.
type MergedPart struct {
	Dir        string  `json:"dir"` // as ducktape merge was given it
	SessionID  string  `json:"session_id"`
	Parts      []int   `json:"parts"` // its subsets
	StartTime  float64 `json:"start_time"`
	StopTime   float64 `json:"stop_time"`
	NumResults int     `json:"num_results"`
}

// SetPartition records the suite (and the merged parts) in the report,
// before the first Add.
func (r *Report) SetPartition(p Partition) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Partition = p
}

// SessionReport is a session's report.json as merge reads it.
type SessionReport struct {
	Summary
	Results []*Result `json:"results"`
}

// ParseSessionReport decodes a session's report.json and checks what merge
// relies on: every result has a test id and a results directory inside the
// session, every merged_from entry names its parts, and the suite record
// (when there is one) names valid subsets. It touches nothing but data.
func ParseSessionReport(data []byte) (*SessionReport, error) {
	var rep SessionReport
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("not a ducktape report.json: %v", err)
	}
	if rep.SessionID == "" {
		return nil, errors.New("not a ducktape report.json: it has no session_id")
	}
	for i, res := range rep.Results {
		switch {
		case res == nil || res.TestID == "":
			return nil, fmt.Errorf("result %d has no test_id", i+1)
		case res.ResultsDir != "" && !filepath.IsLocal(res.ResultsDir):
			return nil, fmt.Errorf("result %s: relative_results_dir %q is not inside the session directory", res.TestID, res.ResultsDir)
		}
	}
	for _, m := range rep.MergedFrom {
		if len(m.Parts) == 0 {
			return nil, fmt.Errorf(`its "merged_from" entry of session %q names no parts`, m.SessionID)
		}
	}
	if s := rep.Suite; s != nil {
		if s.Subsets < 1 || len(s.Parts) == 0 {
			return nil, fmt.Errorf(`its "suite" record has subsets %d and parts %v: want subsets >= 1 and at least one part`, s.Subsets, s.Parts)
		}
		for i, p := range s.Parts {
			if p < 0 || p >= s.Subsets || (i > 0 && p <= s.Parts[i-1]) {
				return nil, fmt.Errorf(`its "suite" record has parts %v: want distinct subsets between 0 and %d, ascending`, s.Parts, s.Subsets-1)
			}
		}
	}
	return &rep, nil
}

// Part is one session to merge: its directory and its report.
type Part struct {
	Dir    string
	Report *SessionReport
}

// ReadPart reads the session in dir. Its errors name dir.
func ReadPart(dir string) (*Part, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("part %s: no such session directory", dir)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("part %s: not a directory (give the session directory, such as results/2026-12-01--001)", dir)
	}
	data, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("part %s: no report.json, so it is not a ducktape session directory (or its run ended before it wrote one)", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("part %s: %v", dir, err)
	}
	rep, err := ParseSessionReport(data)
	if err != nil {
		return nil, fmt.Errorf("part %s: report.json: %v", dir, err)
	}
	return &Part{Dir: dir, Report: rep}, nil
}

// describe names a part in messages: its directory and subsets.
func (p *Part) describe() string {
	s := p.Report.Suite
	return fmt.Sprintf("%s (%s of %d)", p.Dir, subsetWords(s.Parts), s.Subsets)
}

func subsetWords(parts []int) string {
	words := make([]string, len(parts))
	for i, p := range parts {
		words[i] = strconv.Itoa(p)
	}
	if len(parts) == 1 {
		return "subset " + words[0]
	}
	return "subsets " + strings.Join(words, ", ")
}

// isLoadFailure reports whether res is a file that failed to load: every
// part of a suite reports it, so merge keeps it once.
func isLoadFailure(res *Result) bool { return res.FunctionName == "" }

// CheckParts checks that parts can be merged: each has a suite record, all
// of one suite split the same way, no subset in two parts and no case in
// two parts. It sorts parts by their first subset and returns the merged
// suite record, with a warning naming the subsets that no part holds, or
// else saying how many of the suite's cases no part holds. It touches
// nothing but data.
func CheckParts(parts []*Part) (*SuiteInfo, []string, error) {
	if len(parts) == 0 {
		return nil, nil, errors.New("no parts to merge")
	}
	for _, p := range parts {
		if p.Report.Suite == nil {
			return nil, nil, fmt.Errorf(`part %s: its report.json has no "suite" record (it was written by a ducktape without merge), so it cannot be checked to be a part of the same suite: rerun that part with this ducktape`, p.Dir)
		}
	}
	slices.SortStableFunc(parts, func(a, b *Part) int { return a.Report.Suite.Parts[0] - b.Report.Suite.Parts[0] })
	first := parts[0]
	want := first.Report.Suite
	merged := &SuiteInfo{ID: want.ID, NumCases: want.NumCases, Subsets: want.Subsets}
	owner := map[int]*Part{}
	for _, p := range parts {
		s := p.Report.Suite
		if s.ID != want.ID {
			return nil, nil, fmt.Errorf("part %s is not of the same suite as part %s: it selected %d cases (suite %s), the other %d (suite %s); run every part from the same checkout and directory with the same selection arguments",
				p.describe(), first.describe(), s.NumCases, shortID(s.ID), want.NumCases, shortID(want.ID))
		}
		if s.Subsets != want.Subsets {
			return nil, nil, fmt.Errorf("part %s split the suite into %d subsets, part %s into %d: run every part with the same --subsets", p.describe(), s.Subsets, first.describe(), want.Subsets)
		}
		for _, i := range s.Parts {
			if other, ok := owner[i]; ok {
				return nil, nil, fmt.Errorf("parts %s and %s both ran subset %d of %d", other.describe(), p.describe(), i, s.Subsets)
			}
			owner[i] = p
			merged.Parts = append(merged.Parts, i)
		}
	}
	caseOwner := map[string]*Part{}
	for _, p := range parts {
		for _, res := range p.Report.Results {
			if isLoadFailure(res) {
				continue
			}
			if other, ok := caseOwner[res.TestID]; ok && other != p {
				return nil, nil, fmt.Errorf("case %s is in part %s and in part %s: parts must not overlap (balanced by --historical-report, every part must read the same report)", res.TestID, other.describe(), p.describe())
			}
			caseOwner[res.TestID] = p
		}
	}
	slices.Sort(merged.Parts)
	var warnings []string
	if missing := merged.Subsets - len(merged.Parts); missing > 0 {
		var absent []int
		for i := range merged.Subsets {
			if _, ok := owner[i]; !ok {
				absent = append(absent, i)
			}
		}
		warnings = append(warnings, fmt.Sprintf("%s of %d missing: the merged session holds %d of the suite's %d parts", subsetWords(absent), merged.Subsets, merged.Subsets-missing, merged.Subsets))
	} else if len(caseOwner) < merged.NumCases {
		warnings = append(warnings, fmt.Sprintf("the parts hold %d of the suite's %d cases (run with --sample or --exit-first, interrupted, or balanced by different --historical-report files)", len(caseOwner), merged.NumCases))
	}
	return merged, warnings, nil
}

// shortID abbreviates a suite id for messages.
func shortID(id string) string {
	if len(id) > len("sha256:")+12 {
		return id[:len("sha256:")+12]
	}
	return id
}

// NewSessionAt creates the session directory dir (which must not exist;
// its parent is created) for a merged session named after dir.
func NewSessionAt(dir string, now time.Time) (*Session, error) {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, err
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("%s already exists: give a new directory", dir)
		}
		return nil, err
	}
	logs, err := OpenLogFiles(dir, "session_log")
	if err != nil {
		return nil, err
	}
	return &Session{ID: filepath.Base(dir), Dir: dir, Start: now, Log: logs}, nil
}

// PartsDir is the directory of a merged session that keeps each part's own
// session logs and report.json: parts/subset-<i>/.
const PartsDir = "parts"

// Merge combines parts (checked by CheckParts, so sorted) into session: it
// links (or, across file systems, copies) each result's directory into
// session.Dir, keeping its relative path unless another part already took
// it (then the run index moves on), keeps one entry per load failure, and
// writes the merged reports through a Report: start time the earliest
// part's, stop time the latest's, the results part by part in each part's
// order, each result's Part naming its subset. It returns the report and
// warnings (results directories that are missing).
func Merge(parts []*Part, suite *SuiteInfo, session *Session) (*Report, []string, error) {
	start, stop := math.Inf(1), math.Inf(-1)
	var from []MergedPart
	for _, p := range parts {
		r := p.Report
		start, stop = min(start, r.StartTime), max(stop, r.StopTime)
		if len(r.MergedFrom) > 0 {
			from = append(from, r.MergedFrom...)
		} else {
			from = append(from, MergedPart{Dir: p.Dir, SessionID: r.SessionID, Parts: r.Suite.Parts, StartTime: r.StartTime, StopTime: r.StopTime, NumResults: len(r.Results)})
		}
	}
	slices.SortStableFunc(from, func(a, b MergedPart) int { return a.Parts[0] - b.Parts[0] })
	report := NewReport(Version, session.ID, session.Dir, secondsTime(start))
	report.SetPartition(Partition{Suite: suite, MergedFrom: from})
	var drivers []string
	for _, p := range parts {
		if d := p.Report.Driver; d != "" && !slices.Contains(drivers, d) {
			drivers = append(drivers, d)
		}
	}
	report.Driver = strings.Join(drivers, ", ")
	var warnings []string
	dirs := newDirAllocator()
	loaded := map[string]bool{}
	for _, p := range parts {
		if err := keepPartLogs(p, session.Dir); err != nil {
			return nil, nil, err
		}
		label := fmt.Sprintf("subset %d of %d", p.Report.Suite.Parts[0], suite.Subsets)
		for _, res := range p.Report.Results {
			if isLoadFailure(res) {
				if loaded[res.TestID] {
					continue
				}
				loaded[res.TestID] = true
			}
			if res.Part == "" {
				res.Part = label
			}
			if res.ResultsDir != "" {
				moved, err := linkResultsDir(p, res, dirs, session.Dir)
				if err != nil {
					return nil, nil, err
				}
				if moved != "" {
					warnings = append(warnings, moved)
				}
			}
			if err := report.Add(res); err != nil {
				return nil, nil, err
			}
		}
		session.Log.Logf(starlib.LevelInfo, "merged %s: session %s, %s of %d, %d results", p.Dir, p.Report.SessionID, subsetWords(p.Report.Suite.Parts), suite.Subsets, len(p.Report.Results))
	}
	return report, warnings, report.Finish(secondsTime(stop))
}

func secondsTime(s float64) time.Time { return time.UnixMicro(int64(math.Round(s * 1e6))) }

// keepPartLogs links a part's session logs and report.json into
// parts/subset-<i>/ of the merged session (a merged part's own parts/
// directories as they are).
func keepPartLogs(p *Part, dst string) error {
	if len(p.Report.MergedFrom) > 0 {
		entries, err := os.ReadDir(filepath.Join(p.Dir, PartsDir))
		if err != nil {
			return fmt.Errorf("part %s: %v", p.Dir, err)
		}
		for _, e := range entries {
			if err := linkTree(filepath.Join(p.Dir, PartsDir, e.Name()), filepath.Join(dst, PartsDir, e.Name())); err != nil {
				return fmt.Errorf("part %s: %v", p.Dir, err)
			}
		}
		return nil
	}
	into := filepath.Join(dst, PartsDir, "subset-"+strconv.Itoa(p.Report.Suite.Parts[0]))
	if err := os.MkdirAll(into, 0o755); err != nil {
		return err
	}
	for _, name := range []string{"report.json", "session_log.info", "session_log.debug"} {
		err := linkFile(filepath.Join(p.Dir, name), filepath.Join(into, name))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("part %s: %v", p.Dir, err)
		}
	}
	return nil
}

// dirAllocator hands out the merged session's case directories: a
// directory is given once; the next free run index replaces a taken one.
type dirAllocator struct {
	taken map[string]bool
	next  map[string]int // per runs directory: the index to try next
}

func newDirAllocator() *dirAllocator {
	return &dirAllocator{taken: map[string]bool{}, next: map[string]int{}}
}

// claim returns rel, or when it is taken the next free index of its runs
// directory.
func (a *dirAllocator) claim(rel string) string {
	if !a.taken[rel] {
		a.taken[rel] = true
		return rel
	}
	runs := filepath.Dir(rel)
	for n := max(a.next[runs], 1); ; n++ {
		if c := filepath.Join(runs, strconv.Itoa(n)); !a.taken[c] {
			a.taken[c], a.next[runs] = true, n+1
			return c
		}
	}
}

// linkResultsDir puts res's results directory into the merged session,
// points res at it and reads its series back for report.html. When another
// part took its path first, res gets the next run index and its
// report.json is rewritten (replaced, so the part's own file stays as it
// was). It returns a warning when the part lacks the directory or its
// series cannot be read.
func linkResultsDir(p *Part, res *Result, dirs *dirAllocator, dst string) (string, error) {
	src := filepath.Join(p.Dir, res.ResultsDir)
	if _, err := os.Stat(src); err != nil {
		res.ResultsDir = ""
		return fmt.Sprintf("part %s: %s has no results directory %s", p.Dir, res.TestID, src), nil
	}
	rel := dirs.claim(res.ResultsDir)
	if err := linkTree(src, filepath.Join(dst, rel)); err != nil {
		return "", fmt.Errorf("part %s: %v", p.Dir, err)
	}
	var warning string
	plots, err := PlotSaved(src)
	if err != nil {
		warning = fmt.Sprintf("part %s: %s: its series are not charted: %v", p.Dir, res.TestID, err)
	}
	res.Series = plots
	if rel == res.ResultsDir {
		return warning, nil
	}
	res.ResultsDir = rel
	data, err := marshalText(res, "  ")
	if err != nil {
		return "", err
	}
	return warning, writeFileAtomic(filepath.Join(dst, rel, "report.json"), data, false)
}

// linkTree recreates the tree at src under dst: directories are made,
// regular files hard-linked (copied where the link fails, as across file
// systems), symbolic links recreated. Its cost is linear in the number of
// files (in their size only when copied).
func linkTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case d.Type().IsRegular():
			return linkFile(path, target)
		}
		return nil // sockets, pipes, devices: not results
	})
}

// linkFile hard-links src at dst, or copies it where linking fails.
func linkFile(src, dst string) error {
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
