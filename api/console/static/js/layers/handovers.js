// Handovers under way: a dashed line from where the escort was last seen to the receiving
// station or hospital, with the ETA in the popup.

import { addGeoJson, popupOn, setData } from "../map.js";
import { debounce, el } from "../dom.js";
import { formatTime, t } from "../i18n.js";
import { COMMAND } from "../roles.js";

function popup(feature) {
  const p = feature.properties;
  return el(
    "div",
    { class: "popup" },
    el("strong", {}, `${t(`handover.${p.kind}`)} → ${p.destination}`),
    el("div", {}, `${t(`state.${p.state}`)}${p.escort ? ` · ${p.escort}` : ""}`),
    el("div", {}, p.eta ? t("handovers.eta", { time: formatTime(p.eta) }) : ""),
    el("div", { class: "muted" }, t("handovers.deadline", { time: formatTime(p.deadline_at) })),
  );
}

export default {
  id: "handovers",
  label: "layer.handovers",
  roles: COMMAND,
  layerIds: ["handovers-line", "handovers-end"],

  mount(ctx) {
    addGeoJson(ctx.map, "handovers", [
      {
        id: "handovers-line",
        type: "line",
        filter: ["==", ["geometry-type"], "LineString"],
        paint: { "line-color": "#ff9f0a", "line-width": 3, "line-dasharray": [1.5, 1.5] },
      },
      {
        id: "handovers-end",
        type: "circle",
        filter: ["==", ["geometry-type"], "Point"],
        paint: { "circle-radius": 7, "circle-color": "#ff9f0a", "circle-stroke-color": "#fff", "circle-stroke-width": 1.5 },
      },
    ]);
    popupOn(ctx.map, "handovers-line", popup);
    popupOn(ctx.map, "handovers-end", popup);
    const reload = debounce(() => this.load(ctx), 500);
    ctx.on("handover.*", reload);
    return this.load(ctx);
  },

  async load(ctx) {
    setData(ctx.map, "handovers", await ctx.api.get("/console/layers/handovers"));
  },
};
