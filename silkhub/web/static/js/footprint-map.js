// The footprint map: one point per place on the world map (ECharts, shipped with the package).
// Without JavaScript, or if the map cannot load, the table below it says everything.
(function () {
  "use strict";
  var holder = document.getElementById("footprint-map");
  var source = document.getElementById("footprint-data");
  if (!holder || !source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  if (!data.points.length) return;
  fetch(holder.getAttribute("data-geo"))
    .then(function (response) {
      if (!response.ok) throw new Error("map " + response.status);
      return response.json();
    })
    .then(function (geo) {
      echarts.registerMap("world", geo);
      holder.hidden = false;
      var chart = echarts.init(holder);
      chart.setOption({
        title: data.demo ? { text: data.demo, right: 10, top: 5, textStyle: { fontSize: 12, color: "#b00000" } } : undefined,
        tooltip: {
          trigger: "item",
          formatter: function (p) { return p.data ? p.data.label : p.name; }
        },
        geo: { map: "world", roam: true, itemStyle: { areaColor: "#eef2f5", borderColor: "#99a" } },
        series: [{
          type: "scatter",
          coordinateSystem: "geo",
          symbolSize: 9,
          itemStyle: { color: "#1f5fa8" },
          data: data.points.map(function (p) {
            return { name: p.code, value: [p.longitude, p.latitude], label: p.name + " · " + p.kind_name, url: p.url };
          })
        }]
      });
      chart.on("click", function (p) { if (p.data && p.data.url) window.location.href = p.data.url; });
      window.addEventListener("resize", function () {
        if (holder.clientWidth > 0) chart.resize();
      });
    })
    .catch(function () { holder.hidden = true; });
})();
