// A journey or a transport's route on the world map: the whole route as a thin line, the part
// already travelled as a thick one, the current place marked. ECharts and the map come from
// the package's own static folder: nothing is loaded from outside.
(function () {
  "use strict";
  var holder = document.getElementById("route-map");
  var dataNode = document.getElementById("route-map-data");
  if (!holder || !dataNode || typeof echarts === "undefined") return;
  var data = JSON.parse(dataNode.textContent);
  var chart = echarts.init(holder, null, { renderer: "canvas" });

  function segments(points) {
    var out = [];
    for (var i = 1; i < points.length; i++) {
      out.push({ coords: [points[i - 1].coord, points[i].coord] });
    }
    return out;
  }

  fetch(holder.getAttribute("data-geo"))
    .then(function (r) { return r.json(); })
    .then(function (geo) {
      echarts.registerMap("world", geo);
      var series = [
        { type: "lines", coordinateSystem: "geo", data: segments(data.route),
          lineStyle: { color: "#8aa1b4", width: 1.5, type: "dashed" } },
        { type: "lines", coordinateSystem: "geo", data: segments(data.reached),
          lineStyle: { color: "#1f6f8b", width: 3 } },
        { type: "scatter", coordinateSystem: "geo", symbolSize: 7,
          label: { show: true, position: "right", formatter: "{b}", fontSize: 11 },
          itemStyle: { color: "#1f6f8b" },
          data: data.route.map(function (p) { return { name: p.name, value: p.coord }; }) }
      ];
      if (data.here) {
        series.push({ type: "effectScatter", coordinateSystem: "geo", symbolSize: 12,
          itemStyle: { color: "#b8860b" },
          data: [{ name: data.here.name, value: data.here.coord }] });
      }
      chart.setOption({
        tooltip: { trigger: "item", formatter: function (p) { return p.name || ""; } },
        geo: { map: "world", roam: true, center: [60, 40], zoom: 2.2,
          itemStyle: { areaColor: "#eef2f6", borderColor: "#ffffff", borderWidth: 0.5 },
          emphasis: { disabled: true } },
        series: series
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
})();
