// The monthly indices on the indices page: the trade index (value, price and volume) and the
// port throughput index (the chosen port and cargo kind, with a composite beside it), drawn
// from the figures the page carries as JSON (#indices-monthly-data). The tables under the
// charts hold the same figures and stay open without this script; the forms reload the page.
(function () {
  "use strict";
  var node = document.getElementById("indices-monthly-data");
  if (!node || typeof echarts === "undefined") return;
  var data = JSON.parse(node.textContent);
  var texts = data.texts;
  var locale = data.lang === "en" ? "en-GB" : "zh-CN";
  // As the server prints them: Chinese figures without thousands separators.
  var number = new Intl.NumberFormat(locale, {
    minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: data.lang === "en"
  });
  var ink = "#1b2430", muted = "#5a6472", line = "#d5dbe1";
  var colours = ["#1f6f8b", "#9a6f00", "#6b7682"];
  var font = getComputedStyle(document.body).fontFamily ||
    'system-ui, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';
  var charts = [];

  function narrow() { return window.matchMedia("(max-width: 640px)").matches; }
  function fmt(value) { return value === null || value === undefined ? "—" : number.format(value); }

  // A chart in the element of that id: shown, drawn, and its table folded away.
  function draw(id, months, list) {
    var holder = document.getElementById(id);
    if (!holder) return;
    holder.hidden = false;
    var chart = echarts.init(holder, null, { renderer: "canvas" });
    var option = {
      textStyle: { fontFamily: font, color: ink },
      color: colours,
      tooltip: {
        trigger: "axis",
        formatter: function (points) {
          if (!points.length) return "";
          var out = [points[0].axisValue];
          points.forEach(function (p) { out.push(p.marker + p.seriesName + ": " + fmt(p.value)); });
          return out.join("<br>");
        }
      },
      legend: { top: narrow() && data.demo ? 20 : 0, left: 0, textStyle: { color: ink }, itemGap: 16 },
      grid: { left: 8, right: 28, top: narrow() && data.demo ? 56 : 40, bottom: 56, containLabel: true },
      xAxis: {
        type: "category", data: months, boundaryGap: false,
        axisLabel: { color: muted, hideOverlap: true }, axisLine: { lineStyle: { color: line } }
      },
      yAxis: {
        type: "value", scale: true, name: texts.index,
        axisLabel: { color: muted }, splitLine: { lineStyle: { color: "#eef1f4" } }
      },
      dataZoom: [
        { type: "inside" },
        { type: "slider", height: 22, bottom: 8, borderColor: line, textStyle: { color: muted } }
      ],
      series: list.map(function (s, i) {
        return {
          name: s.name, type: "line", data: s.values, showSymbol: false, connectNulls: false,
          lineStyle: i === 0 ? { width: 2 } : { width: 1.5, type: i === 1 ? "solid" : "dashed" },
          markLine: i === 0 ? {
            silent: true, symbol: "none", label: { show: false },
            lineStyle: { color: "#9a6f00", type: "dotted" }, data: [{ yAxis: 100 }]
          } : undefined
        };
      })
    };
    if (data.demo) {
      option.graphic = [{
        type: "text", right: 8, top: 2, silent: true,
        style: { text: data.demo, fill: "#8a4b00", font: "bold 12px sans-serif" }
      }];
    }
    chart.setOption(option, true);
    charts.push(chart);
    var details = holder.parentNode.querySelector("details.data-behind");
    if (details) details.open = false;
  }

  if (data.trade) {
    draw("chart-trade", data.trade.months, data.trade.series.map(function (s) {
      return { name: texts[s.code], values: s.values };
    }));
  }
  if (data.port) draw("chart-port", data.port.months, data.port.series);

  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
