// Draws the console's charts as SVG from the JSON in <script id="chart-data">: each
// <figure data-chart="KEY"> gets data.charts[KEY] = {title, type: "columns"|"bars", labels,
// series: [{name, values}], percent}. Text is the page's own font, so Chinese labels show as
// the browser shows any Chinese text. Written for this console; no library.
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var COLOURS = ["#2f6fbf", "#d8703b", "#3a9a5b", "#8a5cc2"];
  var FONT = 12;

  function el(name, attrs, text) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function shown(value, percent) {
    return percent ? (value * 100).toFixed(1) + "%" : String(Math.round(value * 10) / 10);
  }

  function niceMax(value, percent) {
    if (percent) return Math.max(0.05, Math.ceil(value * 20) / 20);
    if (value <= 5) return Math.max(1, Math.ceil(value));
    var step = Math.pow(10, Math.floor(Math.log10(value)));
    return Math.ceil(value / step) * step;
  }

  function totals(chart) {
    return chart.labels.map(function (_, i) {
      return chart.series.reduce(function (sum, s) { return sum + s.values[i]; }, 0);
    });
  }

  function legend(svg, chart, y) {
    if (chart.series.length < 2) return;
    var x = 0;
    chart.series.forEach(function (s, n) {
      svg.appendChild(el("rect", { x: x, y: y - 10, width: 12, height: 12, fill: COLOURS[n % COLOURS.length] }));
      svg.appendChild(el("text", { x: x + 16, y: y, "font-size": FONT }, s.name));
      x += 24 + s.name.length * FONT + 8;
    });
  }

  function describe(chart) {
    return chart.title + "：" + chart.labels.map(function (label, i) {
      return label + " " + chart.series.map(function (s) { return (chart.series.length > 1 ? s.name + " " : "") + shown(s.values[i], chart.percent); }).join("，");
    }).join("；");
  }

  function columns(chart, width) {
    var height = 220, left = 40, bottom = 34, top = chart.series.length > 1 ? 24 : 8;
    var svg = el("svg", { viewBox: "0 0 " + width + " " + height, width: "100%", role: "img" });
    var sums = totals(chart), max = niceMax(Math.max.apply(null, sums.concat([0])), chart.percent);
    var plotH = height - top - bottom, plotW = width - left - 4, slot = plotW / chart.labels.length;
    var ticks = chart.percent || max % 2 === 0 ? [0, 0.5, 1] : [0, 1]; // whole numbers for counts
    ticks.forEach(function (f) {
      var y = top + plotH * (1 - f);
      svg.appendChild(el("line", { x1: left, x2: width, y1: y, y2: y, stroke: "#ccd" }));
      svg.appendChild(el("text", { x: left - 4, y: y + 4, "text-anchor": "end", "font-size": FONT }, shown(max * f, chart.percent)));
    });
    var every = Math.ceil(chart.labels.length / Math.max(1, Math.floor(plotW / 48)));
    chart.labels.forEach(function (label, i) {
      var base = top + plotH, x = left + i * slot + slot * 0.15;
      chart.series.forEach(function (s, n) {
        var h = plotH * (s.values[i] / max);
        if (h > 0) {
          var bar = el("rect", { x: x, y: base - h, width: slot * 0.7, height: h, fill: COLOURS[n % COLOURS.length] });
          bar.appendChild(el("title", {}, label + " " + s.name + "：" + shown(s.values[i], chart.percent)));
          svg.appendChild(bar);
        }
        base -= h;
      });
      if (i % every === 0) {
        svg.appendChild(el("text", { x: left + i * slot + slot / 2, y: height - bottom + 16, "text-anchor": "middle", "font-size": FONT }, label));
      }
    });
    legend(svg, chart, 14);
    return svg;
  }

  function bars(chart, width) {
    var row = 22, top = chart.series.length > 1 ? 24 : 4;
    var labelW = Math.min(width * 0.4, 14 + FONT * Math.max.apply(null, chart.labels.map(function (l) { return l.length; }).concat([2])));
    var height = top + row * chart.labels.length + 4;
    var svg = el("svg", { viewBox: "0 0 " + width + " " + height, width: "100%", role: "img" });
    var sums = totals(chart), max = Math.max.apply(null, sums.concat([1])), plotW = width - labelW - 48;
    chart.labels.forEach(function (label, i) {
      var y = top + i * row, x = labelW;
      svg.appendChild(el("text", { x: labelW - 6, y: y + 15, "text-anchor": "end", "font-size": FONT }, label));
      chart.series.forEach(function (s, n) {
        var w = plotW * (s.values[i] / max);
        if (w > 0) {
          var bar = el("rect", { x: x, y: y + 3, width: w, height: row - 6, fill: COLOURS[n % COLOURS.length] });
          bar.appendChild(el("title", {}, label + " " + s.name + "：" + shown(s.values[i], chart.percent)));
          svg.appendChild(bar);
        }
        x += w;
      });
      svg.appendChild(el("text", { x: x + 4, y: y + 15, "font-size": FONT }, shown(sums[i], chart.percent)));
    });
    legend(svg, chart, 14);
    return svg;
  }

  function draw() {
    var source = document.getElementById("chart-data");
    if (!source) return;
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("figure[data-chart]").forEach(function (figure) {
      var chart = data.charts[figure.getAttribute("data-chart")];
      if (!chart || !chart.labels.length || !data.totals.inquiries) return;
      var width = Math.max(280, Math.min(760, figure.clientWidth || 600));
      var svg = (chart.type === "bars" ? bars : columns)(chart, width);
      svg.setAttribute("aria-label", describe(chart));
      figure.appendChild(svg);
    });
    document.body.setAttribute("data-charts-drawn", "");
  }

  function start() {
    draw();
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
