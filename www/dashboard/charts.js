/* Lifeline dashboard, over time: prompts shown, prompts used or answered, and feedback, one
 * line per rule or per page (the busiest eight), by the hour over 48 hours or by the day
 * over 30 days, from the admin API's series. Drawn by uPlot (vendor/uplot, MIT); each chart
 * is an image with a summary for screen readers, and its numbers are a table below it.
 * Colours differ in shade and dash, not only in hue. Every name is set as text. */
(function () {
  "use strict";
  var d = document, $ = function (id) { return d.getElementById(id); };
  var s = null, plots = [], data = null, timer = null;
  var COLOURS = ["#1d4ed8", "#b45309", "#047857", "#be123c", "#6d28d9", "#0f766e", "#4d7c0f", "#374151"];
  var DASHES = [[], [6, 3], [2, 2], [8, 3, 2, 3], [], [6, 3], [2, 2], [8, 3, 2, 3]];
  var MEASURES = [["shown", "Prompts shown"], ["engaged", "Used or answered"], ["feedback", "Feedback"]];

  function fetchSeries() {
    var q = "?by=" + $("chart-by").value + "&bucket=" + $("chart-bucket").value;
    return fetch("/v1/admin/sites/" + encodeURIComponent(s.site) + "/series" + q, {
      headers: { Authorization: "Bearer " + s.token }
    }).then(function (r) {
      return r.json().then(function (v) { if (!r.ok) throw new Error(v.message); return v; });
    });
  }

  function label(t) {
    var dt = new Date(t);
    return data.bucket == "hour" ? dt.toLocaleString([], { day: "numeric", month: "short", hour: "2-digit" })
      : dt.toLocaleDateString([], { day: "numeric", month: "short" });
  }

  function draw() {
    plots.forEach(function (p) { p.destroy(); });
    plots = [];
    var box = $("charts");
    box.textContent = "";
    if (!data.lines.length) {
      var p = d.createElement("p"); p.className = "empty"; p.textContent = "Nothing in this period yet.";
      box.appendChild(p);
      return;
    }
    var width = Math.max(260, box.clientWidth - 8);
    MEASURES.forEach(function (m) {
      var fig = d.createElement("figure"), cap = d.createElement("figcaption"), area = d.createElement("div");
      cap.textContent = m[1];
      fig.appendChild(cap);
      var totals = data.lines.map(function (l) {
        return l.name + " " + l[m[0]].reduce(function (a, b) { return a + b; }, 0);
      });
      area.setAttribute("role", "img");
      area.setAttribute("aria-label", m[1] + " per " + data.by + ", per " + data.bucket + ", totals: " + totals.join(", "));
      fig.appendChild(area);
      box.appendChild(fig);
      var series = [{}].concat(data.lines.map(function (l, i) {
        return { label: l.name, stroke: COLOURS[i], dash: DASHES[i], width: 2, points: { show: false } };
      }));
      var values = [data.at.map(function (t) { return t / 1000; })].concat(data.lines.map(function (l) { return l[m[0]]; }));
      plots.push(new window.uPlot({
        width: width, height: 200, series: series,
        scales: { x: { time: true } },
        axes: [{ stroke: "#374151" }, { stroke: "#374151", values: function (u, v) { return v.map(function (x) { return x % 1 ? "" : x; }); } }],
        legend: { live: false }
      }, values, area));
      // The numbers, for anyone who cannot read the chart.
      var more = d.createElement("details"), sum = d.createElement("summary"), t = d.createElement("table");
      sum.textContent = m[1] + ": the numbers";
      more.appendChild(sum);
      var head = t.createTHead().insertRow(), th = d.createElement("th");
      th.scope = "col"; th.textContent = data.bucket; head.appendChild(th);
      data.lines.forEach(function (l) { var h = d.createElement("th"); h.scope = "col"; h.className = "num"; h.textContent = l.name; head.appendChild(h); });
      var body = t.createTBody();
      data.at.forEach(function (at, i) {
        var r = body.insertRow(), c = d.createElement("th");
        c.scope = "row"; c.textContent = label(at); r.appendChild(c);
        data.lines.forEach(function (l) { var td = r.insertCell(); td.className = "num"; td.textContent = l[m[0]][i]; });
      });
      more.appendChild(t);
      fig.appendChild(more);
    });
  }

  function refresh() {
    if (!s) return Promise.resolve();
    return fetchSeries().then(function (v) { data = v; draw(); }, function (e) { $("status").textContent = e.message; });
  }

  function start(session) {
    s = session;
    refresh();
    clearInterval(timer);
    timer = setInterval(refresh, 60000);
  }
  function stop() {
    s = null;
    clearInterval(timer);
    plots.forEach(function (p) { p.destroy(); });
    plots = [];
    $("charts").textContent = "";
  }

  d.addEventListener("DOMContentLoaded", function () {
    $("chart-by").addEventListener("change", refresh);
    $("chart-bucket").addEventListener("change", refresh);
    var resized = 0;
    window.addEventListener("resize", function () {
      clearTimeout(resized);
      resized = setTimeout(function () { if (data && s) draw(); }, 200);
    });
  });
  window.lifelineCharts = { start: start, stop: stop, refresh: refresh };
})();
