// Draws the dashboard's charts with uPlot (served from Hearth's own static files) from the
// JSON in #chart-data; again after HTMX swaps the panels in, and when the window is resized.
(function () {
  "use strict";
  var COLOURS = ["#c2410c", "#2563eb", "#15803d", "#7c3aed", "#b45309", "#0e7490", "#be123c"];
  var plots = [];

  function draw() {
    plots.forEach(function (p) { p.destroy(); });
    plots = [];
    var source = document.getElementById("chart-data");
    if (!source || typeof uPlot === "undefined") { return; }
    var charts = JSON.parse(source.textContent || "{}");
    document.querySelectorAll("figure.chart").forEach(function (figure) {
      var chart = charts[figure.getAttribute("data-chart")];
      var target = figure.querySelector(".plot");
      if (!chart || !target) { return; }
      target.textContent = "";
      var width = Math.max(240, Math.floor(target.getBoundingClientRect().width || 300));
      var series = [{}].concat(chart.series.map(function (s, i) {
        var dashed = /target/.test(s.label);
        return {
          label: s.label,
          stroke: dashed ? "#5f6368" : COLOURS[i % COLOURS.length],
          dash: dashed ? [6, 4] : undefined,
          width: 2,
          spanGaps: true,
        };
      }));
      var data = [chart.x].concat(chart.series.map(function (s) { return s.values; }));
      plots.push(new uPlot({
        width: width,
        height: 220,
        series: series,
        legend: { show: true },
        cursor: { drag: { x: false, y: false } },
      }, data, target));
    });
  }

  var timer = null;
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(draw, 150);
  });
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSwap", draw);
})();
