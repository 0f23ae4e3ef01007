package host_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/host"
	"github.com/ducktape-go/ducktape/starlib"
)

func evalError(t *testing.T, src string) error {
	t.Helper()
	_, err := starlark.ExecFileOptions(starlib.FileOptions, &starlark.Thread{}, "x.star", src, nil)
	if err == nil {
		t.Fatal("no error")
	}
	return err
}

func TestErrorText(t *testing.T) {
	test := evalError(t, "def f():\n    fail(\"test broke\")\nf()\n")
	stop := evalError(t, "def stop():\n    1 // 0\nstop()\n")
	clean := errors.New("clean: permission denied")
	err := errors.Join(test, fmt.Errorf("services teardown failed: %w", errors.Join(fmt.Errorf("stopping redis-1: %w", stop), clean)))
	got := host.ErrorText(err)
	for _, want := range []string{
		"x.star:2:9: in f", "Error in fail: fail: test broke",
		"services teardown failed: stopping redis-1: Traceback", "x.star:2:7: in stop", "floored division by zero",
		"clean: permission denied",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("ErrorText lacks %q:\n%s", want, got)
		}
	}
	if got := host.ErrorText(fmt.Errorf("setup failed: %w", errors.New("no"))); got != "setup failed: no" {
		t.Errorf("single-line wrap: %q", got)
	}
}
