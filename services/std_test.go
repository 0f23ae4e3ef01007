package services_test

import "testing"

func TestStd(t *testing.T) {
	cl := localCluster(t, 4)
	run(t, cl, "testdata/test_std.star")
	assertNoProcesses(t, cl, "sleep")
}
