// The statistics dashboard's charts, drawn from the figures the page carries as JSON
// (#stats-data). Every chart has its table on the page: without this script (or without
// ECharts) the tables stay open and nothing is lost. ECharts and the world map come from the
// package's own static folder: nothing is loaded from outside.
(function () {
  "use strict";
  var node = document.getElementById("stats-data");
  if (!node || typeof echarts === "undefined") return;
  var data = JSON.parse(node.textContent);
  var texts = data.texts;
  var locale = data.lang === "en" ? "en-GB" : "zh-CN";
  var number = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  var ink = "#1b2430", muted = "#5a6472", line = "#d5dbe1";
  var blue = "#1f6f8b", gold = "#9a6f00";
  // The page's own font stack (a canvas cannot "inherit" it); system fonts only.
  var font = getComputedStyle(document.body).fontFamily ||
    'system-ui, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';
  var charts = [];

  function fmt(value) {
    return value === null || value === undefined ? texts.none : number.format(value);
  }

  function axisName(unit) { return unit ? texts.value + " (" + unit + ")" : texts.value; }

  // A chart in the element of that id: shown, drawn, and its table folded away.
  function draw(id, option) {
    var holder = document.getElementById(id);
    if (!holder) return null;
    holder.hidden = false;
    var chart = echarts.init(holder, null, { renderer: "canvas" });
    option.textStyle = { fontFamily: font, color: ink };
    if (data.demo) {
      option.graphic = [{
        type: "text", right: 4, top: 0, silent: true,
        style: { text: data.demo, fill: "#8a4b00", font: "bold 12px sans-serif" }
      }];
    }
    chart.setOption(option);
    charts.push(chart);
    var details = holder.parentNode.querySelector("details.data-behind");
    if (details) details.open = false;
    return chart;
  }

  function narrow() { return window.matchMedia("(max-width: 640px)").matches; }

  var s = data.series;
  if (s) {
    draw("chart-series", {
      tooltip: {
        trigger: "axis",
        valueFormatter: function (v) { return fmt(v); }
      },
      legend: { top: 18, left: 0, textStyle: { color: ink } },
      grid: { left: 8, right: 8, top: narrow() ? 56 : 80, bottom: 8, containLabel: true },
      xAxis: {
        type: "category", data: s.labels,
        axisLabel: { color: muted, rotate: narrow() ? 60 : 30 },
        axisLine: { lineStyle: { color: line } }
      },
      yAxis: [
        {
          // On a phone the legend names the axes; there is no room for both.
          type: "value", name: narrow() ? "" : s.unit,
          nameTextStyle: { color: muted, align: "left" },
          axisLabel: { color: muted, formatter: function (v) { return number.format(v); } },
          splitLine: { lineStyle: { color: "#eef1f4" } }
        },
        {
          type: "value", name: narrow() ? "" : texts.growth,
          nameTextStyle: { color: muted, align: "right" },
          axisLabel: { color: muted, formatter: "{value}%" }, splitLine: { show: false }
        }
      ],
      series: [
        { name: s.name, type: "bar", data: s.values, itemStyle: { color: blue } },
        {
          name: texts.growth, type: "line", yAxisIndex: 1, data: s.growth, connectNulls: false,
          symbol: "circle", symbolSize: 6, lineStyle: { color: gold, width: 2 },
          itemStyle: { color: gold }
        }
      ]
    });
  }

  var r = data.ranking;
  if (r && r.items.length) {
    draw("chart-ranking", {
      title: {
        text: r.unit, left: 0, top: 0,
        textStyle: { fontSize: 12, fontWeight: "normal", color: muted, fontFamily: font }
      },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: fmt },
      grid: { left: 16, right: 48, top: 28, bottom: 8, containLabel: true },
      xAxis: {
        type: "value",
        axisLabel: { color: muted, formatter: function (v) { return number.format(v); } },
        splitLine: { lineStyle: { color: "#eef1f4" } }
      },
      yAxis: {
        type: "category", inverse: true, axisLabel: { color: ink },
        data: r.items.map(function (i) { return i.name; })
      },
      series: [{
        name: axisName(r.unit), type: "bar", itemStyle: { color: blue },
        label: { show: true, position: "right", color: ink, formatter: function (p) { return fmt(p.value); } },
        data: r.items.map(function (i) { return i.value; })
      }]
    });
  }

  var g = data.groups;
  if (g && g.length) {
    draw("chart-groups", {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return fmt(v) + "%"; } },
      grid: { left: 16, right: 48, top: 28, bottom: 8, containLabel: true },
      xAxis: {
        type: "value",
        axisLabel: { color: muted, formatter: "{value}%" }, splitLine: { lineStyle: { color: "#eef1f4" } }
      },
      yAxis: {
        type: "category", inverse: true, axisLabel: { color: ink, width: narrow() ? 110 : 180, overflow: "break" },
        data: g.map(function (i) { return i.name; })
      },
      series: [{
        name: texts.share, type: "bar", itemStyle: { color: blue },
        label: { show: true, position: "right", color: ink, formatter: function (p) { return fmt(p.value) + "%"; } },
        data: g.map(function (i) { return i.share; })
      }]
    });
  }

  var m = data.map;
  var mapHolder = document.getElementById("chart-map");
  if (m && m.items.length && mapHolder) {
    var names = {}, max = 0;
    m.items.forEach(function (i) {
      names[i.code] = i.name;
      if (i.value !== null && i.value > max) max = i.value;
    });
    fetch(mapHolder.getAttribute("data-geo"))
      .then(function (response) {
        if (!response.ok) throw new Error("map " + response.status);
        return response.json();
      })
      .then(function (geo) {
        // Antarctica has no trade and takes a fifth of the height: leave it out.
        geo = { type: geo.type, features: geo.features.filter(function (f) {
          return f.properties.iso_a2 !== "AQ";
        }) };
        echarts.registerMap("world", geo);
        draw("chart-map", {
          tooltip: {
            trigger: "item",
            formatter: function (p) {
              var name = names[p.name];
              if (!name) return "";
              return name + ": " + fmt(p.value) + (m.unit ? " " + m.unit : "");
            }
          },
          visualMap: {
            type: "continuous", min: 0, max: max || 1, left: narrow() ? "center" : 8, bottom: 8,
            orient: narrow() ? "horizontal" : "vertical", itemHeight: narrow() ? 120 : 140,
            calculable: false,
            text: [texts.high, texts.low], textStyle: { color: ink },
            inRange: { color: ["#d6e7ef", "#0f3d63"] }
          },
          series: [{
            type: "map", map: "world", nameProperty: "iso_a2", roam: true,
            left: narrow() ? 4 : 70, right: 4, top: 24, bottom: narrow() ? 56 : 8,
            emphasis: { label: { show: false }, itemStyle: { areaColor: "#e0b44c" } },
            itemStyle: { borderColor: "#ffffff", borderWidth: 0.5, areaColor: "#eef1f4" },
            data: m.items.map(function (i) { return { name: i.code, value: i.value }; })
          }]
        });
      })
      .catch(function () { mapHolder.hidden = true; });
  }

  window.addEventListener("resize", function () {
    charts.forEach(function (c) {
      // ECharts 6.1.0 throws when a map chart is resized to 0x0 (apache/echarts#21706),
      // which a window being laid out or printed passes through: wait for a real size.
      var dom = c.getDom();
      if (dom.clientWidth > 0 && dom.clientHeight > 0) c.resize();
    });
  });
})();
