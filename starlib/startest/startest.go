// Package startest reads the expectations of Starlark test data, in the
// style of go.starlark.net's: a comment `### "regexp"` says that code must
// fail with an error matching regexp (Go syntax; `.` matches newlines
// too). For tests only.
//
// Two forms are used: in a chunk of starlib's testdata (chunks are
// separated by lines of "---"), the comment anywhere in the chunk,
// usually after the line that fails; in a test file run by the runner, a
// line of its own right before `def test_x`, for that test.
package startest

import "regexp"

var (
	anywhere  = regexp.MustCompile(`### "(.*)"`)
	beforeDef = regexp.MustCompile(`(?m)^### "(.*)"\ndef (test_\w+)`)
)

// compile turns an expectation into its regular expression; a bad one
// panics, since it is a mistake in the test data.
func compile(pattern string) *regexp.Regexp { return regexp.MustCompile("(?s)" + pattern) }

// ChunkExpectation returns the error a chunk must fail with, or nil when
// it must succeed.
func ChunkExpectation(chunk string) *regexp.Regexp {
	m := anywhere.FindStringSubmatch(chunk)
	if m == nil {
		return nil
	}
	return compile(m[1])
}

// Expectations maps each test function of a file's source that must fail
// to the pattern its summary must match.
func Expectations(src string) map[string]*regexp.Regexp {
	out := map[string]*regexp.Regexp{}
	for _, m := range beforeDef.FindAllStringSubmatch(src, -1) {
		out[m[2]] = compile(m[1])
	}
	return out
}
