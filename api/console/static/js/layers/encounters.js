// Encounters of the last 24 hours, clustered by the server on a grid of about 64 pixels:
// circles sized by count, counts written as HTML (no glyphs needed), no personal data.

import { addGeoJson, ClusterCounts, popupOn, setData, viewBox } from "../map.js";
import { debounce, el } from "../dom.js";
import { formatTime, t } from "../i18n.js";
import { COMMAND } from "../roles.js";

function popup(feature) {
  const p = feature.properties;
  return el(
    "div",
    { class: "popup" },
    el("strong", {}, p.count > 1 ? t("popup.encounters", { count: p.count }) : t(`outcome.${p.outcome}`)),
    el("div", { class: "muted" }, formatTime(p.latest_at)),
  );
}

export default {
  id: "encounters",
  label: "layer.encounters",
  roles: COMMAND,
  layerIds: ["encounters-circle"],

  mount(ctx) {
    this.counts = new ClusterCounts();
    this.controller = null;
    addGeoJson(ctx.map, "encounters", [
      {
        id: "encounters-circle",
        type: "circle",
        paint: {
          "circle-color": "#5ac8fa",
          "circle-opacity": 0.55,
          "circle-stroke-color": "#d7f1ff",
          "circle-stroke-width": 1,
          "circle-radius": ["interpolate", ["linear"], ["get", "count"], 1, 5, 10, 11, 100, 18, 1000, 26],
        },
      },
    ]);
    popupOn(ctx.map, "encounters-circle", popup);
    ctx.on("encounter.logged", debounce(() => this.onView(ctx), 2000));
  },

  setVisible(visible) {
    this.counts.setVisible(visible);
  },

  async onView(ctx) {
    this.controller?.abort();
    this.controller = new AbortController();
    const started = performance.now();
    try {
      const params = { bbox: viewBox(ctx.map).join(","), zoom: Math.floor(ctx.map.getZoom()) };
      const layer = await ctx.api.get("/console/layers/encounters", params, { signal: this.controller.signal });
      setData(ctx.map, "encounters", layer);
      this.counts.show(ctx.map, layer.features);
      ctx.stats.record("encounters", performance.now() - started, layer.encounters);
    } catch (error) {
      if (error.name !== "AbortError") throw error;
    }
  },
};
