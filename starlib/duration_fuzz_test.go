package starlib

import (
	"strings"
	"testing"

	"go.starlark.net/starlark"
)

// FuzzParseDuration checks the durations of timeout(...) marks and
// friends: a duration string or a number of seconds is accepted only as a
// positive duration; anything else is an error saying what is wanted.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"90s", "10m", "1h30m", "0s", "-1s", "x", "", "9999999999h"} {
		f.Add(s, 0.0, false)
	}
	for _, x := range []float64{2.5, 0, -1, 9.3e9} {
		f.Add("", x, true)
	}
	f.Fuzz(func(t *testing.T, s string, seconds float64, number bool) {
		var v starlark.Value = starlark.String(s)
		if number {
			v = starlark.Float(seconds)
		}
		d, err := ParseDuration(v)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "want a ") {
				t.Fatalf("ParseDuration(%s): error %q does not say what is wanted", v, err)
			}
			return
		}
		if d <= 0 {
			t.Fatalf("ParseDuration(%s) = %v, not positive", v, d)
		}
	})
}
