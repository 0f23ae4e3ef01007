package host

import (
	"bufio"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ducktape-go/ducktape/host/compare"
)

// junitTailLines is how many trailing lines of a failed case's test_log.info
// report.xml quotes in the case's <failure>.
const junitTailLines = 50

// The report.xml elements, in the JUnit layout that Jenkins, GitLab and
// GitHub test reporters read (host/testdata/junit-10.xsd).
type (
	junitSuites struct {
		XMLName  xml.Name      `xml:"testsuites"`
		Name     string        `xml:"name,attr"`
		Tests    int           `xml:"tests,attr"`
		Failures int           `xml:"failures,attr"`
		Errors   int           `xml:"errors,attr"`
		Time     string        `xml:"time,attr"`
		Suites   []*junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name      string `xml:"name,attr"`
		Tests     int    `xml:"tests,attr"`
		Failures  int    `xml:"failures,attr"`
		Errors    int    `xml:"errors,attr"`
		Skipped   int    `xml:"skipped,attr"`
		Time      string `xml:"time,attr"`
		Timestamp string `xml:"timestamp,attr"`
		// Properties are the numbers of the cases' data (series
		// summaries included), named "<case name>: <dotted key>": the
		// schema has no properties per testcase.
		Properties *junitProperties `xml:"properties"`
		Cases      []*junitCase     `xml:"testcase"`
		seconds    float64          // the sum of the cases' run times
		start      float64          // the earliest case start, Unix seconds
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		Time      string        `xml:"time,attr"`
		Skipped   *junitMessage `xml:"skipped"`
		Failure   *junitMessage `xml:"failure"`
		SystemOut *junitText    `xml:"system-out"`
	}
	junitProperties struct {
		Property []junitProperty `xml:"property"`
	}
	junitProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	junitMessage struct {
		Message string `xml:"message,attr"`
		Text    string `xml:",cdata"`
	}
	// junitText is multi-line text kept readable as CDATA.
	junitText struct {
		Text string `xml:",cdata"`
	}
)

// writeJUnit writes report.xml: one <testsuite> per test file, in the
// order files first appear in the results, stamped with its earliest case
// start, and one <testcase> per result.
// PASS and FLAKY are passed cases (FLAKY with a <system-out> note), IGNORE is
// <skipped/>, FAIL is a <failure> quoting the summary and the tail of the
// case's test_log.info. A file that failed to load is a failed case named
// after the file.
func (r *snapshot) writeJUnit(w *bufio.Writer) error {
	doc := junitSuites{Name: "ducktape " + r.SessionID, Time: junitSeconds(r.RunTimeSeconds), Suites: []*junitSuite{}}
	byFile := map[string]*junitSuite{}
	for _, res := range r.Results {
		s := byFile[res.ModuleName]
		if s == nil {
			s = &junitSuite{Name: res.ModuleName, start: res.StartTime}
			byFile[res.ModuleName] = s
			doc.Suites = append(doc.Suites, s)
		}
		c := r.junitCase(res)
		s.Cases = append(s.Cases, c)
		if props := junitDataProperties(res); len(props) > 0 {
			if s.Properties == nil {
				s.Properties = &junitProperties{}
			}
			s.Properties.Property = append(s.Properties.Property, props...)
		}
		s.Tests++
		s.seconds += res.RunTimeSeconds
		s.start = min(s.start, res.StartTime)
		switch {
		case c.Failure != nil:
			s.Failures++
		case c.Skipped != nil:
			s.Skipped++
		}
	}
	for _, s := range doc.Suites {
		s.Time, s.Timestamp = junitSeconds(s.seconds), junitTimestamp(s.start)
		doc.Tests += s.Tests
		doc.Failures += s.Failures
	}
	w.WriteString(xml.Header)
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := w.WriteString("\n")
	return err
}

