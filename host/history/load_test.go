package history

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestLoadReadsWhatSaveWrote saves a history with every outcome and a
// fault, and loads it back from the file and from its directory.
func TestLoadReadsWhatSaveWrote(t *testing.T) {
	h := New()
	a := mustInvoke(t, h, 0, "txn", []any{[]any{"append", "x", 1.0}})
	b := mustInvoke(t, h, 1, "txn", []any{[]any{"r", "x", nil}})
	mustInvoke(t, h, 2, "write", 3.0) // never completes
	mustComplete(t, h, a, OK, nil)
	mustComplete(t, h, b, Info, nil)
	if err := h.AddFault("pause", []string{"n1"}, time.Now(), time.Now()); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	want := h.Snapshot()
	if err := want.Save(filepath.Join(dir, "history.json")); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{filepath.Join(dir, "history.json"), dir} {
		got, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Start.Equal(want.Start) || !reflect.DeepEqual(got.Events, want.Events) || !reflect.DeepEqual(got.Faults, want.Faults) {
			t.Errorf("Load(%s) = %+v, want %+v", path, got, want)
		}
	}
	if _, err := Load(filepath.Join(dir, "missing.json")); err == nil || !os.IsNotExist(err) {
		t.Errorf("a missing file: %v", err)
	}
}

// TestReadRefusesWhatNoHistorySaves names the event and the reason.
func TestReadRefusesWhatNoHistorySaves(t *testing.T) {
	inv := func(i, p int, f string, at int) string {
		return `{"index":` + strconv.Itoa(i) + `,"type":"invoke","process":` + strconv.Itoa(p) + `,"f":"` + f + `","value":null,"time":` + strconv.Itoa(at) + `,"invoke":-1}`
	}
	done := func(i, p int, typ string, of, at int) string {
		return `{"index":` + strconv.Itoa(i) + `,"type":"` + typ + `","process":` + strconv.Itoa(p) + `,"f":"txn","value":null,"time":` + strconv.Itoa(at) + `,"invoke":` + strconv.Itoa(of) + `}`
	}
	events := func(evs ...string) string { return `{"events":[` + strings.Join(evs, ",") + `]}` }
	for _, c := range []struct{ in, want string }{
		{`[1, 2]`, "not a history.json: json: cannot unmarshal array"},
		{`{"events": [] } {}`, "not a history.json: invalid character '{' after top-level value"},
		{`{"start": "2026-01-01T00:00:00Z"}`, `it has no "events" list`},
		{`{"events": [{"index": 0, "type": "invoke", "time": 1.5}]}`, "not a history.json"},
		{events(inv(1, 0, "txn", 0)), "event 0 (process 0): its index is 1"},
		{events(inv(0, 0, "", 0)), "event 0 (process 0): f (the operation's name) is empty"},
		{events(inv(0, 0, "txn", 5), inv(1, 1, "txn", 4)), "event 1 (process 1): time 4ns is before event 0's 5ns"},
		{events(inv(0, 0, "txn", 0), inv(1, 0, "txn", 1)), "event 1 (process 0): invoked while the process's operation of event 0 is still open"},
		{events(inv(0, 0, "txn", 0), done(1, 0, "ok", 1, 1)), "event 1 (process 0): a completion's invoke must be the index of an earlier invoke event, not 1"},
		{events(inv(0, 0, "txn", 0), done(1, 0, "ok", 0, 1), done(2, 0, "ok", 1, 2)), "event 2 (process 0): its invoke, event 1, is a completion (ok)"},
		{events(inv(0, 0, "txn", 0), done(1, 0, "ok", 0, 1), done(2, 0, "ok", 0, 2)), "event 2 (process 0): completes event 0, which an earlier event already completed"},
		{events(inv(0, 0, "txn", 0), done(1, 1, "ok", 0, 1)), "event 1 (process 1): completes event 0 of process 0"},
		{events(inv(0, 0, "read", 0), done(1, 0, "ok", 0, 1)), `event 1 (process 0): completes event 0, a "read", as a "txn"`},
		{events(inv(0, 0, "txn", 0), done(1, 0, "done", 0, 1)), `event 1 (process 0): type "done" is not invoke, ok, fail or info`},
		{`{"events": [], "faults": [{"name": "", "start": 0}]}`, "fault 0: its name is empty"},
		{`{"events": [], "faults": [{"name": "kill", "start": 5, "end": 2}]}`, "fault 0 (kill): ends before it starts"},
	} {
		if _, err := Read([]byte(c.in)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Read(%s) = %v, want an error containing %q", c.in, err, c.want)
		}
	}
}

// FuzzRead feeds Read arbitrary bytes: it never panics, and what it accepts
// saves and reads back unchanged.
func FuzzRead(f *testing.F) {
	f.Add([]byte(`{"start":"2026-12-01T20:00:00Z","events":[{"index":0,"type":"invoke","process":3,"f":"txn","value":[["append","x",1]],"time":1,"invoke":-1},{"index":1,"type":"ok","process":3,"f":"txn","value":[["append","x",1]],"time":2,"invoke":0}],"faults":[{"name":"pause","targets":["n1"],"start":1,"end":2}]}`))
	f.Add([]byte(`{"events":[]}`))
	f.Add([]byte(`{"events":[{"index":0,"type":"ok","invoke":0}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := Read(data)
		if err != nil {
			return
		}
		path := filepath.Join(t.TempDir(), "history.json")
		if err := h.Save(path); err != nil {
			t.Fatal(err)
		}
		again, err := Load(path)
		if err != nil {
			t.Fatalf("a history Read accepted does not read back: %v", err)
		}
		if len(again.Events) != len(h.Events) || len(again.Faults) != len(h.Faults) {
			t.Fatalf("read back %d events and %d faults, saved %d and %d", len(again.Events), len(again.Faults), len(h.Events), len(h.Faults))
		}
	})
}
