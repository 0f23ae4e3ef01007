package host

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// Subset returns part i (0-based) of cases split into n contiguous parts
// whose sizes differ by at most one, the larger ones first (--subsets n
// --subset i), so that n machines share a suite evenly.
func Subset(cases []*Case, n, i int) ([]*Case, error) {
	if n < 1 || i < 0 || i >= n {
		return nil, fmt.Errorf("--subset must be between 0 and --subsets - 1 (%d), not %d", n-1, i)
	}
	size, extra := len(cases)/n, len(cases)%n
	lo := i*size + min(i, extra)
	hi := lo + size
	if i < extra {
		hi++
	}
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
