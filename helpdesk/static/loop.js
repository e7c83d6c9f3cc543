// A provider's scorecard: the last twelve months as one ECharts chart (tickets as bars,
// satisfaction and SLA compliance as lines on their own axes), from the page's #trend-data.
(function () {
  "use strict";
  var node = document.getElementById("trend-chart");
  if (!node || !window.echarts) return;
  var data = JSON.parse(document.getElementById("trend-data").textContent);
  var t = data.trend, w = data.words;
  var chart = echarts.init(node, null, { renderer: "canvas" });
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 8, right: 8, bottom: 8, top: 40, containLabel: true },
    xAxis: { type: "category", data: t.months },
    yAxis: [
      { type: "value", minInterval: 1 },
      // SLA compliance on its own, labelled right axis: hidden, its 100 % read as the
      // ticket axis's top value (seen on the walk: "100 %" at "10")
      { type: "value", min: 0, max: 100, position: "right", splitLine: { show: false },
        axisLabel: { formatter: "{value}%" } },
      { type: "value", min: 1, max: 5, show: false },
    ],
    series: [
      { name: w.received, type: "bar", data: t.received, itemStyle: { color: "#9fc5b8" } },
      { name: w.sla, type: "line", yAxisIndex: 1, data: t.sla, connectNulls: true, itemStyle: { color: "#0b6e4f" } },
      { name: w.satisfaction, type: "line", yAxisIndex: 2, data: t.satisfaction, connectNulls: true, itemStyle: { color: "#b45309" } },
    ],
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
