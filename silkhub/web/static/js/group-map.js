// The home page's map of a country group's members. Map shapes and ECharts come from the
// package's own static folder: nothing is loaded from outside.
(function () {
  "use strict";
  var holder = document.getElementById("group-map");
  var dataNode = document.getElementById("group-map-data");
  if (!holder || !dataNode || typeof echarts === "undefined") return;
  var groups = JSON.parse(dataNode.textContent);
  var select = document.getElementById("group-select");
  var description = document.getElementById("group-description");
  var chart = echarts.init(holder, null, { renderer: "canvas" });

  function show(code) {
    var group = groups.find(function (g) { return g.code === code; }) || groups[0];
    var names = {};
    group.members.forEach(function (m) { names[m.code] = m.name; });
    chart.setOption({
      tooltip: {
        trigger: "item",
        formatter: function (p) { return names[p.name] || (p.data && p.data.label) || ""; }
      },
      visualMap: { show: false, min: 0, max: 1, inRange: { color: ["#dfe6ec", "#1f6f8b"] } },
      series: [{
        type: "map",
        map: "world",
        nameProperty: "iso_a2",
        roam: true,
        emphasis: { label: { show: false }, itemStyle: { areaColor: "#b8860b" } },
        itemStyle: { borderColor: "#ffffff", borderWidth: 0.5, areaColor: "#dfe6ec" },
        data: group.members.map(function (m) { return { name: m.code, value: 1, label: m.name }; })
      }]
    }, true);
    if (description) description.textContent = group.description;
    document.querySelectorAll("details.data-behind[data-group]").forEach(function (d) {
      d.hidden = d.getAttribute("data-group") !== group.code;
    });
  }

  fetch(holder.getAttribute("data-geo") || "/static/vendor/world-geo-json-zh/world.zh.json")
    .then(function (r) { return r.json(); })
    .then(function (geo) {
      echarts.registerMap("world", geo);
      show(select ? select.value : groups[0].code);
      if (select) select.addEventListener("change", function () { show(select.value); });
      window.addEventListener("resize", function () {
        // ECharts 6.1.0 throws when a map chart is resized to 0x0 (apache/echarts#21706),
        // which a window being laid out or printed passes through: wait for a real size.
        if (holder.clientWidth > 0 && holder.clientHeight > 0) chart.resize();
      });
    });
})();
