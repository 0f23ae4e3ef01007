package host

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"
)

// RerunFileName is the suite file, in the session directory, that lists the
// session's failed cases; it exists only while something failed.
const RerunFileName = "rerun-failed.yml"

// rerunSuiteName is the one suite name in rerun-failed.yml.
const rerunSuiteName = "failed"

// writeRerunLocked writes rerun-failed.yml, a YAML suite file
// ("failed: [ids]") that selects exactly the failed cases, each id once in
// the order they failed (a file that failed to load appears as its path, so
// rerunning loads it again); or removes it when nothing failed. The caller
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
	data, err := rerunYAML(r.SessionID, ids)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, data)
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
// "failed:" and the ids as a block list of YAML strings.
func rerunYAML(sessionID string, ids []string) ([]byte, error) {
	list := &yaml.Node{Kind: yaml.SequenceNode}
	for _, id := range ids {
		list.Content = append(list.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: id})
	}
	doc := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Value: rerunSuiteName,
			HeadComment: "The failed cases of ducktape session " + sessionID + ". Rerun them, from the directory\nducktape ran in, with: ducktape <results root>/" + sessionID + "/" + RerunFileName},
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
