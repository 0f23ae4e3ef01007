package check

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ducktape-go/ducktape/host/history"
)

func TestSetChecker(t *testing.T) {
	cases := []struct {
		name           string
		h              history.File
		ok, unknown    bool
		lost, unexpect []any
		words          []string
	}{
		{"all acknowledged adds read back", hist(
			inv(0, "add", 1), ok(0, "add", nil),
			inv(1, "add", 2), ok(1, "add", nil),
			inv(0, "read", nil), ok(0, "read", list(2, 1))), true, false, nil, nil,
			[]string{"ok: the final read (process 0 at 0.004s) has all 2 acknowledged adds"}},
		{"an acknowledged add is lost", hist(
			inv(0, "add", 1), ok(0, "add", nil),
			inv(1, "add", 2), ok(1, "add", nil),
			inv(0, "read", nil), ok(0, "read", list(2))), false, false, []any{1.0}, nil,
			[]string{"lost 1 of 2 acknowledged adds: 1"}},
		{"only the final read counts", hist(
			inv(0, "add", 1), ok(0, "add", nil),
			inv(0, "read", nil), ok(0, "read", list()),
			inv(0, "read", nil), ok(0, "read", list(1))), true, false, nil, nil, nil},
		{"lost adds are named in numeric order", hist(
			inv(0, "add", 1000), ok(0, "add", nil),
			inv(0, "add", 653), ok(0, "add", nil),
			inv(0, "add", 1003), ok(0, "add", nil),
			inv(0, "add", 7), ok(0, "add", nil),
			inv(0, "read", nil), ok(0, "read", list(7))), false, false, []any{653.0, 1000.0, 1003.0}, nil,
			[]string{"lost 3 of 4 acknowledged adds: 653, 1000, 1003"}},
		{"an element never added", hist(
			inv(0, "add", 1), ok(0, "add", nil),
			inv(0, "read", nil), ok(0, "read", list(1, "x"))), false, false, nil, []any{"x"},
			[]string{`has 1 elements never added (or whose add failed): "x"`}},
		{"a failed add must not show up", hist(
			inv(0, "add", 1), fail(0, "add"),
			inv(0, "read", nil), ok(0, "read", list(1))), false, false, nil, []any{1.0}, nil},
		{"an add of unknown outcome may show up", hist(
			inv(0, "add", 1), info(0, "add"),
			inv(1, "add", 2), info(1, "add"),
			inv(2, "read", nil), ok(2, "read", list(1))), true, false, nil, nil,
			[]string{"1 adds of unknown outcome were read back"}},
		{"an add acknowledged after the final read began is not judged", hist(
			inv(0, "add", 1), inv(1, "read", nil), ok(0, "add", nil), ok(1, "read", list())), true, false, nil, nil,
			[]string{"1 adds acknowledged after the final read began were not judged"}},
		{"never read", hist(inv(0, "add", 1), ok(0, "add", nil), inv(1, "read", nil), fail(1, "read")), false, true, nil, nil,
			[]string{"unknown: the set was never read"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := Set(c.h)
			if err != nil {
				t.Fatal(err)
			}
			if r.OK != c.ok || r.Unknown != c.unknown || r.Name != "set" {
				t.Fatalf("ok %v unknown %v, want %v %v: %s", r.OK, r.Unknown, c.ok, c.unknown, r.Summary)
			}
			assertContains(t, "summary", r.Summary, c.words...)
			if c.unknown {
				return
			}
			if want := foundWords(len(c.lost), len(c.unexpect)); r.Found != want {
				t.Errorf("found %q, want %q", r.Found, want)
			}
			if got := r.Details["lost"].([]any); !reflect.DeepEqual(got, nonNil(c.lost)) {
				t.Errorf("lost = %v, want %v", got, c.lost)
			}
			if got := r.Details["unexpected"].([]any); !reflect.DeepEqual(got, nonNil(c.unexpect)) {
				t.Errorf("unexpected = %v, want %v", got, c.unexpect)
			}
		})
	}
}

// foundWords is what the set checker says it found.
func foundWords(lost, unexpected int) string {
	var w []string
	if lost > 0 {
		w = append(w, plural(lost, "lost add"))
	}
	if unexpected > 0 {
		w = append(w, plural(unexpected, "unexpected element"))
	}
	return strings.Join(w, " and ")
}

func nonNil(l []any) []any {
	if l == nil {
		return []any{}
	}
	return l
}

func TestSetCheckerBadInput(t *testing.T) {
	for _, c := range []struct {
		h    history.File
		want string
	}{
		{hist(inv(0, "write", 1), ok(0, "write", nil)), `set: operation 0 (process 0): f "write" is not add or read`},
		{hist(inv(0, "read", nil), ok(0, "read", 5)), "a set read must complete with a list, not 5"},
	} {
		if _, err := Set(c.h); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want %q", err, c.want)
		}
	}
}
