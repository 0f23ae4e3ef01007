package host

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/services"
	"github.com/ducktape-go/ducktape/starlib"
)

// teardownServices ends the test's faults, services and clients
// (env.Faults, env.Services, env.Clients) after its teardown(ctx),
// whatever happened to the test: it heals every fault still active (see
// faults.Registry.Close), then stops the services, collects logs into
// resultsDir (all when the test failed), cleans and frees (see
// services.Registry.Teardown), then closes the clients the test left
// open (after the services' background workers, which may use them, have
// stopped; see closeClients), and last unmounts the test's lazy file
// systems, which the services' logs may have been read from
// (faults.Registry.CloseStorage). It runs under a context that is not
// cancelled with the test's, with the interpreter lock (held by the
// caller) released so that the services' hooks can take it. It returns
// testErr with the teardown's errors appended after it.
func teardownServices(abort context.Context, env *starlib.Env, resultsDir string, noTeardown, compress bool, testErr error) error {
	rt := env.Runtime
	rt.Unlock()
	// Faults are healed first: a paused or cut-off service could not stop
	// cleanly, and logs are collected from healed nodes.
	healErr := env.Faults.Close(abort)
	err := env.Services.Teardown(abort, services.TeardownOptions{
		ResultsDir: resultsDir,
		Failed:     testErr != nil,
		NoTeardown: noTeardown,
		Compress:   compress,
	})
	closeClients(env)
	unmountErr := env.Faults.CloseStorage(abort)
	rt.Lock()
	if healErr != nil {
		testErr = errors.Join(testErr, fmt.Errorf("healing faults failed: %w", healErr))
	}
	if unmountErr != nil {
		testErr = errors.Join(testErr, fmt.Errorf("unmounting lazy file systems failed: %w", unmountErr))
	}
	if err == nil {
		return testErr
	}
	// ErrorText renders both, each with its backtrace.
	return errors.Join(testErr, fmt.Errorf("services teardown failed: %w", err))
}

// closeClients closes the protocol clients the test left open and says so
// in its log; a client that would not close is a warning, not a failure
// of the test.
func closeClients(env *starlib.Env) {
	if env.Clients == nil {
		return
	}
	left, err := env.Clients.Close()
	if len(left) > 0 {
		env.Log.Log(starlib.Record{Time: time.Now(), Level: starlib.LevelDebug,
			Msg: fmt.Sprintf("closed %d clients the test left open: %s", len(left), strings.Join(left, "; "))})
	}
	if err != nil {
		env.Log.Log(starlib.Record{Time: time.Now(), Level: starlib.LevelWarning, Msg: fmt.Sprintf("closing the test's clients: %v", err)})
	}
}

// leftoverKillTimeout bounds the kill of what a test left on its nodes.
const leftoverKillTimeout = 30 * time.Second

// killLeftovers kills the processes the test started on its nodes and left
// running (detached daemons, a service whose stop failed), once everything
// of the test has ended, and says so in the test's log. It does not fail
// the test: a node it cannot reach is a warning, and the cluster's Close
// tries that node again.
func killLeftovers(abort context.Context, owner *cluster.Owner, log starlib.Logger) {
	ctx, cancel := context.WithTimeout(abort, leftoverKillTimeout)
	defer cancel()
	left, err := owner.KillLeftovers(ctx)
	if len(left) > 0 {
		var parts []string
		n := 0
		for _, l := range left {
			n += len(l.Pids)
			parts = append(parts, fmt.Sprintf("%s: %s", l.Node, strings.Trim(fmt.Sprint(l.Pids), "[]")))
		}
		log.Log(starlib.Record{Time: time.Now(), Level: starlib.LevelInfo,
			Msg: fmt.Sprintf("killed %d processes the test left running (%s=%s): %s", n, cluster.OwnerEnv, owner.ID(), strings.Join(parts, "; "))})
	}
	if err != nil {
		log.Log(starlib.Record{Time: time.Now(), Level: starlib.LevelWarning,
			Msg: fmt.Sprintf("could not kill the processes the test left running (the cluster's close tries again): %v", err)})
	}
}
