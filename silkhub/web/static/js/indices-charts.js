// The freight index page's charts, drawn from the released figures the page carries as JSON
// (#indices-data): the composite, and the chosen route with the composite beside it. Every
// chart has its table on the page: without this script (or without ECharts) the tables stay
// open, and the route picker reloads the page. ECharts comes from the package's own static
// folder: nothing is loaded from outside.
(function () {
  "use strict";
  var node = document.getElementById("indices-data");
  if (!node || typeof echarts === "undefined") return;
  var data = JSON.parse(node.textContent);
  var texts = data.texts;
  var locale = data.lang === "en" ? "en-GB" : "zh-CN";
  // As the server prints them: Chinese figures without thousands separators.
  var grouping = data.lang === "en";
  var number = new Intl.NumberFormat(locale, {
    minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: grouping
  });
  var whole = new Intl.NumberFormat(locale, { maximumFractionDigits: 0, useGrouping: grouping });
  var signed = new Intl.NumberFormat(locale, {
    minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: grouping,
    signDisplay: "exceptZero"
  });
  var ink = "#1b2430", muted = "#5a6472", line = "#d5dbe1";
  var blue = "#1f6f8b", gold = "#9a6f00", grey = "#6b7682";
  var font = getComputedStyle(document.body).fontFamily ||
    'system-ui, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';
  var charts = [];
  var byCode = {};
  data.series.forEach(function (s) { byCode[s.code] = s; });
  var composite = byCode.COMPOSITE;

  function narrow() { return window.matchMedia("(max-width: 640px)").matches; }

  function fmt(value) { return value === null || value === undefined ? "—" : number.format(value); }

  function carriedSet(series) {
    var set = {};
    series.carried.forEach(function (i) { set[i] = true; });
    return set;
  }

  // A chart in the element of that id: shown, drawn, and its table folded away.
  function draw(id, option) {
    var holder = document.getElementById(id);
    if (!holder) return null;
    holder.hidden = false;
    var chart = echarts.getInstanceByDom(holder) || echarts.init(holder, null, { renderer: "canvas" });
    option.textStyle = { fontFamily: font, color: ink };
    if (data.demo) {
      option.graphic = [{
        type: "text", right: 8, top: 2, silent: true,
        style: { text: data.demo, fill: "#8a4b00", font: "bold 12px sans-serif" }
      }];
    }
    chart.setOption(option, true);
    if (charts.indexOf(chart) < 0) charts.push(chart);
    var details = holder.parentNode.querySelector("details.data-behind");
    if (details && !details.dataset.kept) details.open = false;
    return chart;
  }

  function lineOption(list) {
    var sets = list.map(carriedSet);
    return {
      color: list.map(function (s, i) { return i === 0 ? blue : grey; }),
      tooltip: {
        trigger: "axis",
        formatter: function (points) {
          if (!points.length) return "";
          var out = [points[0].axisValue];
          points.forEach(function (p) {
            var flag = sets[p.seriesIndex][p.dataIndex] ? " (" + texts.carried + ")" : "";
            out.push(p.marker + p.seriesName + ": " + fmt(p.value) + flag);
          });
          return out.join("<br>");
        }
      },
      // On a phone the demonstration label takes the top line and the legend goes under it.
      legend: { top: narrow() && data.demo ? 20 : 0, left: 0, textStyle: { color: ink }, itemGap: 16 },
      grid: {
        left: 8, right: 28, top: narrow() && data.demo ? 56 : 40, bottom: 56, containLabel: true
      },
      xAxis: {
        type: "category", data: data.weeks, boundaryGap: false,
        axisLabel: { color: muted, hideOverlap: true }, axisLine: { lineStyle: { color: line } }
      },
      yAxis: {
        type: "value", scale: true,
        axisLabel: { color: muted, formatter: function (v) { return whole.format(v); } },
        splitLine: { lineStyle: { color: "#eef1f4" } }
      },
      dataZoom: [
        { type: "inside" },
        { type: "slider", height: 22, bottom: 8, borderColor: line, textStyle: { color: muted } }
      ],
      series: list.map(function (s, i) {
        return {
          name: s.name, type: "line", data: s.values, showSymbol: false, connectNulls: false,
          lineStyle: i === 0 ? { width: 2 } : { width: 1.5, type: "dashed" },
          markLine: i === 0 ? {
            silent: true, symbol: "none", label: { show: false },
            lineStyle: { color: gold, type: "dotted" }, data: [{ yAxis: 1000 }]
          } : undefined
        };
      })
    };
  }

  if (composite) draw("chart-composite", lineOption([composite]));

  // The route table, rewritten for the chosen route (the same rows the page renders).
  function routeRows(series) {
    var set = carriedSet(series);
    var rows = [];
    for (var i = series.values.length - 1; i >= 0; i--) {
      var v = series.values[i];
      if (v === null) continue;
      var before = i > 0 ? series.values[i - 1] : null;
      var change = before === null ? null : v - before;
      var pct = series.pct[i];
      rows.push([data.weeks[i], fmt(v),
        change === null ? "—" : signed.format(Math.round(change * 100) / 100),
        pct === null ? "—" : signed.format(pct) + "%",
        set[i] ? texts.yes : ""]);
    }
    return rows;
  }

  function fillTable(series) {
    var body = document.querySelector("#table-route tbody");
    if (!body) return;
    body.textContent = "";
    routeRows(series).forEach(function (cells) {
      var tr = document.createElement("tr");
      cells.forEach(function (text, k) {
        var cell = document.createElement(k === 0 ? "th" : "td");
        if (k === 0) cell.scope = "row";
        if (k > 0 && k < 4) cell.className = "num";
        cell.textContent = text;
        tr.appendChild(cell);
      });
      body.appendChild(tr);
    });
    var caption = document.getElementById("route-caption");
    if (caption) caption.textContent = series.name + " (" + series.code + "), " + texts.newest;
    var summary = document.getElementById("route-summary");
    if (summary) summary.textContent = texts.table.replace("{route}", series.name);
    var link = document.getElementById("download-route");
    if (link) {
      link.href = data.csv.replace("COMPOSITE", series.code);
      link.textContent = texts.csv.replace("{route}", series.name);
    }
  }

  function showRoute(code, rewrite) {
    var series = byCode[code];
    if (!series) return;
    draw("chart-route", lineOption([series, composite]));
    if (rewrite) fillTable(series);
  }

  showRoute(data.route, false);
  var picker = document.getElementById("route-select");
  if (picker) {
    picker.addEventListener("change", function () {
      showRoute(picker.value, true);
      if (window.history && window.history.replaceState) {
        var url = new URL(window.location.href);
        url.searchParams.set("route", picker.value);
        window.history.replaceState(null, "", url.toString());
      }
    });
  }

  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
