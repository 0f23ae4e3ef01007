package host

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
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

// SuiteInfo identifies the suite a session ran and the --subsets parts of
// it that the session holds: report.json's "suite". ducktape merge combines
// only sessions of one suite (equal ID and Subsets) whose Parts are
// disjoint. Two drivers select the same suite when they select the same
// case ids in the same order: the same checkout, run from the same
// directory with the same selection arguments.
type SuiteInfo struct {
	// ID is "sha256:" and the hex SHA-256 of the ids of the whole
	// selection's cases (before --subsets and --sample), in order, each
	// followed by a newline.
	ID string `json:"id"`
	// NumCases is how many cases the whole selection has.
	NumCases int `json:"num_cases"`
	// Subsets is K of --subsets K (1 for an unsplit run).
	Subsets int `json:"subsets"`
	// Parts are the subsets (0-based, ascending) the session ran: [i] for
	// --subset i, several for a merged session.
	Parts []int `json:"parts"`
}

// NewSuiteInfo identifies the selection cases (the whole suite, before
// Subset) for the run of part subset of subsets.
func NewSuiteInfo(cases []*Case, subsets, subset int) *SuiteInfo {
	h := sha256.New()
	for _, c := range cases {
		io.WriteString(h, c.ID()+"\n")
	}
	return &SuiteInfo{ID: "sha256:" + hex.EncodeToString(h.Sum(nil)), NumCases: len(cases), Subsets: subsets, Parts: []int{subset}}
}
