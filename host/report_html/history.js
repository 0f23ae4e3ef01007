// Draws report.html's "Histories" section from #report-data: for each test
// with an operation history or checks, the checks' verdicts (with links to
// their visualizations) and a chart of the operations that completed per
// second by outcome, the test's fault windows shaded. Report text goes into
// the page through textContent or attributes only, never as markup.
"use strict";
(function () {
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var SVG = "http://www.w3.org/2000/svg";
  var OUTCOMES = ["ok", "fail", "info"];
  var W = 900, H = 150, LEFT = 44, RIGHT = 8, TOP = 8, BOTTOM = 22;

  function node(ns, tag, attrs, text) {
    var e = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text != null) e.textContent = text;
    for (var i = 4; i < arguments.length; i++) if (arguments[i]) e.appendChild(arguments[i]);
    return e;
  }

  // fileLink is the URL of file in a case's directory, each segment encoded.
  function fileLink(c, file) {
    return (c.dir + "/" + file).split("/").map(encodeURIComponent).join("/");
  }

  // verdict is the check's verdict as report.json has it (check.Verdict):
  // a status, and words when the test expected a violation. Reports written
  // before verdicts were recorded have only ok and unknown.
  function verdict(k) {
    return k.verdict || { status: k.ok ? "PASS" : k.unknown ? "UNKNOWN" : "FAIL" };
  }

  function seconds(s) { return s >= 60 ? (s / 60).toFixed(1) + " min" : (Math.round(s * 10) / 10) + " s"; }

  function checksTable(c) {
    var body = node(null, "tbody");
    c.checks.forEach(function (k) {
      var v = verdict(k);
      var vis = k.visualization ? node(null, "a", { href: fileLink(c, k.visualization), "class": "visualization" }, "visualization") : null;
      body.appendChild(node(null, "tr", { "class": "check " + v.status }, null,
        node(null, "td", null, null, node(null, "span", { "class": "badge " + v.status }, v.words || v.status)),
        node(null, "td", { "class": "check-name" }, k.model ? k.name + " (" + k.model + ")" : k.name),
        node(null, "td", null, null, node(null, "div", { "class": "check-summary" }, k.summary)),
        node(null, "td", null, null, vis)));
    });
    return node(null, "table", { "class": "checks" }, null,
      node(null, "thead", null, null, node(null, "tr", null, null,
        node(null, "th", null, "Verdict"), node(null, "th", null, "Check"), node(null, "th", null, "Summary"), node(null, "th", null, "Visualization"))),
      body);
  }

  // tick returns a round step in seconds giving at most 8 ticks over span.
  function tick(span) {
    var steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];
    for (var i = 0; i < steps.length; i++) if (span / steps[i] <= 8) return steps[i];
    return Math.ceil(span / 8 / 3600) * 3600;
  }

  // opsChart is a stacked bar per interval (ok, fail, info) over the
  // history's time, with each fault's window shaded behind the bars (to
  // the end of the test while never healed; a thin mark for a kill).
  function opsChart(c) {
    var h = c.history, n = h.ok.length, b = h.bucket_seconds, span = n * b;
    var plotW = W - LEFT - RIGHT, plotH = H - TOP - BOTTOM;
    var most = 1;
    for (var i = 0; i < n; i++) most = Math.max(most, h.ok[i] + h.fail[i] + h.info[i]);
    var x = function (s) { return LEFT + Math.min(Math.max(s, 0), span) / span * plotW; };
    var y = function (count) { return TOP + plotH - count / most * plotH; };
    var unit = b === 1 ? "per second" : "per " + b + " s";
    var svg = node(SVG, "svg", { "class": "ops-chart", viewBox: "0 0 " + W + " " + H, role: "img",
      "aria-label": "Operations " + unit + " of " + c.id + " by outcome, faults shaded" });

    (c.faults || []).forEach(function (f) {
      var end = f.heal_time != null ? f.heal_time : f.kind === "kill" ? f.inject_time : c.stop_time;
      var fx = x(f.inject_time - h.start_time), fw = Math.max(x(end - h.start_time) - fx, 2);
      svg.appendChild(node(SVG, "rect", { "class": "fault-window " + f.kind, x: fx, y: TOP, width: fw, height: plotH }, null,
        node(SVG, "title", null, f.kind + " on " + f.nodes.join(", ") + ": +" + seconds(f.inject_time - h.start_time) +
          (f.heal_time != null ? " to +" + seconds(f.heal_time - h.start_time) : f.kind === "kill" ? "" : ", never healed"))));
    });
    var step = tick(span);
    for (var t = 0; t <= span + 1e-9; t += step) {
      svg.appendChild(node(SVG, "line", { "class": "grid", x1: x(t), x2: x(t), y1: TOP, y2: TOP + plotH }));
      svg.appendChild(node(SVG, "text", { "class": "tick", x: x(t), y: H - 6, "text-anchor": t === 0 ? "start" : "middle" }, t === 0 ? "0" : "+" + seconds(t)));
    }
    [0, most].forEach(function (v) {
      svg.appendChild(node(SVG, "text", { "class": "tick", x: LEFT - 6, y: y(v) + 4, "text-anchor": "end" }, String(v)));
    });
    var barW = plotW / n;
    for (i = 0; i < n; i++) {
      var g = node(SVG, "g", { "class": "bucket" }, null,
        node(SVG, "title", null, "+" + seconds(i * b) + ": " + h.ok[i] + " ok, " + h.fail[i] + " fail, " + h.info[i] + " info"));
      var below = 0;
      OUTCOMES.forEach(function (o) {
        var count = h[o][i];
        if (count === 0) return;
        g.appendChild(node(SVG, "rect", { "class": o, x: LEFT + i * barW, width: Math.max(barW - 1, 1),
          y: y(below + count), height: y(below) - y(below + count) }));
        below += count;
      });
      if (below > 0) svg.appendChild(g);
    }
    svg.appendChild(node(SVG, "line", { "class": "axis", x1: LEFT, x2: LEFT + plotW, y1: TOP + plotH, y2: TOP + plotH }));
    return svg;
  }

  function legend(c) {
    var box = node(null, "div", { "class": "ops-legend" });
    var unit = c.history.bucket_seconds === 1 ? "per second" : "per " + c.history.bucket_seconds + " s";
    box.appendChild(node(null, "span", { "class": "muted" }, c.history.events + " events; operations completed " + unit + ":"));
    OUTCOMES.forEach(function (o) {
      var total = c.history[o].reduce(function (a, v) { return a + v; }, 0);
      box.appendChild(node(null, "span", { "class": "swatch " + o }, o + " " + total));
    });
    if ((c.faults || []).length > 0) box.appendChild(node(null, "span", { "class": "swatch fault" }, "faults " + c.faults.length));
    box.appendChild(node(null, "a", { href: fileLink(c, "history.json") }, "history.json"));
    return box;
  }

  var list = document.getElementById("history-list");
  data.cases.forEach(function (c, index) {
    var checks = c.checks || [];
    if (checks.length === 0 && !c.history) return;
    var box = node(null, "div", { "class": "history-case", id: "history-" + index }, null,
      node(null, "h3", null, null, node(null, "a", { href: "#case-" + index }, c.id)));
    if (checks.length > 0) box.appendChild(checksTable(c));
    if (c.history) {
      box.appendChild(opsChart(c));
      box.appendChild(legend(c));
    }
    list.appendChild(box);
  });
  document.getElementById("histories").hidden = list.childNodes.length === 0;
})();
