package host

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// Subset returns part i (0-based) of cases split into n contiguous parts of
// nearly equal size (--subsets n --subset i), as the Python ducktape does,
// so that n machines can share a suite.
func Subset(cases []*Case, n, i int) ([]*Case, error) {
	if n < 1 || i < 0 || i >= n {
		return nil, fmt.Errorf("--subset must be between 0 and --subsets - 1 (%d), not %d", n-1, i)
	}
	size := (len(cases) + n - 1) / n
	lo, hi := min(i*size, len(cases)), min((i+1)*size, len(cases))
	return cases[lo:hi], nil
}

// Sample returns n of cases chosen at random, in their original order
// (--sample n). With n >= len(cases) it returns them all.
func Sample(cases []*Case, n int, rng *rand.Rand) []*Case {
	if n >= len(cases) {
		return cases
	}
	picked := rng.Perm(len(cases))[:n]
	slices.Sort(picked)
	out := make([]*Case, n)
	for k, idx := range picked {
		out[k] = cases[idx]
	}
	return out
}
