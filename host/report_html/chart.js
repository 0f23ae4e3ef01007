// ducktapeChart draws a chart over time as plain SVG: line series, or
// stacked bars per interval, with time windows (faults) shaded, each
// window's times in its tooltip. It needs nothing but the DOM, so any page
// of the report can use it (performance.js for series, history.js for the
// operations of a history):
//
//   var figure = ducktapeChart({
//     title: "latency_ms", unit: "ms",
//     lines: [{name: "latency_ms", points: [[t, v], ...]}],  // t in Unix seconds
//     windows: [{start: t1, end: t2, label: "partition #1"}], // end null: open
//     t0: startOfTest,                                         // optional axis origin
//     xLabel: function (t) { return "..."; },                  // optional, see below
//     width: 720, height: 220                                  // optional
//   });
//   container.appendChild(figure);
//
// The x axis is time, labelled "+seconds" from t0; with xLabel it is any
// number (a session's index in ducktape serve's trend charts), labelled
// xLabel(x): a tick whose label is "" is left out.
//
// or, instead of lines, stacked bars of the counts in consecutive intervals
// of step seconds from start (drawn bottom up in the order given, each
// rect of class `name`, each interval with a tooltip of its counts):
//
//     bars: {start: t, step: 1, stacks: [{name: "ok", values: [3, 4, 0]}, ...]}
//
// It returns a figure element of class "chart" holding a caption, an svg
// and, with more than one line, a legend. Lines have a hover read-out of
// the values at the pointer. A window whose end equals its start (a kill)
// is a thin mark; a window may have a kind, which becomes a class of it.
// Strings go in through textContent only. Points of a line must be in time
// order.
//
// ducktapeChart.faultWindows(c) returns a test's faults (report data's
// c.faults) as windows.
"use strict";
var ducktapeChart = (function () {
  var NS = "http://www.w3.org/2000/svg";
  var PAD = { left: 58, right: 14, top: 12, bottom: 26 };
  var MARKED_POINTS = 200;

  function node(ns, tag, attrs, text) {
    var e = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text != null) e.textContent = text;
    return e;
  }

  // niceStep returns a step of 1, 2 or 5 times a power of ten that splits
  // span into at most max steps.
  function niceStep(span, max) {
    if (!(span > 0)) return 1;
    var raw = span / max, p = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = [1, 2, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * p >= raw) return steps[i] * p;
    return 10 * p;
  }

  function format(v) {
    if (v === 0) return "0";
    var a = Math.abs(v);
    if (a >= 1e6 || a < 1e-3) return v.toExponential(2);
    return String(Number(v.toPrecision(4)));
  }

  function seconds(s) {
    if (Math.abs(s) < 60) return format(Number(s.toFixed(3))) + " s";
    var m = Math.floor(s / 60);
    return m + "m " + String(Math.floor(s - m * 60)).padStart(2, "0") + "s";
  }

  // nearest returns the index of the point of pts closest in time to t.
  function nearest(pts, t) {
    var lo = 0, hi = pts.length - 1;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (pts[mid][0] < t) lo = mid + 1; else hi = mid;
    }
    if (lo > 0 && t - pts[lo - 1][0] < pts[lo][0] - t) lo--;
    return lo;
  }

  // extent returns the time and value ranges of the lines or the bars.
  function extent(lines, bars) {
    var e = { tmin: Infinity, tmax: -Infinity, vmin: 0, vmax: -Infinity };
    if (bars) {
      var n = bars.stacks.length > 0 ? bars.stacks[0].values.length : 0;
      e.tmin = bars.start; e.tmax = bars.start + n * bars.step;
      for (var i = 0; i < n; i++) {
        var sum = 0;
        bars.stacks.forEach(function (s) { sum += s.values[i]; });
        e.vmax = Math.max(e.vmax, sum);
      }
      return e;
    }
    e.vmin = Infinity;
    lines.forEach(function (l) {
      l.points.forEach(function (p) {
        e.tmin = Math.min(e.tmin, p[0]); e.tmax = Math.max(e.tmax, p[0]);
        e.vmin = Math.min(e.vmin, p[1]); e.vmax = Math.max(e.vmax, p[1]);
      });
    });
    if (e.vmin > 0) e.vmin = 0;
    return e;
  }

  function chart(spec) {
    var bars = spec.bars && spec.bars.stacks.length > 0 && spec.bars.stacks[0].values.length > 0 ? spec.bars : null;
    var lines = (spec.lines || []).filter(function (l) { return l.points && l.points.length > 0; });
    var windows = spec.windows || [];
    var width = spec.width || 720, height = spec.height || 220;
    var plotW = width - PAD.left - PAD.right, plotH = height - PAD.top - PAD.bottom;
    var unit = spec.unit ? " " + spec.unit : "";
    var figure = node(null, "figure", { "class": "chart" + (bars ? " bars" : "") });
    figure.appendChild(node(null, "figcaption", null, spec.title + (spec.unit ? " (" + spec.unit + ")" : "")));
    if (lines.length === 0 && !bars) {
      figure.appendChild(node(null, "p", { "class": "muted" }, "No points."));
      return figure;
    }

    var e = extent(lines, bars);
    var tmin = e.tmin, tmax = e.tmax, vmin = e.vmin, vmax = e.vmax;
    var t0 = spec.t0 != null ? spec.t0 : tmin;
    if (vmax <= vmin) vmax = vmin + 1;
    var vstep = niceStep(vmax - vmin, 5);
    if (bars) vstep = Math.max(1, Math.round(vstep)); // counts
    vmin = Math.floor(vmin / vstep) * vstep; vmax = Math.ceil(vmax / vstep) * vstep;
    var tspan = Math.max(tmax - tmin, 1e-3);
    var x = function (t) { return PAD.left + (Math.min(Math.max(t, tmin), tmax) - tmin) / tspan * plotW; };
    var y = function (v) { return PAD.top + (vmax - v) / (vmax - vmin) * plotH; };

    var root = node(NS, "svg", { width: width, height: height, viewBox: "0 0 " + width + " " + height, role: "img", "aria-label": spec.title + " over time" });
    for (var v = vmin; v <= vmax + vstep / 2; v += vstep) {
      root.appendChild(node(NS, "line", { "class": "grid", x1: PAD.left, x2: width - PAD.right, y1: y(v), y2: y(v) }));
      root.appendChild(node(NS, "text", { "class": "tick", x: PAD.left - 6, y: y(v) + 4, "text-anchor": "end" }, format(v)));
    }
    // xAt labels an instant of the x axis.
    var xAt = function (t) { return spec.xLabel ? spec.xLabel(t) : "+" + seconds(t - t0); };
    var tstep = niceStep(tspan, Math.max(2, Math.floor(plotW / 90)));
    for (var at = Math.ceil((tmin - t0) / tstep) * tstep; t0 + at <= tmax + 1e-9; at += tstep) {
      var label = xAt(t0 + at);
      // The last label ends at the plot's right edge rather than past it.
      var anchor = x(t0 + at) > width - PAD.right - 20 ? "end" : "middle";
      if (label !== "") root.appendChild(node(NS, "text", { "class": "tick", x: x(t0 + at), y: height - 8, "text-anchor": anchor }, label));
    }

    // Windows are shaded behind the data (so bars keep their tooltips),
    // their labels drawn over it.
    var labels = node(NS, "g", { "class": "window-labels" });
    windows.forEach(function (w) {
      var end = w.end != null ? w.end : tmax;
      if (end < tmin || w.start > tmax) return;
      var when = w.end === w.start ? xAt(w.start) : xAt(w.start) + " to " + (w.end != null ? xAt(w.end) : "the end");
      var g = node(NS, "g", { "class": "window" + (w.kind ? " " + w.kind : "") });
      g.appendChild(node(NS, "title", null, w.label + ": " + when));
      g.appendChild(node(NS, "rect", { x: x(w.start), y: PAD.top, width: Math.max(x(end) - x(w.start), 2), height: plotH }));
      root.appendChild(g);
      labels.appendChild(node(NS, "text", { x: x(w.start) + 3, y: PAD.top + 11 }, w.label));
    });

    if (bars) drawBars(root, bars, x, y, xAt);
    lines.forEach(function (l, i) {
      var d = l.points.map(function (p) { return x(p[0]).toFixed(1) + "," + y(p[1]).toFixed(1); }).join(" ");
      root.appendChild(node(NS, "polyline", { "class": "line line-" + (i % 6), points: d, "data-name": l.name }));
      // Few points: each one marked, so that a lone slow request shows as one.
      if (l.points.length <= MARKED_POINTS) {
        l.points.forEach(function (p) {
          root.appendChild(node(NS, "circle", { "class": "dot line-" + (i % 6), cx: x(p[0]).toFixed(1), cy: y(p[1]).toFixed(1), r: 2 }));
        });
      }
    });
    root.appendChild(labels);
    root.appendChild(node(NS, "rect", { "class": "axis", x: PAD.left, y: PAD.top, width: plotW, height: plotH }));
    if (lines.length > 0) hover(root, lines, x, y, xAt, { tmin: tmin, tspan: tspan, width: width, plotW: plotW, plotH: plotH, unit: unit });
    figure.appendChild(root);

    if (lines.length > 1) {
      var legend = node(null, "div", { "class": "legend" });
      lines.forEach(function (l, i) {
        var key = node(null, "span", { "class": "key line-" + (i % 6) });
        var item = node(null, "span", null);
        item.appendChild(key); item.appendChild(document.createTextNode(l.name));
        legend.appendChild(item);
      });
      figure.appendChild(legend);
    }
    return figure;
  }

  // drawBars draws a stacked bar per interval that counted anything, each
  // with a tooltip of its counts.
  function drawBars(root, bars, x, y, xAt) {
    var n = bars.stacks[0].values.length;
    for (var i = 0; i < n; i++) {
      var from = bars.start + i * bars.step;
      var counts = bars.stacks.map(function (s) { return s.values[i] + " " + s.name; });
      var g = node(NS, "g", { "class": "bucket" }, null);
      g.appendChild(node(NS, "title", null, xAt(from) + ": " + counts.join(", ")));
      var below = 0;
      bars.stacks.forEach(function (s) {
        var count = s.values[i];
        if (count === 0) return;
        g.appendChild(node(NS, "rect", { "class": s.name, x: x(from), width: Math.max(x(from + bars.step) - x(from) - 1, 1),
          y: y(below + count), height: y(below) - y(below + count) }));
        below += count;
      });
      if (below > 0) root.appendChild(g);
    }
  }

  // hover adds a guide at the pointer's time, a dot on each line's nearest
  // point and a read-out of their values.
  function hover(root, lines, x, y, xAt, dim) {
    var guide = node(NS, "line", { "class": "guide", y1: PAD.top, y2: PAD.top + dim.plotH, visibility: "hidden" });
    var readout = node(NS, "g", { "class": "readout", visibility: "hidden" });
    var box = node(NS, "rect", { rx: 3 });
    var text = node(NS, "text", {});
    readout.appendChild(box); readout.appendChild(text);
    var dots = lines.map(function (l, i) { return node(NS, "circle", { "class": "dot line-" + (i % 6), r: 3.5, visibility: "hidden" }); });
    var overlay = node(NS, "rect", { "class": "overlay", x: PAD.left, y: PAD.top, width: dim.plotW, height: dim.plotH });
    root.appendChild(guide);
    dots.forEach(function (d) { root.appendChild(d); });
    root.appendChild(readout);
    root.appendChild(overlay);

    function show(px) {
      var t = dim.tmin + (px - PAD.left) / dim.plotW * dim.tspan;
      var rows = [];
      var gx = x(t);
      lines.forEach(function (l, i) {
        var p = l.points[nearest(l.points, t)];
        dots[i].setAttribute("cx", x(p[0])); dots[i].setAttribute("cy", y(p[1]));
        dots[i].setAttribute("visibility", "visible");
        rows.push((lines.length > 1 ? l.name + ": " : "") + format(p[1]) + dim.unit);
        if (i === 0) { gx = x(p[0]); rows.unshift(xAt(p[0])); }
      });
      guide.setAttribute("x1", gx); guide.setAttribute("x2", gx); guide.setAttribute("visibility", "visible");
      text.textContent = "";
      rows.forEach(function (r) { text.appendChild(node(NS, "tspan", { x: 8, dy: 14 }, r)); });
      var w = 16 + 7 * Math.max.apply(null, rows.map(function (r) { return r.length; })), h = 8 + 14 * rows.length;
      box.setAttribute("width", w); box.setAttribute("height", h);
      var left = gx + 10 + w > dim.width - PAD.right ? gx - 10 - w : gx + 10;
      readout.setAttribute("transform", "translate(" + left + "," + PAD.top + ")");
      readout.setAttribute("visibility", "visible");
    }
    function hide() {
      [guide, readout].concat(dots).forEach(function (e) { e.setAttribute("visibility", "hidden"); });
    }
    overlay.addEventListener("mousemove", function (ev) {
      var r = root.getBoundingClientRect();
      show((ev.clientX - r.left) * dim.width / r.width);
    });
    overlay.addEventListener("mouseleave", hide);
  }

  // faultWindows returns test c's faults as windows, to the end of the
  // test while never healed; a kill is an instant.
  chart.faultWindows = function (c) {
    return (c.faults || []).map(function (f) {
      var end = f.heal_time != null ? f.heal_time : f.kind === "kill" ? f.inject_time : null;
      return { start: f.inject_time, end: end, kind: f.kind, label: f.kind + " #" + f.id + " on " + f.nodes.join(", ") };
    });
  };

  return chart;
})();
