// Hotspots coloured by the time since their latest visit; overdue ones are large, red and
// ringed. Only the view (plus a margin) is requested, again after the map stops moving. A
// crowded view (a whole city) comes clustered by the server: each cluster is coloured by its
// most urgent hotspot and ringed when it holds an overdue one.

import { addGeoJson, boxContains, ClusterCounts, popupOn, setData, viewBox } from "../map.js";
import { debounce, el } from "../dom.js";
import { formatTime, t } from "../i18n.js";
import { HOTSPOT_VIEWERS } from "../roles.js";

export const STATE_COLOURS = {
  never: "#b04cff",
  overdue: "#ff3b30",
  due: "#ffb020",
  fresh: "#34c759",
};

const colour = ["match", ["get", "state"], ...Object.entries(STATE_COLOURS).flat(), "#8e8e93"];
const urgent = ["in", ["get", "state"], ["literal", ["overdue", "never"]]];
const cluster = ["has", "count"];
const holdsOverdue = [">", ["get", "overdue"], 0];

function clusterPopup(p) {
  return el(
    "div",
    { class: "popup" },
    el("strong", {}, t("popup.hotspots", { count: p.count })),
    ...Object.keys(STATE_COLOURS)
      .filter((state) => p[state] > 0)
      .map((state) => el("div", {}, `${t(`legend.${state}`)}: ${p[state]}`)),
    el("div", { class: "muted" }, t("popup.zoom_in")),
  );
}

function popup(feature) {
  const p = feature.properties;
  if (p.count !== undefined) return clusterPopup(p);
  const visit = p.last_visited_at
    ? t("popup.last_visit", { time: formatTime(p.last_visited_at), team: p.last_visited_by ?? "—" })
    : t("popup.never_visited");
  return el(
    "div",
    { class: "popup" },
    el("strong", {}, p.name),
    el("div", {}, `${t(`risk.${p.risk_level}`)} · ${t(`legend.${p.state}`)}`),
    el("div", {}, visit),
    el("div", { class: "muted" }, t("popup.allowed", { hours: p.allowed_hours })),
  );
}

export default {
  id: "hotspots",
  label: "layer.hotspots",
  roles: HOTSPOT_VIEWERS,
  layerIds: ["hotspots-circle", "hotspots-cluster"],
  legend: Object.keys(STATE_COLOURS).map((state) => [STATE_COLOURS[state], `legend.${state}`]),

  mount(ctx) {
    this.loaded = null;
    this.controller = null;
    this.counts = new ClusterCounts();
    addGeoJson(ctx.map, "hotspots", [
      {
        id: "hotspots-cluster",
        type: "circle",
        filter: cluster,
        paint: {
          "circle-color": colour,
          "circle-radius": ["interpolate", ["linear"], ["get", "count"], 2, 7, 10, 10, 100, 16, 1000, 24],
          "circle-stroke-color": ["case", holdsOverdue, "#ffffff", "#1b232b"],
          "circle-stroke-width": ["case", holdsOverdue, 2, 1],
          "circle-opacity": 0.85,
        },
      },
      {
        id: "hotspots-circle",
        type: "circle",
        filter: ["!", cluster],
        paint: {
          "circle-color": colour,
          "circle-radius": ["interpolate", ["linear"], ["zoom"], 8, ["case", urgent, 3.5, 2], 15, ["case", urgent, 9, 6]],
          "circle-stroke-color": ["case", urgent, "#ffffff", "#1b232b"],
          "circle-stroke-width": ["case", urgent, 1.5, 0.5],
          "circle-opacity": ["case", urgent, 1, 0.8],
        },
      },
    ]);
    popupOn(ctx.map, "hotspots-circle", popup);
    popupOn(ctx.map, "hotspots-cluster", popup);
    const reload = debounce(() => this.load(ctx, true), 1000);
    for (const kind of ["hotspot.created", "hotspot.updated", "hotspot.retired"]) ctx.on(kind, reload);
  },

  setVisible(visible) {
    this.counts.setVisible(visible);
  },

  onView(ctx) {
    return this.load(ctx, false);
  },

  /** Fetch the view unless the last answer holds every hotspot of it one by one. */
  async load(ctx, force) {
    const view = viewBox(ctx.map, 0);
    const last = this.loaded;
    if (!force && last && !last.truncated && !last.clustered && boxContains(last.box, view)) return;
    this.controller?.abort();
    this.controller = new AbortController();
    const box = viewBox(ctx.map);
    const started = performance.now();
    try {
      const params = { bbox: box.join(","), zoom: Math.floor(ctx.map.getZoom()) };
      const layer = await ctx.api.get("/console/layers/hotspots", params, { signal: this.controller.signal });
      setData(ctx.map, "hotspots", layer);
      this.counts.show(ctx.map, layer.clustered ? layer.features : []);
      this.loaded = { box, truncated: layer.truncated, clustered: layer.clustered };
      ctx.notice("hotspots", layer.truncated ? t("layer.truncated") : "");
      const drawn = layer.clustered ? layer.hotspots : layer.features.length;
      ctx.stats.record("hotspots", performance.now() - started, drawn, layer.features.length);
    } catch (error) {
      if (error.name !== "AbortError") throw error;
    }
  },
};
