// Renders report.html from the JSON in #report-data. Every string from the
// report goes into the page through textContent or an attribute, never as
// markup, so test ids and summaries show exactly as they are.
"use strict";
(function () {
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var cases = data.cases.map(function (c, i) { c.index = i; return c; });
  var STATUSES = ["PASS", "FAIL", "FLAKY", "IGNORE", "OPASS", "OFAIL"];
  var SORT_ORDER = { FAIL: 0, OFAIL: 1, FLAKY: 2, PASS: 3, OPASS: 4, IGNORE: 5 };
  var state = { status: "", text: "", sort: "index", desc: false };

  function el(tag, attrs) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === "text") e.textContent = attrs[k];
      else if (k === "class") e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    }
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child == null) continue;
      e.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return e;
  }

  function svg(tag, attrs) {
    var e = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    return e;
  }

  function duration(s) {
    if (s < 1) return Math.round(s * 1000) + " ms";
    if (s < 60) return s.toFixed(2) + " s";
    var m = Math.floor(s / 60), h = Math.floor(m / 60);
    if (h > 0) return h + "h " + String(m % 60).padStart(2, "0") + "m";
    return m + "m " + String(Math.floor(s % 60)).padStart(2, "0") + "s";
  }

  function clock(unix) {
    return unix ? new Date(unix * 1000).toLocaleString() : "";
  }

  // A link into the session directory: each path segment URL-encoded.
  function href(dir, file) {
    return dir.split("/").concat([file]).map(encodeURIComponent).join("/");
  }

  function natural(a, b) {
    return a.localeCompare(b, undefined, { numeric: true });
  }

  // The line of a summary that says what went wrong, as report.xml's
  // failure message: a backtrace's header and frames are skipped for its
  // error line, and a line ending in ":" is joined with what follows.
  function headline(s) {
    var lines = s.trim().split("\n");
    for (var i = 0; i < lines.length; i++) {
      var line = lines[i].trim();
      if (/^Traceback/.test(line)) {
        while (i + 1 < lines.length && /^ /.test(lines[i + 1])) i++;
      } else if (/:$/.test(line) && i + 1 < lines.length) {
        var rest = headline(lines.slice(i + 1).join("\n"));
        return rest ? line + " " + rest : line;
      } else if (line) {
        return line;
      }
    }
    return lines[0].trim();
  }

  function paramText(c) {
    return Object.keys(c.params || {}).sort().map(function (k) {
      return k + "=" + JSON.stringify(c.params[k]);
    });
  }

  function renderHeader() {
    document.getElementById("session-id").textContent = data.session_id;
    var meta = document.getElementById("meta");
    [["ducktape", data.ducktape_version], ["started", clock(data.start_time)],
     ["finished", clock(data.stop_time)], ["run time", duration(data.run_time_seconds)]]
      .forEach(function (kv) {
        meta.appendChild(el("div", null, el("dt", { text: kv[0] }), el("dd", { text: kv[1] })));
      });
  }

  function renderSummary() {
    var box = document.getElementById("summary");
    [["passed", data.num_passed, "PASS"], ["failed", data.num_failed, "FAIL"],
     ["flaky", data.num_flaky, "FLAKY"], ["ignored", data.num_ignored, "IGNORE"],
     ["opassed", data.num_opassed, "OPASS"], ["ofailed", data.num_ofailed, "OFAIL"],
     ["total", cases.length, ""]].forEach(function (c) {
      var card = el("button", { "class": "card " + (c[2] || "TOTAL") + (c[1] === 0 ? " zero" : ""), type: "button", title: "Show " + (c[2] ? c[0] : "all") + " tests" },
        el("span", { "class": "count", id: "count-" + c[0], text: String(c[1]) }),
        el("span", { "class": "label", text: c[0] }));
      card.addEventListener("click", function () { setStatus(c[2]); });
      box.appendChild(card);
    });
    var runtime = el("div", { "class": "card TIME" },
      el("span", { "class": "count", id: "run-time", text: duration(data.run_time_seconds) }),
      el("span", { "class": "label", text: "run time" }));
    box.appendChild(runtime);
  }

  function renderFilters() {
    var box = document.getElementById("filters");
    [""].concat(STATUSES).forEach(function (s) {
      var n = s ? cases.filter(function (c) { return c.status === s; }).length : cases.length;
      var b = el("button", { type: "button", "class": "filter " + (s || "ALL"), "data-status": s },
        (s || "ALL") + " ", el("span", { "class": "n", text: String(n) }));
      b.addEventListener("click", function () { setStatus(s); });
      box.appendChild(b);
    });
    var search = document.getElementById("search");
    search.addEventListener("input", function () { state.text = search.value.trim().toLowerCase(); renderRows(); });
  }

  function setStatus(s) {
    state.status = s;
    renderRows();
    document.getElementById("cases").scrollIntoView({ behavior: "smooth", block: "start" });
  }

  function matches(c) {
    if (state.status && c.status !== state.status) return false;
    if (!state.text) return true;
    var hay = [c.id].concat(paramText(c), c.nodes || []).join("\n").toLowerCase();
    return hay.indexOf(state.text) >= 0;
  }

  var SORT_KEYS = {
    index: function (c) { return c.index; },
    status: function (c) { return SORT_ORDER[c.status]; },
    id: function (c) { return c.id; },
    duration: function (c) { return c.run_time_seconds; },
    start: function (c) { return c.start_time; },
    nodes: function (c) { return (c.nodes || []).length; }
  };

  function sorted(list) {
    var key = SORT_KEYS[state.sort], sign = state.desc ? -1 : 1;
    return list.slice().sort(function (a, b) {
      var x = key(a), y = key(b);
      var d = typeof x === "string" ? natural(x, y) : x - y;
      return sign * d || a.index - b.index;
    });
  }

  function testCell(c) {
    var cell = el("td", { "class": "test" },
      c.module && c.module !== c.id ? el("div", { "class": "module", text: c.module }) : null,
      el("div", { "class": "name", text: c.name }),
      c.description ? el("div", { "class": "description", text: c.description }) : null);
    if (c.summary) {
      var open = c.status === "FAIL" && cases.length <= 20;
      var d = el("details", open ? { open: "" } : null,
        el("summary", { text: headline(c.summary) }),
        el("pre", { text: c.summary }));
      cell.appendChild(d);
    }
    return cell;
  }

  function logsCell(c) {
    var cell = el("td", { "class": "logs" });
    var labels = { "test_log.info": "info", "test_log.debug": "debug", "data.json": "data", "report.json": "json", "history.json": "history" };
    (c.files || []).forEach(function (f) {
      cell.appendChild(el("a", { href: href(c.dir, f), title: c.dir + "/" + f, text: labels[f] || f }));
    });
    return cell;
  }

  function nodesCell(c) {
    var nodes = c.nodes || [];
    var text = nodes.length === 0 ? "" : nodes.length <= 3 ? nodes.join(", ") : nodes.length + " nodes";
    return el("td", { "class": "num", title: nodes.join(", "), text: text });
  }

  function renderRows() {
    var body = document.querySelector("#cases tbody");
    body.textContent = "";
    var shown = sorted(cases.filter(matches));
    shown.forEach(function (c) {
      body.appendChild(el("tr", { id: "case-" + c.index, "class": "row " + c.status },
        el("td", null, el("span", { "class": "badge " + c.status, text: c.status })),
        testCell(c),
        el("td", { "class": "params" }, el("code", { text: paramText(c).join("\n") })),
        el("td", { "class": "num", text: duration(c.run_time_seconds) }),
        el("td", { "class": "num", title: clock(c.start_time), text: "+" + duration(Math.max(0, c.start_time - data.start_time)) }),
        nodesCell(c),
        logsCell(c)));
    });
    document.getElementById("empty").hidden = shown.length > 0;
    document.querySelectorAll("#filters button").forEach(function (b) {
      b.classList.toggle("active", b.getAttribute("data-status") === state.status);
    });
    document.querySelectorAll("#cases th[data-sort]").forEach(function (th) {
      var s = th.getAttribute("data-sort");
      th.setAttribute("aria-sort", s === state.sort ? (state.desc ? "descending" : "ascending") : "none");
    });
  }

  function renderSorting() {
    document.querySelectorAll("#cases th[data-sort]").forEach(function (th) {
      th.addEventListener("click", function () {
        var s = th.getAttribute("data-sort");
        state.desc = state.sort === s ? !state.desc : false;
        state.sort = s;
        renderRows();
      });
    });
  }

  function show(c) {
    state.status = "";
    state.text = "";
    document.getElementById("search").value = "";
    renderRows();
    var row = document.getElementById("case-" + c.index);
    row.scrollIntoView({ behavior: "smooth", block: "center" });
    row.classList.remove("flash");
    void row.offsetWidth;
    row.classList.add("flash");
  }

  // tickStep returns a round interval, in seconds, that splits span into at
  // most max steps.
  function tickStep(span, max) {
    var steps = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30,
      60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
    for (var i = 0; i < steps.length; i++) if (span / steps[i] <= max) return steps[i];
    return Math.ceil(span / max / 86400) * 86400;
  }

  // shadeFaults hatches each fault's window (inject to heal; to the case's
  // end while never healed; a thin mark for a kill) on its nodes' rows.
  function shadeFaults(root, c, laneOf, x, axisH, rowH) {
    (c.faults || []).forEach(function (f) {
      var end = f.heal_time != null ? f.heal_time : f.kind === "kill" ? f.inject_time : c.stop_time;
      var fx = x(f.inject_time), fw = Math.max(x(end) - fx, 2);
      var g = svg("g", { "class": "fault " + f.kind });
      var title = svg("title", {});
      title.textContent = f.kind + " #" + f.id + " on " + f.nodes.join(", ") + "\n" +
        duration(Math.max(end - f.inject_time, 0)) + " from +" + duration(f.inject_time - c.start_time) + " into " + c.id;
      g.appendChild(title);
      f.nodes.forEach(function (n) {
        var row = laneOf(c, n);
        if (row != null) g.appendChild(svg("rect", { x: fx, y: axisH + row * rowH + 2, width: fw, height: rowH - 4 }));
      });
      g.addEventListener("click", function () { show(c); });
      root.appendChild(g);
    });
  }

  function renderTimeline() {
    var box = document.getElementById("timeline");
    box.textContent = "";
    var ran = cases.filter(function (c) { return (c.nodes || []).length > 0; });
    if (ran.length === 0) {
      box.appendChild(el("p", { "class": "muted", text: "No test has run on a node yet." }));
      return;
    }
    // One lane per node; in a merged session (ducktape merge) one group of
    // lanes per part, under a heading row, since each part ran on its own
    // cluster, whose node names may be the same.
    var byPart = {};
    ran.forEach(function (c) {
      var nodes = byPart[c.part || ""] = byPart[c.part || ""] || {};
      c.nodes.forEach(function (n) { nodes[n] = true; });
    });
    var partNames = Object.keys(byPart).sort(natural);
    var grouped = partNames.length > 1 || partNames[0] !== "";
    var lanes = [], laneIndex = {};
    partNames.forEach(function (p) {
      if (grouped) lanes.push({ part: p });
      Object.keys(byPart[p]).sort(natural).forEach(function (n) {
        laneIndex[p + "\u0000" + n] = lanes.length;
        lanes.push({ part: p, node: n });
      });
    });
    var laneOf = function (c, n) { return laneIndex[(c.part || "") + "\u0000" + n]; };
    var names = lanes.map(function (l) { return l.node || ""; });
    var t0 = Math.min.apply(null, ran.map(function (c) { return c.start_time; }));
    var t1 = Math.max.apply(null, ran.map(function (c) { return c.stop_time; }));
    var span = Math.max(t1 - t0, 1e-3);
    var labelW = 8 + 7 * Math.max.apply(null, names.map(function (n) { return n.length; }));
    var width = Math.max(box.clientWidth - 16, 600), plotW = width - labelW - 12;
    var rowH = names.length > 40 ? 10 : 18, axisH = 22, height = axisH + rowH * names.length + 4;
    var x = function (t) { return labelW + (t - t0) / span * plotW; };
    var root = svg("svg", { width: width, height: height, viewBox: "0 0 " + width + " " + height, role: "img", "aria-label": "Timeline of tests on nodes" });

    var step = tickStep(span, Math.max(2, Math.floor(plotW / 110)));
    for (var at = 0; at <= span + 1e-9; at += step) {
      var tx = x(t0 + at);
      root.appendChild(svg("line", { x1: tx, x2: tx, y1: axisH - 4, y2: height, "class": "grid" }));
      var label = svg("text", { x: tx, y: 12, "class": "tick", "text-anchor": at === 0 ? "start" : "middle" });
      label.textContent = at === 0 ? "0" : "+" + duration(at);
      root.appendChild(label);
    }
    lanes.forEach(function (lane, row) {
      var y = axisH + row * rowH;
      if (lane.node == null) {
        var h = svg("text", { x: 4, y: y + rowH / 2 + 4, "class": "part" });
        h.textContent = lane.part;
        root.appendChild(h);
        return;
      }
      if (row % 2 === 0) root.appendChild(svg("rect", { x: labelW, y: y, width: plotW, height: rowH, "class": "band" }));
      var t = svg("text", { x: labelW - 6, y: y + rowH / 2 + 4, "class": "node", "text-anchor": "end" });
      t.textContent = lane.node;
      root.appendChild(t);
    });
    ran.forEach(function (c) {
      var g = svg("g", { "class": "bar " + c.status });
      var title = svg("title", {});
      title.textContent = c.status + " " + c.id + "\n" + duration(c.run_time_seconds) + " on " + c.nodes.join(", ");
      g.appendChild(title);
      var rows = c.nodes.map(function (n) { return laneOf(c, n); }).sort(function (a, b) { return a - b; });
      var bx = x(c.start_time), bw = Math.max(x(c.stop_time) - bx, 2);
      rows.forEach(function (row) {
        g.appendChild(svg("rect", { x: bx, y: axisH + row * rowH + 2, width: bw, height: rowH - 4, rx: 2 }));
      });
      // The case's name on its topmost bar, when it fits.
      var chars = Math.floor((bw - 8) / 6.5);
      if (rowH >= 18 && chars >= 6) {
        var text = svg("text", { x: bx + 4, y: axisH + rows[0] * rowH + rowH / 2 + 4, "class": "label" });
        text.textContent = c.name.length > chars ? c.name.slice(0, chars - 1) + "\u2026" : c.name;
        g.appendChild(text);
      }
      g.addEventListener("click", function () { show(c); });
      root.appendChild(g);
      shadeFaults(root, c, laneOf, x, axisH, rowH);
    });
    box.appendChild(root);
  }

  renderHeader();
  renderSummary();
  renderFilters();
  renderSorting();
  renderRows();
  renderTimeline();
  var resized;
  window.addEventListener("resize", function () {
    clearTimeout(resized);
    resized = setTimeout(renderTimeline, 150);
  });
})();
