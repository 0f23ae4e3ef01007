package series

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// FileName is the file Save writes every series into.
const FileName = "series.json"

// CSVName returns the name of the CSV file Save writes series name into.
func CSVName(name string) string { return "series-" + name + ".csv" }

// File is series.json: every series of a test with its summary and points.
type File struct {
	Series []Saved `json:"series"`
}

// Saved is one series in series.json. Points are [t, v] pairs, t in Unix
// seconds, in the order they were added.
type Saved struct {
	Name    string       `json:"name"`
	Unit    string       `json:"unit"`
	Summary Summary      `json:"summary"`
	Points  [][2]float64 `json:"points"`
}

// Save writes series.json and, per series, a CSV file ("time,value", time
// in Unix seconds with microseconds) into dir, which must exist. It writes
// nothing for an empty set. It may run while points are still added: each
// series is saved as of the moment it is read.
func (set *Set) Save(dir string) error {
	all := set.All()
	if len(all) == 0 {
		return nil
	}
	file := File{Series: make([]Saved, 0, len(all))}
	var errs []error
	for _, s := range all {
		points := s.Points()
		saved := Saved{Name: s.Name(), Unit: s.Unit(), Summary: Summarize(points), Points: make([][2]float64, len(points))}
		for i, p := range points {
			saved.Points[i] = [2]float64{p.Seconds(), p.V}
		}
		file.Series = append(file.Series, saved)
		errs = append(errs, writeCSV(filepath.Join(dir, CSVName(s.Name())), points))
	}
	data, err := json.Marshal(file)
	if err != nil {
		return err
	}
	errs = append(errs, os.WriteFile(filepath.Join(dir, FileName), data, 0o644))
	return errors.Join(errs...)
}

func writeCSV(path string, points []Point) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	w.WriteString("time,value\n")
	var buf []byte
	for _, p := range points {
		buf = strconv.AppendFloat(buf[:0], p.Seconds(), 'f', 6, 64)
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, p.V, 'g', -1, 64)
		buf = append(buf, '\n')
		w.Write(buf)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Close()
}

// Load reads the series.json in dir. A directory without one has no series:
// Load returns an empty File and no error.
func Load(dir string) (File, error) {
	var file File
	data, err := os.ReadFile(filepath.Join(dir, FileName))
	if errors.Is(err, os.ErrNotExist) {
		return file, nil
	}
	if err != nil {
		return file, err
	}
	if err := json.Unmarshal(data, &file); err != nil {
		return file, fmt.Errorf("%s: %w", filepath.Join(dir, FileName), err)
	}
	return file, nil
}
