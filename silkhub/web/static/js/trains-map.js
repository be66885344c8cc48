// The home page's map of the month's trains: each train's whole route as a thin dashed line,
// the part already travelled as a thick one, coloured by service, its stops as points.
// ECharts and the map come from the package's own static folder: nothing is loaded from
// outside. Without JavaScript, or if the map cannot load, the table below it says everything.
(function () {
  "use strict";
  var holder = document.getElementById("trains-map");
  var dataNode = document.getElementById("trains-map-data");
  if (!holder || !dataNode || typeof echarts === "undefined") return;
  var data = JSON.parse(dataNode.textContent);
  if (!data.trains.length) return;
  var colours = ["#1f6f8b", "#b8560b", "#4b7d2a", "#7a3e8c", "#8a6d00"];
  var services = [];
  data.trains.forEach(function (t) {
    if (services.indexOf(t.service) < 0) services.push(t.service);
  });

  function segments(points, name) {
    var out = [];
    for (var i = 1; i < points.length; i++) {
      out.push({ name: name, coords: [points[i - 1].coord, points[i].coord] });
    }
    return out;
  }

  fetch(holder.getAttribute("data-geo"))
    .then(function (r) {
      if (!r.ok) throw new Error("map " + r.status);
      return r.json();
    })
    .then(function (geo) {
      echarts.registerMap("world", geo);
      holder.hidden = false;
      var chart = echarts.init(holder, null, { renderer: "canvas" });
      var series = [];
      var places = {};
      data.trains.forEach(function (t) {
        var colour = colours[services.indexOf(t.service) % colours.length];
        series.push({ type: "lines", coordinateSystem: "geo", data: segments(t.route, t.name),
          lineStyle: { color: colour, width: 1.2, type: "dashed", opacity: 0.7 } });
        series.push({ type: "lines", coordinateSystem: "geo", data: segments(t.reached, t.name),
          lineStyle: { color: colour, width: 3, opacity: 0.9 } });
        t.route.forEach(function (p) { places[p.name] = p.coord; });
      });
      series.push({ type: "scatter", coordinateSystem: "geo", symbolSize: 6,
        itemStyle: { color: "#333" },
        label: { show: true, position: "right", formatter: "{b}", fontSize: 10 },
        data: Object.keys(places).map(function (n) { return { name: n, value: places[n] }; }) });
      chart.setOption({
        title: data.demo ? { text: data.demo, right: 10, top: 5, textStyle: { fontSize: 12, color: "#b00000" } } : undefined,
        tooltip: { trigger: "item", formatter: function (p) { return p.name || ""; } },
        geo: { map: "world", roam: true, center: [50, 45], zoom: 2.6,
          itemStyle: { areaColor: "#eef2f6", borderColor: "#ffffff", borderWidth: 0.5 },
          emphasis: { disabled: true } },
        series: series
      });
      window.addEventListener("resize", function () {
        if (holder.clientWidth > 0) chart.resize();
      });
    })
    .catch(function () { holder.hidden = true; });
})();
