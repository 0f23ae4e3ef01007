package repl

import (
	"slices"
	"testing"
)

func TestComplete(t *testing.T) {
	s, _, _ := newSession(t)
	exec(t, s, "calls = []\ndef touch():\n    calls.append(1)\n    return nodes[0]\n_hidden = 1\nd = {\"k\": nodes}\n")
	for _, tc := range []struct {
		line       string
		pos        int // -1: the end
		head, tail string
		want       []string
	}{
		{"ha", -1, "", "", []string{"hasattr", "hash"}},
		{"x = clu", -1, "x = ", "", []string{"cluster"}},
		{"nodes[0].account.ssh", -1, "nodes[0].account.", "", []string{"ssh", "ssh_capture", "ssh_hostname", "ssh_output"}},
		{"print(nodes[-1].n)", 17, "print(nodes[-1].", ")", []string{"name", "node_type"}},
		{`d["k"][1].account.user`, -1, `d["k"][1].account.`, "", []string{"user"}},
		{"cluster.num", -1, "cluster.", "", []string{"num_available"}},
		{"_hi", -1, "", "", []string{"_hidden"}},
		{"touch().", -1, "touch().", "", nil},                     // calls are not evaluated
		{"nodes[len(calls)].", -1, "nodes[len(calls)].", "", nil}, // nor computed indexes
		{"nodes[5].", -1, "nodes[5].", "", nil},                   // errors complete nothing
		{"nope.x", -1, "nope.", "", nil},
		{"é = no", -1, "é = ", "", []string{"node_spec", "nodes"}},
	} {
		pos := tc.pos
		if pos < 0 {
			pos = len([]rune(tc.line))
		}
		head, got, tail := s.Complete(tc.line, pos)
		if head != tc.head || tail != tc.tail || !slices.Equal(got, tc.want) {
			t.Errorf("Complete(%q, %d) = %q, %q, %q; want %q, %q, %q", tc.line, pos, head, got, tail, tc.head, tc.want, tc.tail)
		}
	}
	if s.globals["calls"].String() != "[]" {
		t.Errorf("completion called a function: calls = %s", s.globals["calls"])
	}
}
