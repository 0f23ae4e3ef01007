package main

import (
	"strings"
	"testing"
)

// collect runs --collect-only over args and returns the exit status and
// the listed ids (relative to dir), one a line, then stderr.
func collect(t *testing.T, dir string, args ...string) (code int, ids, stderr string) {
	t.Helper()
	code, out, errOut := runCLI(t, append([]string{"--collect-only"}, args...)...)
	var lines []string
	for _, line := range strings.Split(out, "\n") {
		if id, _, ok := strings.Cut(line, "  ("); ok {
			lines = append(lines, strings.TrimPrefix(id, dir+"/"))
		}
	}
	return code, strings.Join(lines, "\n"), errOut
}

const paramsFile = `
def test_t(ctx, x, y): pass
parametrize(test_t, x = 1, y = "a")
parametrize(test_t, x = 2, y = "b,c")
parametrize(test_t, x = 3, y = "d")
`

func TestExcludeTakesParametrizedSymbols(t *testing.T) {
	dir := t.TempDir()
	f := writeFile(t, dir, "f.star", paramsFile)
	code, ids, errOut := collect(t, dir, "--exclude", f+`::test_t@{"x": 1,"y": "a"}`, "--exclude", f+`::test_t@{"y": "b,c", "x": 2},`+f+`::nothing_here_is_fine`, f)
	if code != exitOK || ids != `f.star::test_t@{"x":3,"y":"d"}` {
		t.Errorf("exit %d, cases:\n%s\n%s", code, ids, errOut)
	}
}
