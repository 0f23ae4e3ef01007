package host

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/ducktape-go/ducktape/host/series"
	"github.com/ducktape-go/ducktape/host/threshold"
)

// mergeSeries returns the test's data with the summary of each of its
// series under the series' name (see series.Summary.Map). Without series
// the data is returned as it is. The data must be a JSON object, or nil
// (the test returned None, or failed): a series named like a key the test
// returned, or series with data that is not a dict, is an error, and the
// data is returned unmerged.
func mergeSeries(data json.RawMessage, set *series.Set) (json.RawMessage, error) {
	all := set.All()
	if len(all) == 0 {
		return data, nil
	}
	merged := map[string]any{}
	if data != nil {
		if err := json.Unmarshal(data, &merged); err != nil || merged == nil {
			return data, errors.New("the test has series but did not return a dict: their summaries go into the test's data, so return a dict (or None)")
		}
	}
	for _, s := range all {
		if _, taken := merged[s.Name()]; taken {
			return data, fmt.Errorf("the test returned the key %q, which is also the name of one of its series (whose summary goes there): rename one", s.Name())
		}
		merged[s.Name()] = s.Summary()
	}
	return json.Marshal(merged)
}

// checkThresholds evaluates each threshold against the test's data (nil,
// or JSON whose top level is not an object, has no keys) and returns the
// verdicts, in order, and an error naming every threshold that failed.
func checkThresholds(exprs []*threshold.Expr, data json.RawMessage) ([]threshold.Verdict, error) {
	if len(exprs) == 0 {
		return nil, nil
	}
	var view map[string]any
	if data != nil {
		json.Unmarshal(data, &view) // anything but an object leaves view empty
	}
	verdicts := make([]threshold.Verdict, len(exprs))
	var failed []string
	for i, e := range exprs {
		verdicts[i] = e.Eval(view)
		if !verdicts[i].OK {
			failed = append(failed, fmt.Sprintf("threshold %s failed: %s", verdicts[i].Expr, verdicts[i].Message))
		}
	}
	if len(failed) > 0 {
		return verdicts, errors.New(strings.Join(failed, "\n"))
	}
	return verdicts, nil
}
