package txn

import (
	"fmt"
	"html"
	"io"
	"math"
	"strings"

	"github.com/ducktape-go/ducktape/host/check"
)

// maxDrawn bounds how many cycles of one type the visualization draws.
const maxDrawn = 20

// Layout of a drawn cycle (SVG user units; text is 12px monospace, about
// charWidth wide per character).
const (
	charWidth  = 7.3
	boxHeight  = 40
	minBoxW    = 150
	maxBoxW    = 420
	margin     = 24
	edgeBend   = 34 // how far an edge curves off the straight line, to its left
	labelHight = 16
)

// relColors are the edge colours by relation.
var relColors = map[string]string{"ww": "#1f5fbf", "wr": "#1e8a3a", "rw": "#c0392b", "process": "#666666", "realtime": "#7b3fa0"}

// visualize writes the anomalies as one self-contained HTML file: each
// cycle drawn as boxes (its transactions) on a circle joined by arrows
// labelled with their relation and key, followed by why each arrow holds;
// the other anomalies as text. It returns the file's path.
func (a *analysis) visualize(res Analysis) (string, error) {
	return check.WriteVisualization(a.opts.Dir, "txn-"+a.t.w.name, func(w io.Writer) error {
		var b strings.Builder
		writePage(&b, res)
		_, err := io.WriteString(w, b.String())
		return err
	})
}

func writePage(b *strings.Builder, res Analysis) {
	esc := html.EscapeString
	fmt.Fprintf(b, `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>%s: %s</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #222; max-width: 1200px; }
h1 { font-size: 20px; } h2 { font-size: 17px; margin-top: 32px; border-bottom: 1px solid #ddd; } h3 { font-size: 15px; }
.summary { background: #f6f6f6; padding: 8px 12px; border-radius: 4px; }
svg.cycle { display: block; margin: 8px 0; max-width: 100%%; height: auto; }
svg .txn rect { fill: #fffbe6; stroke: #444; }
svg .txn text, svg .label text { font: 12px monospace; fill: #222; }
svg .label rect { fill: #fff; opacity: 0.9; }
svg .edge { fill: none; stroke-width: 2; }
ol.steps li, ul.txns li, ul.other li { margin: 4px 0; }
.rel { font-family: monospace; font-weight: bold; }
.legend span { margin-right: 14px; font-family: monospace; font-weight: bold; }
</style></head><body>
<h1>%s: %s</h1>
<p class="summary">%s</p>
<p class="legend">Edges: `, esc(res.Name), esc(strings.Join(res.AnomalyTypes, ", ")), esc(res.Name), esc(strings.Join(res.AnomalyTypes, ", ")), esc(res.Summary))
	for _, n := range relNames {
		fmt.Fprintf(b, `<span style="color: %s">%s</span>`, relColors[n.name], n.name)
	}
	b.WriteString(`</p>` + "\n")
	var other []string
	for _, typ := range res.AnomalyTypes {
		list := res.Anomalies[typ]
		if len(list) == 0 || list[0].Cycle == nil {
			other = append(other, typ)
			continue
		}
		fmt.Fprintf(b, `<h2 id="%s">%s: %s</h2>`+"\n<p>%s.</p>\n", esc(typ), esc(typ), esc(plural(res.Counts[typ], "cycle")), esc(Means(typ)))
		for i, an := range list[:min(len(list), maxDrawn)] {
			fmt.Fprintf(b, "<h3>%s #%d (%s)</h3>\n", esc(typ), i+1, esc(plural(len(an.Cycle), "transaction")))
			writeCycle(b, an.Cycle)
			b.WriteString(`<ul class="txns">`)
			for _, s := range an.Cycle {
				fmt.Fprintf(b, "<li><b>%s</b>: %s</li>", esc(s.Name), esc(s.Txn))
			}
			b.WriteString("</ul>\n<ol class=\"steps\">")
			for j, s := range an.Cycle {
				next := an.Cycle[(j+1)%len(an.Cycle)].Name
				fmt.Fprintf(b, `<li>%s &lt; %s (<span class="rel" style="color: %s">%s</span>): %s</li>`, esc(s.Name), esc(next), relColors[s.Rel], esc(s.Rel), esc(s.Why))
			}
			fmt.Fprintf(b, "<li>So %s &lt; %s: a contradiction.</li></ol>\n", esc(an.Cycle[0].Name), esc(an.Cycle[0].Name))
		}
		if len(list) > maxDrawn {
			fmt.Fprintf(b, "<p>%d more not drawn.</p>\n", res.Counts[typ]-maxDrawn)
		}
	}
	for _, typ := range other {
		list := res.Anomalies[typ]
		fmt.Fprintf(b, `<h2 id="%s">%s: %d</h2>`+"\n<p>%s.</p>\n"+`<ul class="other">`, esc(typ), esc(typ), res.Counts[typ], esc(Means(typ)))
		for _, an := range list[:min(len(list), maxDrawn)] {
			fmt.Fprintf(b, "<li>%s</li>", esc(an.Explanation))
		}
		b.WriteString("</ul>\n")
		if res.Counts[typ] > maxDrawn {
			fmt.Fprintf(b, "<p>%d more.</p>\n", res.Counts[typ]-maxDrawn)
		}
	}
	b.WriteString("</body></html>\n")
}

type point struct{ x, y float64 }

