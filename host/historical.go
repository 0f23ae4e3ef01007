package host

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ReadRunTimes reads the run times of an earlier session for
// --historical-report: path is its report.json or the session directory
// holding one. It returns each test id's mean run_time_seconds over its
// runs. Entries that measured nothing (IGNORE, load failures, "Test not
// run") are left out.
func ReadRunTimes(path string) (map[string]float64, error) {
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		path = filepath.Join(path, "report.json")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var report struct {
		Results []*Result `json:"results"`
	}
	if err := json.Unmarshal(data, &report); err != nil {
		return nil, fmt.Errorf("%s is not a ducktape report.json: %v", path, err)
	}
	sums, counts := map[string]float64{}, map[string]int{}
	for _, r := range report.Results {
		if r == nil || r.TestStatus == StatusIgnore || r.FunctionName == "" || strings.HasPrefix(r.Summary, NotRunSummary) {
			continue
		}
		sums[r.TestID] += r.RunTimeSeconds
		counts[r.TestID]++
	}
	times := make(map[string]float64, len(sums))
	for id, sum := range sums {
		times[id] = sum / float64(counts[id])
	}
	return times, nil
}

// BalancedSubset returns part i (0-based) of cases split into n parts of
// nearly equal expected run time (--subsets with --historical-report): the
// cases are dealt largest run time first, each into the part with the
// least time so far (the lowest-numbered among equals); a case that times
// does not know counts as the mean of those it knows (1 s when it knows
// none). Each part keeps the cases in their original order.
func BalancedSubset(cases []*Case, n, i int, times map[string]float64) ([]*Case, error) {
	if n < 1 || i < 0 || i >= n {
		return nil, fmt.Errorf("--subset must be between 0 and --subsets - 1 (%d), not %d", n-1, i)
	}
	mean, known := 0.0, 0
	for _, c := range cases {
		if t, ok := times[c.ID()]; ok {
			mean += t
			known++
		}
	}
	if known > 0 {
		mean /= float64(known)
	} else {
		mean = 1
	}
	expected := make([]float64, len(cases))
	order := make([]int, len(cases))
	for k, c := range cases {
		t, ok := times[c.ID()]
		if !ok {
			t = mean
		}
		expected[k], order[k] = t, k
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case expected[a] > expected[b]:
			return -1
		case expected[a] < expected[b]:
			return 1
		}
		return 0
	})
	load := make([]float64, n)
	part := make([]int, len(cases))
	for _, k := range order {
		least := 0
		for p := 1; p < n; p++ {
			if load[p] < load[least] {
				least = p
			}
		}
		part[k] = least
		load[least] += expected[k]
	}
	var out []*Case
	for k, c := range cases {
		if part[k] == i {
			out = append(out, c)
		}
	}
	return out, nil
}
