package host

import (
	"math"

	"github.com/ducktape-go/ducktape/host/series"
)

// maxPlotPoints bounds the points report.html gets per series: a longer
// series is drawn from the means of 1, 2, 4, ... second windows (see
// series.Plot), so the page stays small whatever the test recorded.
const maxPlotPoints = 1000

// SeriesPlot is one series as report.html draws it. Width is the window
// of the means the points are (0: the points themselves); Count is the
// number of points the series has.
type SeriesPlot struct {
	Name   string       `json:"name"`
	Unit   string       `json:"unit"`
	Count  int          `json:"count"`
	Width  float64      `json:"width"`
	Points [][2]float64 `json:"points"`
}

// PlotSeries returns the plots of every series of set, in its order.
func PlotSeries(set *series.Set) []SeriesPlot {
	var out []SeriesPlot
	for _, s := range set.All() {
		out = append(out, plotSeries(s.Name(), s.Unit(), s.Points()))
	}
	return out
}

// PlotSaved returns the plots of the series saved in dir's series.json
// (none without one), for a report built from results on disk (merge.go).
func PlotSaved(dir string) ([]SeriesPlot, error) {
	file, err := series.Load(dir)
	if err != nil {
		return nil, err
	}
	var out []SeriesPlot
	for _, s := range file.Series {
		points := make([]series.Point, len(s.Points))
		for i, p := range s.Points {
			points[i] = series.Point{T: int64(math.Round(p[0]*1e6)) * 1000, V: p[1]}
		}
		out = append(out, plotSeries(s.Name, s.Unit, points))
	}
	return out, nil
}

func plotSeries(name, unit string, points []series.Point) SeriesPlot {
	xy, width := series.Plot(points, maxPlotPoints)
	return SeriesPlot{Name: name, Unit: unit, Count: len(points), Width: width, Points: xy}
}
