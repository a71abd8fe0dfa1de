/* The statistics screen's charts (ECharts, vendored) and the copy button; data from json_script. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("stats-chart").textContent);
  var font = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  var red = "#a4161a", blue = "#3a6ea5";
  function chart(id, option, empty, renderer) {
    var el = document.getElementById(id);
    if (!el || typeof echarts === "undefined") { return; }
    if (empty) {
      el.textContent = empty;
      el.classList.add("jz-chart-empty");
      el.setAttribute("data-ready", "1");
      return;
    }
    var c = echarts.init(el, null, { renderer: renderer || "canvas" });
    option.textStyle = { fontFamily: font };
    option.animation = false;
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
    el.setAttribute("data-ready", "1");
  }
  function bars(id, labels, series, rotate) {
    chart(id, {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 48, right: 48, top: 36, bottom: rotate ? 70 : 30 },
      xAxis: { type: "category", data: labels, axisLabel: { rotate: rotate || 0, interval: 0 } },
      yAxis: [{ type: "value", name: "件" }, { type: "value", name: "万元" }],
      series: series
    });
  }
  bars("chart-years", data.years, [
    { name: "救助件数", type: "bar", data: data.year_cases, itemStyle: { color: red } },
    { name: "救助金额(万元)", type: "line", yAxisIndex: 1, data: data.year_amount, itemStyle: { color: blue } }
  ]);
  bars("chart-orgs", data.orgs, [
    { name: "承办或出资件数", type: "bar", data: data.org_cases, itemStyle: { color: red } },
    { name: "出资金额(万元)", type: "bar", yAxisIndex: 1, data: data.org_amount, itemStyle: { color: blue } }
  ], 30);
  chart("chart-groups", {
    tooltip: { trigger: "axis" },
    grid: { left: 90, right: 20, top: 10, bottom: 20 },
    xAxis: { type: "value", name: "人" },
    yAxis: { type: "category", data: data.groups, inverse: true },
    series: [{ name: "救助人数", type: "bar", data: data.group_persons, itemStyle: { color: red } }]
  }, data.groups.length ? "" : "没有可公开的人员类别数据。");
  // A donut's slices carry only their value; the full names (with values) are in the legend below it, so a long
  // service kind is never cut to "…" by the label layout of a narrow column (issue 13). SVG, so the text is
  // text (selectable, and checked by the browser test).
  function pie(id, title, items) {
    var values = {};
    items.forEach(function (x) { values[x.name] = x.value; });
    chart(id, {
      title: { text: title, left: "center", textStyle: { fontSize: 13 } },
      tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
      legend: { type: "plain", bottom: 0, left: "center", itemWidth: 12, itemHeight: 10,
                textStyle: { overflow: "none" },
                formatter: function (name) { return name + " " + values[name]; } },
      series: [{ type: "pie", radius: ["28%", "52%"], center: ["50%", "42%"], data: items,
                 minShowLabelAngle: 12, labelLine: { show: false },
                 label: { position: "inside", formatter: "{c}", color: "#fff", fontSize: 11 } }]
    }, items.length ? "" : "没有数据。", "svg");
  }
  pie("chart-services", "帮扶服务（人次）", data.services);
  pie("chart-sources", "线索来源（件）", data.sources);
  chart("chart-budgets", {
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 56, right: 20, top: 36, bottom: 30 },
    xAxis: { type: "category", data: data.budget_years },
    yAxis: { type: "value", name: "万元" },
    series: [
      { name: "预算(万元)", type: "bar", data: data.budgeted, itemStyle: { color: "#adb5bd" } },
      { name: "实付(万元)", type: "bar", data: data.paid, itemStyle: { color: red } }
    ]
  }, data.budget_years.length ? "" : "没有预算记录。");

  var copy = document.getElementById("copy-press");
  if (copy) {
    copy.addEventListener("click", function () {
      var text = document.getElementById(copy.getAttribute("data-target")).textContent;
      var done = function () { document.getElementById("copy-done").classList.remove("d-none"); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done);
      } else {
        var area = document.createElement("textarea");
        area.value = text;
        document.body.appendChild(area);
        area.select();
        document.execCommand("copy");
        document.body.removeChild(area);
        done();
      }
    });
  }
})();
