package services_test

import "testing"

func TestLifecycle(t *testing.T) {
	cl := localCluster(t, 4)
	run(t, cl, "testdata/test_lifecycle.star")
	assertNoProcesses(t, cl, "sleep")
}
