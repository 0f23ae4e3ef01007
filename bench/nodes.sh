#!/bin/sh
# Measures the driver's costs on 100, 1,000 and 5,000 simulated nodes
# (cluster/sshsim) and the per-command and service-cycle figures on real sshd
# nodes (cluster/sshtest, needs root and openssh-server), in one run: the
# figures of docs/performance.md, "Many nodes" and "Services". Output: the
# `go test -bench` lines, after the machine's load.
#
#	sh bench/nodes.sh            # from the repository's root; about 10 minutes
set -e
uptime
go test ./cluster -run '^$' -bench 'SimFanout' -benchtime 1x -timeout 30m
go test ./cluster -run '^$' -bench 'SimSequential' -benchtime 5000x -count 3
go test ./services -run '^$' -bench 'SimService|SimCollectLogs' -benchtime 2x -timeout 30m
go test ./cluster -run '^$' -bench 'SSHSequential/(ducktape|bare)' -benchtime 2000x -count 3
go test ./cluster -run '^$' -bench 'SSHBackgroundStart' -benchtime 200x -count 3
go test ./services -run '^$' -bench 'ProcessServiceCycle/ssh|CycleFloor/ssh' -benchtime 200x -count 3
uptime
