// Statistics dashboard: one ECharts bar chart per panel from the page's #stats-data; a bar
// opens the tickets behind it; each panel switches between its chart and its table.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("stats-data").textContent);
  var charts = {};
  window.statsCharts = charts; // tests find a bar's position through these

  function draw(panel) {
    var node = document.getElementById("chart-" + panel.name);
    // On a narrow screen a dozen district names do not fit under the bars: lay the bars on
    // their side so every name is written out (a date axis reads well skipping labels).
    var sideways = panel.name !== "period" && node.clientWidth < 600;
    if (sideways) node.style.height = Math.max(240, panel.labels.length * 34 + 60) + "px";
    var chart = echarts.init(node, null, { renderer: "canvas" });
    var names = { type: "category", data: panel.labels, inverse: sideways,
                  axisLabel: { interval: sideways ? 0 : "auto", hideOverlap: !sideways } };
    var values = { type: "value", minInterval: 1 };
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, bottom: 8, top: 36, containLabel: true },
      xAxis: sideways ? values : names,
      yAxis: sideways ? names : values,
      series: [
        { name: data.words.enterprises, type: "bar", data: panel.enterprises, itemStyle: { color: "#0b6e4f" } },
        { name: data.words.tickets, type: "bar", data: panel.tickets, itemStyle: { color: "#9fc5b8" } },
      ],
    });
    chart.on("click", function (params) {
      var url = panel.urls[params.dataIndex];
      if (url) window.location.assign(url);
    });
    charts[panel.name] = chart;
  }

  function show(section, view) {
    section.dataset.view = view;
    section.querySelectorAll("[data-show]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.dataset.show === view));
    });
    var chart = charts[section.id.replace("panel-", "")];
    if (view === "chart" && chart) chart.resize();
  }

  document.querySelectorAll(".stats-panel").forEach(function (section) {
    section.querySelectorAll("[data-show]").forEach(function (button) {
      button.addEventListener("click", function () { show(section, button.dataset.show); });
    });
    show(section, "chart");
  });
  data.panels.forEach(draw);
  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (k) { charts[k].resize(); });
  });
})();
