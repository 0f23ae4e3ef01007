package services_test

import (
	"testing"

	"github.com/ducktape-go/ducktape/host/hosttest"
)

func TestLifecycle(t *testing.T) {
	cl := hosttest.LocalCluster(t, 4)
	hosttest.RunFile(t, cl, "testdata/test_lifecycle.star", hosttest.Options{})
	assertNoProcesses(t, cl, "sleep")
}
