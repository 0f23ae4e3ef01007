package check

import (
	"strings"
	"testing"

	"github.com/ducktape-go/ducktape/host/history"
)

func TestCounterChecker(t *testing.T) {
	cases := []struct {
		name  string
		h     history.File
		ok    bool
		words []string
	}{
		{"sequential adds and reads", hist(
			inv(0, "read", nil), ok(0, "read", 0),
			inv(0, "add", 1), ok(0, "add", nil),
			inv(1, "add", 2), ok(1, "add", nil),
			inv(0, "read", nil), ok(0, "read", 3)), true, []string{"ok: all 2 reads within the bounds of 2 adds"}},
		{"a read concurrent with an add may see it or not", hist(
			inv(0, "add", 1), ok(0, "add", nil),
			inv(1, "add", 5), inv(2, "read", nil), inv(3, "read", nil), ok(2, "read", 1), ok(3, "read", 6), ok(1, "add", nil)), true, nil},
		{"a read lower than the acknowledged adds", hist(
			inv(0, "add", 1), ok(0, "add", nil),
			inv(1, "add", 2), ok(1, "add", nil),
			inv(0, "read", nil), ok(0, "read", 1)), false,
			[]string{"1 of 1 reads out of bounds: process 0 read 1 [0.004s, 0.005s], expected 3 to 3"}},
		{"a read higher than every attempt", hist(
			inv(0, "add", 1), ok(0, "add", nil),
			inv(0, "read", nil), ok(0, "read", 4)), false, []string{"expected 1 to 1"}},
		{"an add of unknown outcome may have happened", hist(
			inv(0, "add", 1), info(0, "add"),
			inv(1, "read", nil), ok(1, "read", 0),
			inv(1, "read", nil), ok(1, "read", 1)), true, nil},
		{"a failed add did not happen", hist(
			inv(0, "add", 1), fail(0, "add"),
			inv(1, "read", nil), ok(1, "read", 1)), false, []string{"expected 0 to 0"}},
		{"decrements widen the lower bound", hist(
			inv(0, "add", 10), ok(0, "add", nil),
			inv(1, "add", -3), inv(2, "read", nil), ok(2, "read", 7), ok(1, "add", nil),
			inv(2, "read", nil), ok(2, "read", 10)), false, []string{"process 2 read 10 [0.006s, 0.007s], expected 7 to 7"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := Counter(c.h)
			if err != nil {
				t.Fatal(err)
			}
			if r.OK != c.ok || r.Name != "counter" {
				t.Fatalf("ok %v, want %v: %s", r.OK, c.ok, r.Summary)
			}
			assertContains(t, "summary", r.Summary, c.words...)
			if want := map[bool]string{true: "", false: "1 read out of bounds"}[c.ok]; r.Found != want {
				t.Errorf("found %q, want %q", r.Found, want)
			}
		})
	}
}

func TestCounterCheckerBadInput(t *testing.T) {
	for _, c := range []struct {
		h    history.File
		want string
	}{
		{hist(inv(0, "add", "one"), ok(0, "add", nil)), `counter: operation 0 (process 0, add): value "one" is not a number`},
		{hist(inv(0, "read", nil), ok(0, "read", list())), "operation 0 (process 0, read): value [] is not a number"},
		{hist(inv(0, "cas", 1), ok(0, "cas", nil)), `f "cas" is not add or read`},
	} {
		if _, err := Counter(c.h); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want %q", err, c.want)
		}
	}
}
