package host

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func numberedCases(n int) []*Case {
	out := make([]*Case, n)
	for i := range out {
		out[i] = &Case{Test: &Test{File: "t.star", Name: fmt.Sprintf("test_%d", i)}}
	}
	return out
}

func TestSubsetSizesDifferByAtMostOne(t *testing.T) {
	for _, tc := range []struct {
		cases, parts int
		sizes        []int
	}{
		{18, 4, []int{5, 5, 4, 4}},
		{5, 4, []int{2, 1, 1, 1}},
		{10, 3, []int{4, 3, 3}},
		{8, 4, []int{2, 2, 2, 2}},
		{2, 3, []int{1, 1, 0}},
	} {
		all := numberedCases(tc.cases)
		var sizes []int
		var joined []*Case
		for i := 0; i < tc.parts; i++ {
			part, err := Subset(all, tc.parts, i)
			if err != nil {
				t.Fatal(err)
			}
			sizes = append(sizes, len(part))
			joined = append(joined, part...)
		}
		if !slices.Equal(sizes, tc.sizes) || !slices.Equal(joined, all) {
			t.Errorf("%d cases in %d subsets: sizes %v, want %v (and every case once, in order)", tc.cases, tc.parts, sizes, tc.sizes)
		}
	}
}

func TestBalancedSubsetByHistoricalRunTimes(t *testing.T) {
	cases := numberedCases(6)
	dir := t.TempDir()
	report := `{"results": [
		{"test_id": "t.star::test_0", "function_name": "test_0", "test_status": "PASS", "run_time_seconds": 12},
		{"test_id": "t.star::test_0", "function_name": "test_0", "test_status": "FAIL", "run_time_seconds": 8},
		{"test_id": "t.star::test_1", "function_name": "test_1", "test_status": "PASS", "run_time_seconds": 1},
		{"test_id": "t.star::test_2", "function_name": "test_2", "test_status": "PASS", "run_time_seconds": 1},
		{"test_id": "t.star::test_3", "function_name": "test_3", "test_status": "PASS", "run_time_seconds": 8},
		{"test_id": "t.star::test_4", "function_name": "test_4", "test_status": "FAIL", "summary": "Test not run: interrupted", "run_time_seconds": 0},
		{"test_id": "t.star::test_5", "function_name": "test_5", "test_status": "FLAKY", "run_time_seconds": 2},
		{"test_id": "t.star::test_6", "function_name": "test_6", "test_status": "IGNORE", "run_time_seconds": 0},
		{"test_id": "t.star", "module_name": "t.star", "test_status": "FAIL", "run_time_seconds": 0}
	]}`
	if err := os.WriteFile(filepath.Join(dir, "report.json"), []byte(report), 0o644); err != nil {
		t.Fatal(err)
	}
	times, err := ReadRunTimes(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"t.star::test_0": 10, "t.star::test_1": 1, "t.star::test_2": 1, "t.star::test_3": 8, "t.star::test_5": 2}
	if !maps.Equal(times, want) {
		t.Errorf("run times %v, want %v", times, want)
	}
	// Largest first into the least-loaded part; test_4 is unknown and
	// counts as the mean, 4.4 s: 0 (10) -> A, 3 (8) -> B, 4 (4.4) -> B,
	// 5 (2) -> A, 1 (1) -> A, 2 (1) -> B.
	var parts []string
	for i := 0; i < 2; i++ {
		part, err := BalancedSubset(cases, 2, i, times)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, c := range part {
			names = append(names, c.Test.Name)
		}
		parts = append(parts, strings.Join(names, " "))
	}
	if got := strings.Join(parts, " | "); got != "test_0 test_1 test_5 | test_2 test_3 test_4" {
		t.Errorf("parts: %s", got)
	}
	if _, err := ReadRunTimes(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("a missing report was accepted")
	}
}
