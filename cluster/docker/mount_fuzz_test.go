package docker

import (
	"strings"
	"testing"
)

// FuzzParseMount checks --docker-mount: never a panic; an error quotes
// the option; a mount accepted has an absolute source and target and, in
// the engine's bind syntax, parses back to itself.
func FuzzParseMount(f *testing.F) {
	for _, s := range []string{"/src:/dst", "rel:/dst:ro", "a:/b:rw", "a:b", ":/b", "a:", "a:/b:x", "a:/b:ro:rw", "", "::", "~/x:/y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMount(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "--docker-mount ") {
				t.Fatalf("ParseMount(%q): error %q does not name --docker-mount", s, err)
			}
			return
		}
		if !strings.HasPrefix(m.Source, "/") || !strings.HasPrefix(m.Target, "/") {
			t.Fatalf("ParseMount(%q) = %+v: not absolute", s, m)
		}
		if again, err := ParseMount(m.bind()); err != nil || again != m {
			t.Fatalf("ParseMount(%q) = %+v binds as %q, which parses to %+v, %v", s, m, m.bind(), again, err)
		}
	})
}
