package history

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSaveWritesJSON(t *testing.T) {
	h := New()
	op := mustInvoke(t, h, 3, "cas", []any{int64(1), int64(2)})
	mustComplete(t, h, op, Info, nil)
	if err := h.AddFault("isolate", []string{"n2"}, h.Start(), h.Start().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "history.json")
	if err := h.Save(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Start  time.Time
		Events []map[string]any
		Faults []map[string]any
	}
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("history.json is not JSON: %v\n%s", err, data)
	}
	if !got.Start.Equal(h.Start()) {
		t.Errorf("start = %v, want %v", got.Start, h.Start())
	}
	if len(got.Events) != 2 {
		t.Fatalf("events = %v", got.Events)
	}
	inv, info := got.Events[0], got.Events[1]
	if inv["type"] != "invoke" || inv["process"] != 3.0 || inv["f"] != "cas" || inv["invoke"] != -1.0 {
		t.Errorf("invoke = %v", inv)
	}
	if v, _ := json.Marshal(info["value"]); info["type"] != "info" || string(v) != "[1,2]" || info["invoke"] != 0.0 {
		t.Errorf("info = %v", info)
	}
	if _, ok := inv["time"].(float64); !ok {
		t.Errorf("time is not a number of nanoseconds: %v", inv["time"])
	}
	if f := got.Faults; len(f) != 1 || f[0]["name"] != "isolate" || f[0]["start"] != 0.0 || f[0]["end"] != 1e9 {
		t.Errorf("faults = %v", f)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("save left other files: %v", entries)
	}
}

// TestSaveWhileRecording saves repeatedly while operations are recorded
// (run under -race); every saved file is whole.
func TestSaveWhileRecording(t *testing.T) {
	h := New()
	path := filepath.Join(t.TempDir(), "history.json")
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 500 {
			op, err := h.Invoke(1, "add", int64(i))
			if err == nil {
				_, err = h.Complete(op, OK, nil)
			}
			if err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for range 20 {
		if err := h.Save(path); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(data) {
			t.Fatalf("a saved history is not whole JSON: %s", data)
		}
	}
	wg.Wait()
}

func TestSaveIntoMissingDirectoryFails(t *testing.T) {
	err := New().Save(filepath.Join(t.TempDir(), "no", "such", "history.json"))
	if err == nil || !strings.Contains(err.Error(), "saving history") {
		t.Errorf("error = %v", err)
	}
}

func TestRate(t *testing.T) {
	at := func(typ Type, d time.Duration) Event { return Event{Type: typ, Time: d} }
	f := File{Events: []Event{
		at(Invoke, 0), at(OK, 100*time.Millisecond), at(Invoke, 200*time.Millisecond), at(Fail, 900*time.Millisecond),
		at(Invoke, time.Second), at(Info, 2500*time.Millisecond), at(OK, 2600*time.Millisecond),
	}}
	r := f.Rate()
	if r.Bucket != time.Second || fmt.Sprint(r.OK, r.Fail, r.Info) != "[1 0 1] [1 0 0] [0 0 1]" {
		t.Errorf("rate = %+v", r)
	}
	long := File{Events: []Event{at(OK, 0), at(OK, 1250*time.Second)}}
	if r := long.Rate(); r.Bucket != 3*time.Second || len(r.OK) != 417 || r.OK[0] != 1 || r.OK[416] != 1 {
		t.Errorf("a 1250 s history: bucket %v, %d buckets", r.Bucket, len(r.OK))
	}
	if r := (File{}).Rate(); len(r.OK) != 1 || r.OK[0] != 0 {
		t.Errorf("an empty history: %+v", r)
	}
}
