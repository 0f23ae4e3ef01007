package host

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// RerunFileName is the suite file, in the session directory, that lists the
// session's failed cases; it exists only while something failed.
const RerunFileName = "rerun-failed.yml"

// rerunSuiteName is the one suite name in rerun-failed.yml.
const rerunSuiteName = "failed"

// writeRerun writes rerun-failed.yml, a YAML suite file
// ("failed: [symbols]") that selects exactly the failed cases, each once in
// the order they failed (a file that failed to load appears as its path, so
// rerunning loads it again); or removes it when nothing failed. As in every
// suite file, the symbols' paths are relative to the file's directory: each
// is the case's id with its path rebased there (see rerunBase). With sync
// the file reaches the disk before it replaces the old one.
func (r *snapshot) writeRerun(sync bool) error {
	path := filepath.Join(r.dir, RerunFileName)
	ids := failedIDs(r.Results)
	if len(ids) == 0 {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	base, err := rerunBase(r.dir)
	if err != nil {
		return err
	}
	symbols := make([]string, len(ids))
	for i, id := range ids {
		symbols[i] = rebase(base, id)
	}
	data, err := rerunYAML(r.SessionID, symbols)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, data, sync)
}

// rebase makes a symbol relative to the current directory relative to the
// rerun file's directory (base is rerunBase's); absolute ones stay.
func rebase(base, symbol string) string {
	if filepath.IsAbs(symbol) {
		return symbol
	}
	return base + symbol
}

// rerunBase returns the prefix that turns a path relative to the current
// directory (as test ids' paths are) into one relative to sessionDir:
// "../../" for results/<session> under the current directory, so the
// project can move with its results; else the current directory's absolute
// path and "/".
func rerunBase(sessionDir string) (string, error) {
	cwd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	abs, err := filepath.Abs(sessionDir)
	if err != nil {
		return "", err
	}
	if rel, err := filepath.Rel(abs, cwd); err == nil && strings.HasPrefix(abs, cwd+string(filepath.Separator)) {
		return filepath.ToSlash(rel) + "/", nil
	}
	return strings.TrimSuffix(filepath.ToSlash(cwd), "/") + "/", nil
}

// failedIDs returns the ids of the failed results, each once, in order.
func failedIDs(results []*Result) []string {
	var ids []string
	seen := map[string]bool{}
	for _, res := range results {
		if res.TestStatus == StatusFail && !seen[res.TestID] {
			seen[res.TestID] = true
			ids = append(ids, res.TestID)
		}
	}
	return ids
}

// rerunYAML renders the suite file: a comment naming the session, then
// "failed:" and the symbols as a block list of YAML strings.
func rerunYAML(sessionID string, symbols []string) ([]byte, error) {
	list := &yaml.Node{Kind: yaml.SequenceNode}
	for _, s := range symbols {
		list.Content = append(list.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s})
	}
	doc := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Value: rerunSuiteName,
			HeadComment: "The failed cases of ducktape session " + sessionID + ". Rerun them with:\n  ducktape <results root>/" + sessionID + "/" + RerunFileName +
				"\nPaths are relative to this file's directory, as in every suite file."},
		list,
	}}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// rerunLog is rerun-failed.yml while a planned session runs (Report.Plan):
// a suite that includes every planned case and excludes, one appended line
// each, the cases that finished and need no rerun: every planned run of
// them ended and none failed. Whenever the driver dies, the file is valid
// YAML and selects exactly the cases that failed or did not finish;
// Finish replaces it with the list of the failed cases. Each result costs
// one append of one line. The caller holds the Report's lock.
type rerunLog struct {
	f    *os.File
	path string
	size int64          // the bytes written so far: a failed append is cut back to it
	base string         // rerunBase of the session directory
	left map[string]int // planned runs not yet finished, by case id
	bad  map[string]bool
}

// Plan writes the live rerun-failed.yml of a session about to run suite,
// each case repeat times (see rerunLog): the file says what to rerun if
// the driver dies before Finish. Runner.Run calls it before the first
// result; without it, rerun-failed.yml is rewritten with the reports.
func (r *Report) Plan(suite *Suite, repeat int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.dir == "" || (len(suite.Cases) == 0 && len(suite.LoadFailures) == 0) {
		return nil
	}
	base, err := rerunBase(r.dir)
	if err != nil {
		return err
	}
	l := &rerunLog{path: filepath.Join(r.dir, RerunFileName), base: base, left: map[string]int{}, bad: map[string]bool{}}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# The failed and unfinished cases of ducktape session %s. Rerun them with:\n#   ducktape <results root>/%s/%s\n", r.SessionID, r.SessionID, RerunFileName)
	b.WriteString("# Paths are relative to this file's directory, as in every suite file. While the\n" +
		"# session runs, every planned case is included and each one that needs no rerun\n" +
		"# is excluded as it finishes; the session's end leaves only the failed ones.\n")
	fmt.Fprintf(&b, "%s:\n  included:\n", rerunSuiteName)
	for _, f := range suite.LoadFailures {
		l.left[f.File]++
		b.WriteString(yamlItem(rebase(base, f.File)))
	}
	symbols, err := planSymbols(suite.Cases)
	if err != nil {
		return err
	}
	for _, sym := range symbols {
		b.WriteString(yamlItem(rebase(base, sym)))
	}
	for _, c := range suite.Cases {
		l.left[c.ID()] += max(repeat, 1)
	}
	b.WriteString("  excluded:\n")
	if err := writeFileAtomic(l.path, b.Bytes(), false); err != nil {
		return err
	}
	if l.f, err = os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND, 0); err != nil {
		return diskError("opening "+l.path, err)
	}
	l.size = int64(b.Len())
	r.rerun = l
	return nil
}

// planSymbols returns symbols that select exactly cases, one per test in
// the order tests first appear: path::test for a test without parameters,
// else path::test@[{params}, ...] with the parameters of its cases.
func planSymbols(cases []*Case) ([]string, error) {
	var tests []*Test
	params := map[*Test][]map[string]any{}
	for _, c := range cases {
		if _, seen := params[c.Test]; !seen {
			tests = append(tests, c.Test)
			params[c.Test] = nil
		}
		if len(c.Params) > 0 {
			params[c.Test] = append(params[c.Test], c.Params)
		}
	}
	out := make([]string, len(tests))
	for i, t := range tests {
		out[i] = t.File + "::" + t.Name
		if ps := params[t]; len(ps) > 0 {
			text, err := marshalText(ps, "")
			if err != nil {
				return nil, fmt.Errorf("the parameters of %s: %w", out[i], err)
			}
			out[i] += "@" + string(text)
		}
	}
	return out, nil
}

// finished notes a result: once every planned run of its case ended and
// none failed, the case is appended to the excluded list.
func (l *rerunLog) finished(res *Result) error {
	id := res.TestID
	if res.TestStatus == StatusFail {
		l.bad[id] = true
	}
	if l.left[id]--; l.left[id] > 0 || l.bad[id] {
		return nil
	}
	delete(l.left, id)
	line := yamlItem(rebase(l.base, id))
	if _, err := l.f.WriteString(line); err != nil {
		l.f.Truncate(l.size) // never leave half a line
		return diskError("writing "+l.path, err)
	}
	l.size += int64(len(line))
	return nil
}

func (l *rerunLog) close() error { return l.f.Close() }

// yamlItem renders one item of a block list under a key of a suite
// ("    - \"symbol\"\n"): a JSON string is a valid YAML double-quoted scalar.
func yamlItem(symbol string) string {
	text, _ := marshalText(symbol, "")
	return "    - " + string(text) + "\n"
}
