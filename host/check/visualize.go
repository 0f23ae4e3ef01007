package check

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/ducktape-go/ducktape/host/history"
)

// faultAnnotations shows the history's fault windows as a "faults" row of
// the visualization; a fault that never ended lasts until end.
func faultAnnotations(faults []history.Fault, end time.Duration) []porcupine.Annotation {
	var out []porcupine.Annotation
	for _, f := range faults {
		stop := end
		if f.End != nil {
			stop = *f.End
		}
		out = append(out, porcupine.Annotation{Tag: "faults", Start: int64(f.Start), End: int64(max(stop, f.Start)),
			Description: f.Name, Details: fmt.Sprintf("%s on %s, %s to %s", f.Name, strings.Join(f.Targets, ", "),
				seconds(f.Start), seconds(stop)),
			BackgroundColor: "#f6c6c6"})
	}
	return out
}

// visualize writes porcupine's HTML for info into dir (see
// WriteVisualization) and returns its path.
func visualize(pm porcupine.Model, info porcupine.LinearizationInfo, dir, name string) (string, error) {
	return WriteVisualization(dir, name, func(w io.Writer) error { return porcupine.Visualize(pm, info, w) })
}

// WriteVisualization writes an HTML file with write into dir as name.html,
// or name-2.html, name-3.html... when that exists (several checks of one
// test), and returns its path.
func WriteVisualization(dir, name string, write func(io.Writer) error) (string, error) {
	for n := 1; ; n++ {
		path := filepath.Join(dir, name+".html")
		if n > 1 {
			path = filepath.Join(dir, fmt.Sprintf("%s-%d.html", name, n))
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("writing the visualization: %w", err)
		}
		err = write(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return "", fmt.Errorf("writing the visualization %s: %w", path, err)
		}
		return path, nil
	}
}
