// One lazy Plotly for the whole site: instruments and cell plots share the same
// self-hosted bundle, loaded once, only when something needs to draw, and themed
// from Material's palette so charts follow the light/dark toggle.
(function () {
  "use strict";
  const site = (window.encyclopedia = window.encyclopedia || {});
  let plotlyPromise = null;

  // This script's own URL, read once while it runs: resolving the <script>'s
  // relative src later would use the page instant navigation has moved to.
  const SCRIPT_URL = (document.currentScript && document.currentScript.src) || location.href;

  function bundleUrl() {
    return new URL("../generated/vendor/plotly/plotly-basic.min.js", SCRIPT_URL).href;
  }

  site.loadPlotly = function () {
    if (window.Plotly) return Promise.resolve(window.Plotly);
    if (!plotlyPromise) {
      plotlyPromise = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = bundleUrl();
        script.async = true;
        script.onload = () => resolve(window.Plotly);
        script.onerror = () => {
          plotlyPromise = null;
          reject(new Error(site.t("chart.load_failed", { url: script.src })));
        };
        document.head.appendChild(script);
      });
    }
    return plotlyPromise;
  };

  function cssVar(name, fallback) {
    const value = getComputedStyle(document.body).getPropertyValue(name).trim();
    return value || fallback;
  }

  site.isDark = function () {
    return document.body.getAttribute("data-md-color-scheme") === "slate";
  };

  // Colours by role, shared by instruments ("primary" = the fixed/good curve) and cells.
  site.chartColours = function () {
    const dark = site.isDark();
    return {
      primary: dark ? "#5fd3b5" : "#00796b",
      secondary: dark ? "#a3a9b4" : "#6b7280",
      reference: dark ? "#fbbf24" : "#b45309",
      series: dark
        ? ["#5fd3b5", "#a3a9b4", "#fbbf24", "#93c5fd", "#f472b6"]
        : ["#00796b", "#6b7280", "#b45309", "#1d4ed8", "#be185d"],
    };
  };

  site.baseLayout = function () {
    const fg = cssVar("--md-default-fg-color", "#222");
    const grid = site.isDark() ? "rgba(255,255,255,0.12)" : "rgba(0,0,0,0.1)";
    return {
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      font: { color: fg, family: "inherit", size: 12 },
      margin: { l: 56, r: 16, t: 24, b: 44 },
      colorway: site.chartColours().series,
      xaxis: { gridcolor: grid, zerolinecolor: grid, automargin: true },
      yaxis: { gridcolor: grid, zerolinecolor: grid, automargin: true },
      legend: { orientation: "h", y: -0.22 },
      autosize: true,
      separators: site.plotlySeparators, // the reader's decimal mark on axes and hover labels
    };
  };

  site.plotConfig = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["select2d", "lasso2d"] };

  // Call back whenever the reader flips the palette, so charts can redraw in the new colours.
  const themeListeners = new Set();
  site.onThemeChange = function (callback) {
    themeListeners.add(callback);
    return () => themeListeners.delete(callback);
  };
  new MutationObserver(() => themeListeners.forEach((cb) => cb())).observe(document.body, {
    attributes: true,
    attributeFilter: ["data-md-color-scheme"],
  });
})();
