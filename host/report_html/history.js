// Draws report.html's "Histories" section from #report-data: for each test
// with an operation history or checks, the checks' verdicts (with links to
// their visualizations) and a chart of the operations that completed per
// second by outcome, the test's fault windows shaded (ducktapeChart's bar
// mode, chart.js). Report text goes into the page through textContent or
// attributes only, never as markup.
"use strict";
(function () {
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var OUTCOMES = ["ok", "fail", "info"];

  // node makes an element with attributes, text and, after those, children.
  function node(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text != null) e.textContent = text;
    for (var i = 3; i < arguments.length; i++) if (arguments[i]) e.appendChild(arguments[i]);
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

  function checksTable(c) {
    var body = node("tbody");
    c.checks.forEach(function (k) {
      var v = verdict(k);
      var vis = k.visualization ? node("a", { href: fileLink(c, k.visualization), "class": "visualization" }, "visualization") : null;
      body.appendChild(node("tr", { "class": "check " + v.status }, null,
        node("td", null, null, node("span", { "class": "badge " + v.status }, v.words || v.status)),
        node("td", { "class": "check-name" }, k.model ? k.name + " (" + k.model + ")" : k.name),
        node("td", null, null, node("div", { "class": "check-summary" }, k.summary)),
        node("td", null, null, vis)));
    });
    return node("table", { "class": "checks" }, null,
      node("thead", null, null, node("tr", null, null,
        node("th", null, "Verdict"), node("th", null, "Check"), node("th", null, "Summary"), node("th", null, "Visualization"))),
      body);
  }

  // opsChart draws the operations completed per interval, stacked by
  // outcome, with the test's fault windows shaded (chart.js).
  function opsChart(c) {
    var h = c.history, b = h.bucket_seconds;
    return ducktapeChart({
      title: "operations " + (b === 1 ? "per second" : "per " + b + " s") + " by outcome", t0: h.start_time,
      bars: { start: h.start_time, step: b, stacks: OUTCOMES.map(function (o) { return { name: o, values: h[o] }; }) },
      windows: ducktapeChart.faultWindows(c), width: 900, height: 170
    });
  }

  function legend(c) {
    var box = node("div", { "class": "ops-legend" });
    var unit = c.history.bucket_seconds === 1 ? "per second" : "per " + c.history.bucket_seconds + " s";
    box.appendChild(node("span", { "class": "muted" }, c.history.events + " events; operations completed " + unit + ":"));
    OUTCOMES.forEach(function (o) {
      var total = c.history[o].reduce(function (a, v) { return a + v; }, 0);
      box.appendChild(node("span", { "class": "swatch " + o }, o + " " + total));
    });
    if ((c.faults || []).length > 0) box.appendChild(node("span", { "class": "swatch fault" }, "faults " + c.faults.length));
    box.appendChild(node("a", { href: fileLink(c, "history.json") }, "history.json"));
    return box;
  }

  var list = document.getElementById("history-list");
  data.cases.forEach(function (c, index) {
    var checks = c.checks || [];
    if (checks.length === 0 && !c.history) return;
    var box = node("div", { "class": "history-case", id: "history-" + index }, null,
      node("h3", null, null, node("a", { href: "#case-" + index }, c.id)));
    if (checks.length > 0) box.appendChild(checksTable(c));
    if (c.history) {
      box.appendChild(opsChart(c));
      box.appendChild(legend(c));
    }
    list.appendChild(box);
  });
  document.getElementById("histories").hidden = list.childNodes.length === 0;
})();
