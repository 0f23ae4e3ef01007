package starlib_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/host/series"
	"github.com/ducktape-go/ducktape/starlib"
	"github.com/ducktape-go/ducktape/starlib/startest"
)

// TestScripts runs testdata/*.star in go.starlark.net's style: a file is a
// series of chunks separated by lines of "---"; each chunk runs with a test
// context (ctx) over a small local cluster. A chunk with a comment
// `### "regexp"` must fail with an error matching it; other chunks must
// succeed (see starlib/startest).
func TestScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.star")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test scripts: %v", err)
	}
	cl, err := cluster.NewLocal(3)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for i, chunk := range strings.Split(string(data), "\n---\n") {
			t.Run(fmt.Sprintf("%s#%d", filepath.Base(file), i), func(t *testing.T) {
				runChunk(t, cl, file, chunk, lineOf(string(data), chunk))
			})
		}
	}
}

// recorder is a starlib.Logger that keeps the records.
type recorder struct{ records []starlib.Record }

func (r *recorder) Log(rec starlib.Record) { r.records = append(r.records, rec) }

func runChunk(t *testing.T, cl *cluster.Cluster, file, chunk string, line int) {
	// Pad so error positions are the file's own line numbers.
	src := strings.Repeat("\n", line-1) + chunk
	log := &recorder{}
	dir := t.TempDir()
	env := starlib.NewEnv(starlib.Env{Log: log, Cluster: starlib.NewTestCluster(cl.Nodes()), History: starlib.NewTestHistory(dir), Series: series.NewSet()})
	rt := env.Runtime
	params := starlark.NewDict(0)
	tctx := &starlib.TestContext{
		TestID: file, TestName: "chunk", ResultsDir: dir,
		Params: params, Globals: starlark.NewDict(0), Env: env,
	}
	predeclared := starlark.StringDict{"ctx": tctx}
	for k, v := range starlib.Predeclared() {
		predeclared[k] = v
	}
	thread := rt.NewThread(context.Background(), t.Name())
	rt.Lock()
	_, err := starlark.ExecFileOptions(starlib.FileOptions, thread, file, src, predeclared)
	rt.Unlock()

	want := startest.ChunkExpectation(chunk)
	switch {
	case want == nil && err != nil:
		t.Errorf("%s:%d: unexpected error: %v", file, line, backtrace(err))
	case want != nil && err == nil:
		t.Errorf("%s:%d: succeeded, want error matching %q", file, line, want)
	case want != nil && !want.MatchString(err.Error()):
		t.Errorf("%s:%d: error %q does not match %q", file, line, err, want)
	}
}

func backtrace(err error) string {
	if ee, ok := err.(*starlark.EvalError); ok {
		return ee.Backtrace()
	}
	return err.Error()
}

func lineOf(file, chunk string) int {
	return strings.Count(file[:strings.Index(file, chunk)], "\n") + 1
}
