// Package compare puts the performance data of two sessions side by side:
// per test id, every numeric value of the test's data (series summaries
// included) with its change, and whether it moved the wrong way by more
// than a tolerance. Everything here is a pure function of its inputs.
package compare

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/ducktape-go/ducktape/host/threshold"
)

// Run is one session's results as compare reads them from report.json.
type Run struct {
	Path      string // the report.json read
	SessionID string
	Tests     []Test // in report order
}

// Test is one result: its numeric data flattened to dotted keys, and the
// direction its thresholds give some of those keys.
type Test struct {
	ID     string
	Status string
	Values map[string]float64
	// Thresholds maps a key to the direction a threshold on it implies:
	// "latency_ms.p99 < 50" says lower is better.
	Thresholds map[string]Direction
}

// reportJSON is the part of report.json compare reads.
type reportJSON struct {
	SessionID string `json:"session_id"`
	Results   []struct {
		TestID     string          `json:"test_id"`
		Status     string          `json:"test_status"`
		Data       json.RawMessage `json:"data"`
		Thresholds []struct {
			Expr string `json:"expr"`
		} `json:"thresholds"`
	} `json:"results"`
}

// Load reads a session's report.json, given the file or the session's
// results directory. A test id that appears more than once (--repeat) is
// numbered from its second appearance on: "id #2", "id #3".
func Load(path string) (*Run, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = filepath.Join(path, "report.json")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rep reportJSON
	if err := json.Unmarshal(raw, &rep); err != nil {
		return nil, fmt.Errorf("%s: not a ducktape report.json: %w", path, err)
	}
	run := &Run{Path: path, SessionID: rep.SessionID}
	seen := map[string]int{}
	for _, res := range rep.Results {
		if res.TestID == "" {
			return nil, fmt.Errorf("%s: a result has no test_id", path)
		}
		seen[res.TestID]++
		id := res.TestID
		if n := seen[id]; n > 1 {
			id += " #" + strconv.Itoa(n)
		}
		exprs := make([]string, len(res.Thresholds))
		for i, th := range res.Thresholds {
			exprs[i] = th.Expr
		}
		t, err := NewTest(id, res.Status, res.Data, exprs)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", path, res.TestID, err)
		}
		run.Tests = append(run.Tests, t)
	}
	return run, nil
}

// NewTest makes the Test of one result: its data (JSON, may be empty)
// flattened, and the directions its threshold expressions imply (one that
// does not parse implies none).
func NewTest(id, status string, data json.RawMessage, thresholds []string) (Test, error) {
	t := Test{ID: id, Status: status, Values: map[string]float64{}, Thresholds: map[string]Direction{}}
	if len(data) > 0 {
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			return Test{}, fmt.Errorf("data: %w", err)
		}
		t.Values = Flatten(v)
	}
	for _, expr := range thresholds {
		if e, err := threshold.Parse(expr); err == nil {
			t.Thresholds[e.Key] = directionOfThreshold(e)
		}
	}
	return t, nil
}

// Flatten returns every number in v (JSON decoded into any) by its dotted
// key: {"a": {"b": 1}, "c": [2]} gives a.b = 1 and c.0 = 2. Strings,
// booleans and nulls are left out; a bare number has no key and is too.
func Flatten(v any) map[string]float64 {
	out := map[string]float64{}
	flatten("", v, out)
	return out
}

func flatten(prefix string, v any, out map[string]float64) {
	join := func(k string) string {
		if prefix == "" {
			return k
		}
		return prefix + "." + k
	}
	switch v := v.(type) {
	case float64:
		if prefix != "" {
			out[prefix] = v
		}
	case map[string]any:
		for k, child := range v {
			flatten(join(k), child, out)
		}
	case []any:
		for i, child := range v {
			flatten(join(strconv.Itoa(i)), child, out)
		}
	}
}

// keys returns the union of both tests' keys, sorted.
func keys(a, b map[string]float64) []string {
	var out []string
	for k := range a {
		out = append(out, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}