// writeCycle draws a cycle: its transactions as boxes on a circle
// (side by side for two), an arrow from each to the next curving to its
// left (so the two arrows between a pair do not overlap), labelled with
// the relation and key.
func writeCycle(b *strings.Builder, steps []Step) {
	esc := html.EscapeString
	n := len(steps)
	lines := make([][2]string, n)
	width := float64(minBoxW)
	for i, s := range steps {
		lines[i] = [2]string{fmt.Sprintf("%s · process %d · %s", s.Name, s.Process, s.Outcome), s.Ops}
		width = math.Max(width, math.Min(maxBoxW, float64(max(len([]rune(lines[i][0])), len([]rune(lines[i][1]))))*charWidth+16))
	}
	maxChars := int((width - 16) / charWidth)
	// Neighbours on the circle are a box width and a gap apart.
	radius := math.Max(90, (width+70)/(2*math.Sin(math.Pi/float64(n))))
	start := -math.Pi / 2
	if n == 2 {
		start = math.Pi
	}
	pos := make([]point, n)
	for i := range n {
		angle := start + 2*math.Pi*float64(i)/float64(n)
		pos[i] = point{radius * math.Cos(angle), radius * math.Sin(angle)}
	}
	// The edges' curves and labels; then the drawing's bounds.
	ctrl := make([]point, n)
	from := make([]point, n)
	to := make([]point, n)
	labels := make([]string, n)
	at := make([]point, n)
	lo, hi := point{math.Inf(1), math.Inf(1)}, point{math.Inf(-1), math.Inf(-1)}
	grow := func(x0, y0, x1, y1 float64) {
		lo = point{math.Min(lo.x, x0), math.Min(lo.y, y0)}
		hi = point{math.Max(hi.x, x1), math.Max(hi.y, y1)}
	}
	for i, s := range steps {
		p, q := pos[i], pos[(i+1)%n]
		mid := point{(p.x + q.x) / 2, (p.y + q.y) / 2}
		dx, dy := q.x-p.x, q.y-p.y
		l := math.Hypot(dx, dy)
		ctrl[i] = point{mid.x + dy/l*edgeBend*2, mid.y - dx/l*edgeBend*2}
		from[i], to[i] = leaveBox(p, ctrl[i], width), leaveBox(q, ctrl[i], width)
		labels[i] = s.Rel
		if s.Key != "" {
			labels[i] += " " + s.Key
		}
		labels[i] = clip(labels[i], 24)
		at[i] = point{0.25*from[i].x + 0.5*ctrl[i].x + 0.25*to[i].x, 0.25*from[i].y + 0.5*ctrl[i].y + 0.25*to[i].y}
		lw := float64(len([]rune(labels[i])))*charWidth + 8
		grow(at[i].x-lw/2, at[i].y-labelHight/2, at[i].x+lw/2, at[i].y+labelHight/2)
		grow(p.x-width/2, p.y-boxHeight/2, p.x+width/2, p.y+boxHeight/2)
	}
	lo = point{lo.x - margin/2, lo.y - margin/2}
	w, h := hi.x-lo.x+margin/2, hi.y-lo.y+margin/2
	fmt.Fprintf(b, `<svg class="cycle" xmlns="http://www.w3.org/2000/svg" viewBox="%.0f %.0f %.0f %.0f" width="%.0f" height="%.0f" role="img" aria-label="a cycle of %d transactions">`+"\n", lo.x, lo.y, w, h, w, h, n)
	b.WriteString(`<defs>`)
	for _, rn := range relNames {
		fmt.Fprintf(b, `<marker id="arrow-%s" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="%s"/></marker>`, rn.name, relColors[rn.name])
	}
	b.WriteString("</defs>\n")
	for i, s := range steps {
		fmt.Fprintf(b, `<path class="edge %s" d="M%.1f,%.1f Q%.1f,%.1f %.1f,%.1f" stroke="%s" marker-end="url(#arrow-%s)"><title>%s</title></path>`+"\n",
			esc(s.Rel), from[i].x, from[i].y, ctrl[i].x, ctrl[i].y, to[i].x, to[i].y, relColors[s.Rel], esc(s.Rel), esc(s.Why))
		lw := float64(len([]rune(labels[i])))*charWidth + 8
		fmt.Fprintf(b, `<g class="label"><rect x="%.1f" y="%.1f" width="%.1f" height="%d" rx="3"/><text x="%.1f" y="%.1f" text-anchor="middle" fill="%s">%s</text></g>`+"\n",
			at[i].x-lw/2, at[i].y-labelHight/2, lw, labelHight, at[i].x, at[i].y+4, relColors[s.Rel], esc(labels[i]))
	}
	for i, s := range steps {
		p := pos[i]
		fmt.Fprintf(b, `<g class="txn"><title>%s: %s</title><rect x="%.1f" y="%.1f" width="%.1f" height="%d" rx="4"/>`, esc(s.Name), esc(s.Txn), p.x-width/2, p.y-boxHeight/2, width, boxHeight)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f">%s</text><text x="%.1f" y="%.1f">%s</text></g>`+"\n",
			p.x-width/2+8, p.y-4, esc(clip(lines[i][0], maxChars)), p.x-width/2+8, p.y+13, esc(clip(lines[i][1], maxChars)))
	}
	b.WriteString("</svg>\n")
}

// leaveBox is where the line from a box's centre c toward target crosses
// the box's border.
func leaveBox(c, target point, width float64) point {
	dx, dy := target.x-c.x, target.y-c.y
	sx, sy := math.Inf(1), math.Inf(1)
	if dx != 0 {
		sx = (width/2 + 3) / math.Abs(dx)
	}
	if dy != 0 {
		sy = (boxHeight/2 + 3) / math.Abs(dy)
	}
	s := math.Min(sx, sy)
	return point{c.x + dx*s, c.y + dy*s}
}

// clip shortens s to n characters, ending in "…" when cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:max(n-1, 1)]) + "…"
}
