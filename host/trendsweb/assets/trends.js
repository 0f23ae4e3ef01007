// Draws the trend charts of a page of ducktape serve with ducktapeChart
// (report.html's chart.js): the page's data is {"charts": [chart, ...]},
// each chart {"id", "title", "unit", "labels": [session id, ...], "points":
// [[index, value], ...], "windows": [{"start", "end", "label"}]}, drawn into
// the element of that id. The x axis is the session's index in the window.
"use strict";
(function () {
  var data = JSON.parse(document.getElementById("trends-data").textContent);
  (data.charts || []).forEach(function (c) {
    var into = document.getElementById(c.id);
    if (!into) return;
    into.appendChild(ducktapeChart({
      title: c.title, unit: c.unit,
      lines: [{ name: c.title, points: c.points }],
      windows: c.windows || [],
      t0: 0,
      width: 560, height: 200,
      xLabel: function (x) {
        return Math.abs(x - Math.round(x)) < 1e-9 && c.labels[Math.round(x)] != null ? c.labels[Math.round(x)] : "";
      }
    }));
  });
})();
