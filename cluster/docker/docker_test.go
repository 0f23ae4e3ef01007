package docker_test

import (
	"testing"

	"github.com/ducktape-go/ducktape/cluster/accounttest"
	"github.com/ducktape-go/ducktape/cluster/docker"
	"github.com/ducktape-go/ducktape/cluster/docker/dockertest"
)

func TestDockerConformance(t *testing.T) {
	accounttest.Run(t, dockertest.Views(dockertest.Start(t, 2, docker.Options{})))
}

func TestDockerIsolation(t *testing.T) {
	accounttest.RunIsolation(t, dockertest.Views(dockertest.Start(t, 2, docker.Options{})))
}
