// Renders the report's performance sections from #report-data: a chart of
// every series of every test (chart.js's ducktapeChart), with the test's
// fault windows shaded, and the thresholds of every test with their
// verdicts. Strings go in through textContent only.
"use strict";
(function () {
  var data = JSON.parse(document.getElementById("report-data").textContent);

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text != null) e.textContent = text;
    return e;
  }

  function caseLink(c, i) {
    return el("a", { href: "#case-" + i, "class": "case-link" }, c.id);
  }

  function renderSeries() {
    var section = document.getElementById("performance"), box = document.getElementById("series");
    data.cases.forEach(function (c, i) {
      if (!c.series || c.series.length === 0) return;
      var group = el("div", { "class": "series-case", id: "series-" + i });
      var head = el("h3", null);
      head.appendChild(el("span", { "class": "badge " + c.status }, c.status));
      head.appendChild(document.createTextNode(" "));
      head.appendChild(caseLink(c, i));
      group.appendChild(head);
      c.series.forEach(function (s) {
        var title = s.name + (s.width ? " (mean per " + s.width + " s, of " + s.count + " points)" : "");
        group.appendChild(ducktapeChart({
          title: title, unit: s.unit, t0: c.start_time,
          lines: [{ name: s.name, points: s.points }], windows: ducktapeChart.faultWindows(c)
        }));
      });
      box.appendChild(group);
    });
    section.hidden = box.children.length === 0;
  }

  function number(v) {
    return v == null ? "" : String(Number(v.toPrecision(6)));
  }

  function renderThresholds() {
    var section = document.getElementById("thresholds"), body = document.querySelector("#threshold-table tbody");
    data.cases.forEach(function (c, i) {
      (c.thresholds || []).forEach(function (v) {
        var verdict = v.ok ? "PASS" : "FAIL";
        var row = el("tr", { "class": "threshold " + verdict });
        row.appendChild(el("td", null)).appendChild(el("span", { "class": "badge " + verdict }, verdict));
        row.appendChild(el("td", { "class": "test" })).appendChild(caseLink(c, i));
        row.appendChild(el("td", null)).appendChild(el("code", null, v.expr));
        row.appendChild(el("td", { "class": "num" }, number(v.actual)));
        row.appendChild(el("td", { "class": "num" }, number(v.limit)));
        row.appendChild(el("td", { "class": "message" }, v.message || ""));
        body.appendChild(row);
      });
    });
    section.hidden = body.children.length === 0;
  }

  renderSeries();
  renderThresholds();
})();
