package host

import (
	"fmt"
	"slices"
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
