// ducktapeChart draws a line chart of time series as plain SVG, with time
// windows (faults) shaded and the values under the pointer shown on hover.
// It needs nothing but the DOM, so any page of the report can use it:
//
//   var figure = ducktapeChart({
//     title: "latency_ms", unit: "ms",
//     lines: [{name: "latency_ms", points: [[t, v], ...]}],  // t in Unix seconds
//     windows: [{start: t1, end: t2, label: "partition #1"}], // end null: open
//     t0: startOfTest,                                         // optional axis origin
//     xLabel: function (t) { return "..."; },                  // optional, see below
//     width: 720, height: 220                                  // optional
//   });
//
// The x axis is time, labelled "+seconds" from t0; with xLabel it is any
// number (a session's index in ducktape serve's trend charts), labelled
// xLabel(x): a tick whose label is "" is left out.
//   container.appendChild(figure);
//
// It returns a figure element of class "chart" holding a caption, an svg and, with
// more than one line, a legend. Strings go in through textContent only.
// Points of a line must be in time order.
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

  return function (spec) {
    var lines = (spec.lines || []).filter(function (l) { return l.points && l.points.length > 0; });
    var windows = spec.windows || [];
    var width = spec.width || 720, height = spec.height || 220;
    var plotW = width - PAD.left - PAD.right, plotH = height - PAD.top - PAD.bottom;
    var unit = spec.unit ? " " + spec.unit : "";
    var figure = node(null, "figure", { "class": "chart" });
    figure.appendChild(node(null, "figcaption", null, spec.title + (spec.unit ? " (" + spec.unit + ")" : "")));
    if (lines.length === 0) {
      figure.appendChild(node(null, "p", { "class": "muted" }, "No points."));
      return figure;
    }

    var tmin = Infinity, tmax = -Infinity, vmin = Infinity, vmax = -Infinity;
    lines.forEach(function (l) {
      l.points.forEach(function (p) {
        tmin = Math.min(tmin, p[0]); tmax = Math.max(tmax, p[0]);
        vmin = Math.min(vmin, p[1]); vmax = Math.max(vmax, p[1]);
      });
    });
    var t0 = spec.t0 != null ? spec.t0 : tmin;
    if (vmin > 0) vmin = 0;
    if (vmax === vmin) vmax = vmin + 1;
    var vstep = niceStep(vmax - vmin, 5);
    vmin = Math.floor(vmin / vstep) * vstep; vmax = Math.ceil(vmax / vstep) * vstep;
    var tspan = Math.max(tmax - tmin, 1e-3);
    var x = function (t) { return PAD.left + (t - tmin) / tspan * plotW; };
    var y = function (v) { return PAD.top + (vmax - v) / (vmax - vmin) * plotH; };

    var root = node(NS, "svg", { width: width, height: height, viewBox: "0 0 " + width + " " + height, role: "img", "aria-label": spec.title + " over time" });
    for (var v = vmin; v <= vmax + vstep / 2; v += vstep) {
      root.appendChild(node(NS, "line", { "class": "grid", x1: PAD.left, x2: width - PAD.right, y1: y(v), y2: y(v) }));
      root.appendChild(node(NS, "text", { "class": "tick", x: PAD.left - 6, y: y(v) + 4, "text-anchor": "end" }, format(v)));
    }
    var tstep = niceStep(tspan, Math.max(2, Math.floor(plotW / 90)));
    for (var at = Math.ceil((tmin - t0) / tstep) * tstep; t0 + at <= tmax + 1e-9; at += tstep) {
      var label = spec.xLabel ? spec.xLabel(t0 + at) : "+" + seconds(at);
      // The last label ends at the plot's right edge rather than past it.
      var anchor = x(t0 + at) > width - PAD.right - 20 ? "end" : "middle";
      if (label !== "") root.appendChild(node(NS, "text", { "class": "tick", x: x(t0 + at), y: height - 8, "text-anchor": anchor }, label));
    }

    windows.forEach(function (w) {
      var start = Math.max(w.start, tmin), end = Math.min(w.end != null ? w.end : tmax, tmax);
      if (end < start) return;
      var g = node(NS, "g", { "class": "window" });
      var at = function (t) { return spec.xLabel ? spec.xLabel(t) : "+" + seconds(t - t0); };
      g.appendChild(node(NS, "title", null, w.label + ": " + at(w.start) + " to " + (w.end != null ? at(w.end) : "the end")));
      g.appendChild(node(NS, "rect", { x: x(start), y: PAD.top, width: Math.max(x(end) - x(start), 2), height: plotH }));
      g.appendChild(node(NS, "text", { x: x(start) + 3, y: PAD.top + 11 }, w.label));
      root.appendChild(g);
    });

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
    root.appendChild(node(NS, "rect", { "class": "axis", x: PAD.left, y: PAD.top, width: plotW, height: plotH }));

    // Hover: a guide at the pointer's time, a dot on each line's nearest
    // point and a read-out of their values.
    var guide = node(NS, "line", { "class": "guide", y1: PAD.top, y2: PAD.top + plotH, visibility: "hidden" });
    var readout = node(NS, "g", { "class": "readout", visibility: "hidden" });
    var box = node(NS, "rect", { rx: 3 });
    var text = node(NS, "text", {});
    readout.appendChild(box); readout.appendChild(text);
    var dots = lines.map(function (l, i) { return node(NS, "circle", { "class": "dot line-" + (i % 6), r: 3.5, visibility: "hidden" }); });
    var overlay = node(NS, "rect", { "class": "overlay", x: PAD.left, y: PAD.top, width: plotW, height: plotH });
    root.appendChild(guide);
    dots.forEach(function (d) { root.appendChild(d); });
    root.appendChild(readout);
    root.appendChild(overlay);

    function show(px) {
      var t = tmin + (px - PAD.left) / plotW * tspan;
      var rows = [];
      var gx = x(t);
      lines.forEach(function (l, i) {
        var p = l.points[nearest(l.points, t)];
        dots[i].setAttribute("cx", x(p[0])); dots[i].setAttribute("cy", y(p[1]));
        dots[i].setAttribute("visibility", "visible");
        rows.push((lines.length > 1 ? l.name + ": " : "") + format(p[1]) + unit);
        if (i === 0) { gx = x(p[0]); rows.unshift(spec.xLabel ? spec.xLabel(p[0]) : "+" + seconds(p[0] - t0)); }
      });
      guide.setAttribute("x1", gx); guide.setAttribute("x2", gx); guide.setAttribute("visibility", "visible");
      text.textContent = "";
      rows.forEach(function (r, i) { text.appendChild(node(NS, "tspan", { x: 8, dy: 14 }, r)); });
      var w = 16 + 7 * Math.max.apply(null, rows.map(function (r) { return r.length; })), h = 8 + 14 * rows.length;
      box.setAttribute("width", w); box.setAttribute("height", h);
      var left = gx + 10 + w > width - PAD.right ? gx - 10 - w : gx + 10;
      readout.setAttribute("transform", "translate(" + left + "," + PAD.top + ")");
      readout.setAttribute("visibility", "visible");
    }
    function hide() {
      [guide, readout].concat(dots).forEach(function (e) { e.setAttribute("visibility", "hidden"); });
    }
    overlay.addEventListener("mousemove", function (ev) {
      var r = root.getBoundingClientRect();
      show((ev.clientX - r.left) * width / r.width);
    });
    overlay.addEventListener("mouseleave", hide);
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
  };
})();
