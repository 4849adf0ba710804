// Crossfade's dashboard: progressive enhancement of server-rendered pages. Without this file every read
// page still shows its numbers and tables; with it, times read in the viewer's zone and graphs draw.
(function () {
  "use strict";

  var outcomeColours = { ok: "rgba(0,114,178,0.18)", bad: "rgba(213,94,0,0.28)", back: "rgba(230,159,0,0.28)", running: "rgba(86,180,233,0.25)", queued: "rgba(120,120,120,0.15)" };
  var outcomeMarks = { ok: "\u2713", bad: "\u2715", back: "\u21A9", running: "\u25B6", queued: "\u29D7" };

  // The viewer's time zone, for pages the server renders by the hour (the quiet-hours heatmap).
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone) document.cookie = "crossfade_tz=" + encodeURIComponent(zone) + "; path=/; SameSite=Strict; max-age=31536000";
  } catch (e) { /* an old browser keeps UTC */ }

  // One formatter each, made once: toLocaleString() builds a new one per call, slow on a page of 300 hosts.
  var longFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
  var shortFormat = new Intl.DateTimeFormat(undefined, { timeStyle: "medium" });

  function localTimes(root) {
    root.querySelectorAll("time[datetime]").forEach(function (el) {
      if (el.dataset.local) return;
      var d = new Date(el.getAttribute("datetime"));
      if (isNaN(d)) return;
      el.title = "UTC " + d.toISOString().replace("T", " ").replace(/\.\d+Z$/, "");
      el.textContent = (el.classList.contains("short") ? shortFormat : longFormat).format(d);
      el.dataset.local = "1";
    });
  }

  function bandsPlugin(bands) {
    return {
      hooks: {
        drawClear: [function (u) {
          var ctx = u.ctx, top = u.bbox.top, height = u.bbox.height;
          ctx.save();
          bands.forEach(function (b) {
            var x0 = u.valToPos(b.s, "x", true), x1 = u.valToPos(Math.max(b.e, b.s + 1), "x", true);
            if (x1 < u.bbox.left || x0 > u.bbox.left + u.bbox.width) return;
            x0 = Math.max(x0, u.bbox.left); x1 = Math.min(x1, u.bbox.left + u.bbox.width);
            ctx.fillStyle = outcomeColours[b.o] || outcomeColours.queued;
            ctx.fillRect(x0, top, Math.max(x1 - x0, 2 * devicePixelRatio), height);
            ctx.fillStyle = "#333";
            ctx.font = (11 * devicePixelRatio) + "px sans-serif";
            ctx.fillText(outcomeMarks[b.o] || "", x0 + 2, top + 12 * devicePixelRatio);
          });
          ctx.restore();
        }],
        // At "init", while the chart is built: a click that comes at once (no frame drawn yet) still finds its listener.
        init: [function (u) {
          // In pixels, with a few to spare: a deploy of seconds on a month's graph is a hair's width.
          u.over.addEventListener("click", function (ev) {
            var px = ev.clientX - u.over.getBoundingClientRect().left;
            var hit = bands.find(function (b) {
              return px >= u.valToPos(b.s, "x") - 4 && px <= u.valToPos(Math.max(b.e, b.s), "x") + 4;
            });
            if (hit) window.location.href = "/deploys/" + hit.id;
          });
          u.over.style.cursor = "crosshair";
        }],
      },
    };
  }

  function chart(el, title, series, columns, bands, sync, range) {
    var width = Math.max(el.clientWidth || 600, 300);
    var opts = {
      title: title, width: width, height: 170,
      cursor: { sync: { key: sync } },
      scales: { x: range ? { time: true, auto: false, range: range } : { time: true } },
      series: [{}].concat(series),
      axes: [{}, { size: 60 }],
      plugins: bands ? [bandsPlugin(bands)] : [],
    };
    var holder = document.createElement("div");
    holder.className = "plot";
    el.appendChild(holder);
    return new uPlot(opts, columns, holder);
  }

  function requestCharts(root) {
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.drawn || typeof uPlot === "undefined") return;
      el.dataset.drawn = "1";
      var d = JSON.parse(el.getAttribute("data-chart"));
      var key = "env-" + Math.random();
      el.plots = [];
      el.plots.push(chart(el, "Requests per second", [{ label: "req/s", stroke: "#0072B2", width: 2 }], [d.t, d.rps], d.bands, key, [d.from, d.to]));
      el.plots.push(chart(el, "5xx responses (%)", [{ label: "5xx %", stroke: "#D55E00", width: 2 }], [d.t, d.err], d.bands, key, [d.from, d.to]));
      el.plots.push(chart(el, "Response time (ms)", [
        { label: "p50", stroke: "#009E73", width: 1.5 },
        { label: "p95", stroke: "#E69F00", width: 2, dash: [6, 3] },
        { label: "p99", stroke: "#CC79A7", width: 1.5, dash: [2, 3] },
      ], [d.t, d.p50, d.p95, d.p99], d.bands, key, [d.from, d.to]));
    });
    root.querySelectorAll("[data-judge-chart]").forEach(function (el) {
      if (el.dataset.drawn || typeof uPlot === "undefined") return;
      el.dataset.drawn = "1";
      var d = JSON.parse(el.getAttribute("data-judge-chart"));
      var key = "judge-" + Math.random();
      chart(el, "5xx (%) by minute: candidate " + d.candidate + " vs baseline " + d.baseline, [
        { label: "candidate", stroke: "#D55E00", width: 2, points: { size: 8 } },
        { label: "baseline", stroke: "#0072B2", width: 2, dash: [6, 3], points: { size: 8 } },
      ], [d.t, d.candErr, d.baseErr], null, key, [d.from, d.to]);
      chart(el, "p95 (ms) by minute: candidate vs baseline", [
        { label: "candidate", stroke: "#D55E00", width: 2, points: { size: 8 } },
        { label: "baseline", stroke: "#0072B2", width: 2, dash: [6, 3], points: { size: 8 } },
      ], [d.t, d.candP95, d.baseP95], null, key, [d.from, d.to]);
    });
  }

  function followLogs(root) {
    root.querySelectorAll(".log").forEach(function (el) { el.scrollTop = el.scrollHeight; });
  }

  function enhance(root) {
    localTimes(root);
    requestCharts(root);
    followLogs(root);
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:load", function (ev) { enhance(ev.target); });
  document.addEventListener("htmx:afterSwap", function (ev) { enhance(ev.target); });
})();
