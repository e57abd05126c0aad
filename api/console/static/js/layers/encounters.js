// Encounters of the last 24 hours, clustered by the server on a grid of about 64 pixels:
// circles sized by count, counts written as HTML (no glyphs needed), no personal data.

import { Marker } from "../../vendor/maplibre-gl/maplibre-gl.mjs";
import { addGeoJson, popupOn, setData, viewBox } from "../map.js";
import { debounce, el } from "../dom.js";
import { formatTime, t } from "../i18n.js";
import { COMMAND } from "../roles.js";

const MAX_LABELS = 80;

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
    this.labels = [];
    this.controller = null;
    this.visible = true;
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
    this.visible = visible;
    for (const label of this.labels) label.getElement().hidden = !visible;
  },

  async onView(ctx) {
    this.controller?.abort();
    this.controller = new AbortController();
    const started = performance.now();
    try {
      const params = { bbox: viewBox(ctx.map).join(","), zoom: Math.floor(ctx.map.getZoom()) };
      const layer = await ctx.api.get("/console/layers/encounters", params, { signal: this.controller.signal });
      setData(ctx.map, "encounters", layer);
      this.writeCounts(ctx, layer.features);
      ctx.stats.record("encounters", performance.now() - started, layer.encounters);
    } catch (error) {
      if (error.name !== "AbortError") throw error;
    }
  },

  /** Counts on the busiest clusters as HTML markers. */
  writeCounts(ctx, features) {
    for (const label of this.labels) label.remove();
    const busiest = features
      .filter((feature) => feature.properties.count > 1)
      .sort((a, b) => b.properties.count - a.properties.count)
      .slice(0, MAX_LABELS);
    this.labels = busiest.map((feature) => {
      const element = el("div", { class: "cluster-count" }, feature.properties.count);
      element.hidden = !this.visible;
      return new Marker({ element }).setLngLat(feature.geometry.coordinates).addTo(ctx.map);
    });
  },
};
