/* The campaign dashboard's charts, built with the vendored Apache ECharts from the
 * JSON the page embeds (#dashboard-charts). A click on a segment that carries a
 * "url" opens the list counting it. Rendered as SVG so that print stays sharp. */
(function () {
  "use strict";

  var FONT = '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", ' +
    '"Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif';

  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function base(spec, palette) {
    return {
      color: palette,
      animation: false,
      textStyle: { fontFamily: FONT },
      tooltip: { trigger: spec.kind === "pie" ? "item" : "axis" },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true }
    };
  }

  function barOption(spec, palette, horizontal) {
    var option = base(spec, palette);
    var category = { type: "category", data: spec.categories, axisLabel: { interval: 0 } };
    var value = { type: "value", minInterval: 1 };
    if (horizontal) {
      category.inverse = true;
      category.axisLabel.width = 180;
      category.axisLabel.overflow = "truncate";
      option.xAxis = value;
      option.yAxis = category;
    } else {
      category.axisLabel.rotate = spec.categories.length > 4 ? 30 : 0;
      option.xAxis = category;
      option.yAxis = value;
    }
    if (spec.series.length > 1) option.legend = { top: 0 };
    option.series = spec.series.map(function (series) {
      return {
        type: "bar",
        name: series.name,
        data: series.data,
        label: { show: true, position: horizontal ? "right" : "top" }
      };
    });
    return option;
  }

  function pieOption(spec, palette) {
    var option = base(spec, palette);
    option.series = [{
      type: "pie",
      name: spec.series[0].name,
      radius: ["30%", "62%"],
      data: spec.series[0].data.filter(function (d) { return d.value > 0; }),
      label: { formatter: "{b}: {c}" }
    }];
    return option;
  }

  /* Open measures as a line over the week's sign-offs as bars; each point and bar opens its
   * list. The line's shaded area is a series of its own, silent and drawn beneath the bars,
   * so that it never takes a click meant for a bar (nor shows twice in the tooltip). */
  function burndownOption(spec, palette) {
    var option = base(spec, palette);
    var open = spec.series[0];
    option.legend = { top: 0, data: [open.name, spec.series[1].name] };
    option.xAxis = { type: "category", data: spec.categories };
    option.yAxis = { type: "value", minInterval: 1 };
    option.series = [
      { type: "line", name: open.name, data: open.data, z: 4,
        showSymbol: spec.categories.length < 60 },
      { type: "bar", name: spec.series[1].name, data: spec.series[1].data, z: 3 },
      { type: "line", name: open.name, z: 1, silent: true, symbol: "none",
        data: open.data.map(function (d) { return d.value; }),
        color: palette[0], lineStyle: { opacity: 0 }, areaStyle: { opacity: 0.15 },
        tooltip: { show: false } }
    ];
    return option;
  }

  function optionFor(spec, palette) {
    if (spec.kind === "pie") return pieOption(spec, palette);
    if (spec.kind === "burndown") return burndownOption(spec, palette);
    return barOption(spec, palette, spec.kind === "hbar");
  }

  function build() {
    var specs = read("dashboard-charts");
    if (!specs || typeof echarts === "undefined") return;
    var palette = read("dashboard-palette") || [];
    var charts = {};
    document.querySelectorAll("[data-chart]").forEach(function (node) {
      var spec = specs[node.dataset.chart];
      if (!spec) return;
      var chart = echarts.init(node, null, { renderer: "svg" });
      chart.setOption(optionFor(spec, palette));
      chart.on("click", function (params) {
        if (params.data && params.data.url) window.location.assign(params.data.url);
      });
      charts[node.dataset.chart] = chart;
    });
    window.rectifyDashboard = charts;
    function resize() {
      Object.keys(charts).forEach(function (key) { charts[key].resize(); });
    }
    window.addEventListener("resize", resize);
    window.addEventListener("beforeprint", resize);
    window.addEventListener("afterprint", resize);
    var print = document.getElementById("dashboard-print");
    if (print) print.addEventListener("click", function () { window.print(); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", build);
  else build();
})();
