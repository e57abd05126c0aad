// Open sweeps: their areas, and each hotspot task coloured by its state.

import { addGeoJson, popupOn, setData } from "../map.js";
import { debounce, el } from "../dom.js";
import { formatTime, t } from "../i18n.js";
import { COMMAND } from "../roles.js";

const LEVEL_COLOURS = ["match", ["get", "level"], "blue", "#0a84ff", "yellow", "#ffd60a", "orange", "#ff9f0a", "red", "#ff453a", "#aaaaaa"];

function popup(feature) {
  const p = feature.properties;
  return el(
    "div",
    { class: "popup" },
    el("strong", {}, p.hotspot_name),
    el("div", {}, `${t(`task.${p.status}`)} · ${p.team_call_sign ?? t("sweeps.unassigned")}`),
    p.done_at ? el("div", { class: "muted" }, formatTime(p.done_at)) : null,
  );
}

export default {
  id: "sweeps",
  label: "layer.sweeps",
  roles: COMMAND,
  layerIds: ["sweep-areas-fill", "sweep-areas-line", "sweep-tasks-circle"],

  mount(ctx) {
    addGeoJson(ctx.map, "sweep-areas", [
      { id: "sweep-areas-fill", type: "fill", paint: { "fill-color": LEVEL_COLOURS, "fill-opacity": 0.08 } },
      { id: "sweep-areas-line", type: "line", paint: { "line-color": LEVEL_COLOURS, "line-width": 2, "line-dasharray": [3, 2] } },
    ]);
    addGeoJson(ctx.map, "sweep-tasks", [
      {
        id: "sweep-tasks-circle",
        type: "circle",
        paint: {
          "circle-radius": 7,
          "circle-color": "rgba(0,0,0,0)",
          "circle-stroke-width": 2.5,
          "circle-stroke-color": ["match", ["get", "status"], "done", "#34c759", "#ffd60a"],
        },
      },
    ]);
    popupOn(ctx.map, "sweep-tasks-circle", popup);
    const reload = debounce(() => this.load(ctx), 300);
    for (const kind of ["sweep.started", "sweep.progress", "sweep.closed", "sweep.tasks"]) ctx.on(kind, reload);
    ctx.on("sweeps.changed", reload);
    return this.load(ctx);
  },

  async load(ctx) {
    const started = performance.now();
    const [sweeps, tasks] = await Promise.all([ctx.api.get("/sweeps"), ctx.api.get("/console/layers/sweep-tasks")]);
    setData(ctx.map, "sweep-areas", {
      type: "FeatureCollection",
      features: sweeps.map((sweep) => ({
        type: "Feature",
        id: sweep.id,
        geometry: sweep.area,
        properties: { sweep_id: sweep.id, level: sweep.level, kind: sweep.kind },
      })),
    });
    setData(ctx.map, "sweep-tasks", tasks);
    ctx.stats.record("sweeps", performance.now() - started, tasks.features.length);
  },
};
