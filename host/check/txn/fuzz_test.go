package txn

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/host/history"
)

// FuzzCheck feeds arbitrary history.json content through history.Read and
// both checkers: bad input is an error, never a panic, and a verdict comes
// back within the time limit.
func FuzzCheck(f *testing.F) {
	b := newBuilder()
	b.invoke(1, r("x"), r("y"), app("x", 1)).invoke(2, r("x"), r("y"), app("y", 1))
	b.ok(1, r("x"), r("y"), app("x", 1)).ok(2, r("x"), r("y"), app("y", 1))
	b.txn(3, history.OK, r("x", 1), r("y", 1)).txn(4, history.Fail, app("x", 2)).txn(5, history.Info, app("y", 3))
	la, _ := json.Marshal(b.f)
	f.Add(la)
	b = newBuilder()
	b.txn(1, history.OK, rv("x", nil), w("x", 1)).txn(2, history.OK, rv("x", 1), w("x", 2), rv("x", 2))
	rwr, _ := json.Marshal(b.f)
	f.Add(rwr)
	f.Add([]byte(`{"events":[{"index":0,"type":"invoke","process":0,"f":"txn","value":[["r",1,null]],"time":0,"invoke":-1},{"index":1,"type":"ok","process":0,"f":"txn","value":[["r",1,[1,1,"a",null,{"k":[]}]]],"time":1,"invoke":0}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := history.Read(data)
		if err != nil {
			return
		}
		for _, check := range []func(context.Context, history.File, Options) (Analysis, error){ListAppend, RWRegister} {
			res, err := check(context.Background(), h, Options{TimeLimit: time.Second, WFRKeys: true, LinearizableKeys: true, SequentialKeys: true})
			if err == nil && res.Summary == "" {
				t.Fatal("a verdict without a summary")
			}
		}
	})
}
