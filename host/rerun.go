package host

import (
	"bytes"
	"errors"
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

// writeRerunLocked writes rerun-failed.yml, a YAML suite file
// ("failed: [symbols]") that selects exactly the failed cases, each once in
// the order they failed (a file that failed to load appears as its path, so
// rerunning loads it again); or removes it when nothing failed. As in every
// suite file, the symbols' paths are relative to the file's directory: each
// is the case's id with its path rebased there (see rerunBase). The caller
// holds r.mu.
func (r *Report) writeRerunLocked() error {
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
		symbols[i] = id
		if !filepath.IsAbs(id) {
			symbols[i] = base + id
		}
	}
	data, err := rerunYAML(r.SessionID, symbols)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, data)
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
