// Hotspots coloured by the time since their latest visit; overdue ones are large, red and
// ringed. Only the view (plus a margin) is requested, again after the map stops moving.

import { addGeoJson, boxContains, popupOn, setData, viewBox } from "../map.js";
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

function popup(feature) {
  const p = feature.properties;
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
  layerIds: ["hotspots-circle"],
  legend: Object.keys(STATE_COLOURS).map((state) => [STATE_COLOURS[state], `legend.${state}`]),

  mount(ctx) {
    this.loaded = null;
    this.controller = null;
    addGeoJson(ctx.map, "hotspots", [
      {
        id: "hotspots-circle",
        type: "circle",
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
    const reload = debounce(() => this.load(ctx, true), 1000);
    for (const kind of ["hotspot.created", "hotspot.updated", "hotspot.retired"]) ctx.on(kind, reload);
  },

  onView(ctx) {
    return this.load(ctx, false);
  },

  /** Fetch the view unless the last answer already covers it completely. */
  async load(ctx, force) {
    const view = viewBox(ctx.map, 0);
    if (!force && this.loaded && !this.loaded.truncated && boxContains(this.loaded.box, view)) return;
    this.controller?.abort();
    this.controller = new AbortController();
    const box = viewBox(ctx.map);
    const started = performance.now();
    try {
      const layer = await ctx.api.get("/console/layers/hotspots", { bbox: box.join(",") }, { signal: this.controller.signal });
      setData(ctx.map, "hotspots", layer);
      this.loaded = { box, truncated: layer.truncated };
      ctx.notice("hotspots", layer.truncated ? t("layer.truncated") : "");
      ctx.stats.record("hotspots", performance.now() - started, layer.features.length);
    } catch (error) {
      if (error.name !== "AbortError") throw error;
    }
  },
};
