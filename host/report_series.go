package host

import "github.com/ducktape-go/ducktape/host/series"

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
		points := s.Points()
		xy, width := series.Plot(points, maxPlotPoints)
		out = append(out, SeriesPlot{Name: s.Name(), Unit: s.Unit(), Count: len(points), Width: width, Points: xy})
	}
	return out
}
