package services_test

import (
	"testing"

	"github.com/ducktape-go/ducktape/host/hosttest"
)

func TestStd(t *testing.T) {
	cl := hosttest.LocalCluster(t, 4)
	hosttest.RunFile(t, cl, "testdata/test_std.star", hosttest.Options{})
	assertNoProcesses(t, cl, "sleep")
}