// junitCase maps one result to its <testcase>.
func (r *snapshot) junitCase(res *Result) *junitCase {
	c := &junitCase{Name: caseName(res), Classname: res.ModuleName, Time: junitSeconds(res.RunTimeSeconds)}
	switch res.TestStatus {
	case StatusFail:
		text := res.Summary
		if tail := r.logTail(res); tail != "" {
			text += fmt.Sprintf("\n\n--- last lines of %s ---\n%s", filepath.ToSlash(filepath.Join(res.ResultsDir, "test_log.info")), tail)
		}
		c.Failure = &junitMessage{Message: headline(res.Summary), Text: xmlSafe(text)}
	case StatusIgnore:
		c.Skipped = &junitMessage{Message: "ignored"}
		if res.Summary != "" {
			c.Skipped.Message = headline(res.Summary)
		}
	case StatusOFail:
		// A known failure: skipped for CI, with what went wrong.
		c.Skipped = &junitMessage{Message: "OFAIL (ok_to_fail): " + headline(res.Summary)}
		c.SystemOut = &junitText{xmlSafe(res.Summary)}
	case StatusOPass:
		c.SystemOut = &junitText{"OPASS: an ok_to_fail test that passed"}
	case StatusFlaky:
		note := "FLAKY: failed, then passed on a later attempt (--deflake)"
		if res.Summary != "" {
			note += "\n\n" + res.Summary
		}
		c.SystemOut = &junitText{xmlSafe(note)}
	}
	return c
}

// junitDataProperties returns the numbers of a result's data as
// properties, sorted by key; none when the data is not JSON.
func junitDataProperties(res *Result) []junitProperty {
	var data any
	if len(res.Data) == 0 || json.Unmarshal(res.Data, &data) != nil {
		return nil
	}
	values := compare.Flatten(data)
	keys := slices.Sorted(maps.Keys(values))
	props := make([]junitProperty, len(keys))
	for i, k := range keys {
		props[i] = junitProperty{Name: xmlSafe(caseName(res) + ": " + k), Value: strconv.FormatFloat(values[k], 'g', -1, 64)}
	}
	return props
}

// caseName is a result's name within its file: the id's part after "::"
// (test name and @params), or the whole id (the file's path) for a file that
// failed to load.
func caseName(res *Result) string {
	if _, after, ok := strings.Cut(res.TestID, "::"); ok {
		return after
	}
	return res.TestID
}

// logTail returns the last junitTailLines lines of the case's test_log.info,
// or "" when there is none.
func (r *snapshot) logTail(res *Result) string {
	if res.ResultsDir == "" {
		return ""
	}
	return tailLines(filepath.Join(r.dir, res.ResultsDir, "test_log.info"), junitTailLines)
}

// xmlSafe replaces the characters XML 1.0 cannot hold (control characters
// such as ESC from colored output, invalid UTF-8) with U+FFFD, since CDATA
// sections, unlike escaped text, pass them through as they are.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r',
			r >= 0x20 && r <= 0xD7FF && r != utf8.RuneError,
			r >= 0xE000 && r <= 0xFFFD,
			r >= 0x10000 && r <= 0x10FFFF:
			return r
		}
		return '\uFFFD'
	}, s)
}

// headline returns the line of a summary that says what went wrong: its
// first line, except that a Starlark backtrace's header and frames are
// skipped for the error line after them, and a line ending in ":"
// ("could not load f.star:", "setup failed:") is joined with the headline
// of what follows. It falls back to the first line.
func headline(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		switch {
		case strings.HasPrefix(line, "Traceback"):
			for i+1 < len(lines) && strings.HasPrefix(lines[i+1], " ") {
				i++
			}
		case strings.HasSuffix(line, ":") && i+1 < len(lines):
			if rest := headline(strings.Join(lines[i+1:], "\n")); rest != "" {
				return line + " " + rest
			}
			return line
		case line != "":
			return line
		}
	}
	return strings.TrimSpace(lines[0])
}

func junitSeconds(s float64) string { return fmt.Sprintf("%.3f", s) }

// junitTimestamp formats Unix seconds as JUnit's timestamp: local time,
// ISO 8601 without a zone.
func junitTimestamp(unix float64) string {
	return time.UnixMicro(int64(unix * 1e6)).Format("2006-01-02T15:04:05")
}
