// Open public leads on the map (tips from the public, the hotlines, 12345 and Open311): red when
// urgent or about a minor, orange otherwise, with the response deadline counting down in the
// popup. Reloaded when a lead event arrives; duplicates and unplaced leads are not drawn.

import { addGeoJson, popupOn, setData } from "../map.js";
import { debounce, el } from "../dom.js";
import { t } from "../i18n.js";
import { COMMAND } from "../roles.js";

export const OPEN = ["new", "offered", "accepted", "arrived"];

/** "12 min left" or "5 min late" for a deadline. */
export function countdown(deadline) {
  const minutes = Math.round((Date.parse(deadline) - Date.now()) / 60_000);
  return minutes >= 0 ? t("leads.left", { minutes }) : t("leads.late", { minutes: -minutes });
}

function popup(feature) {
  const p = feature.properties;
  return el(
    "div",
    { class: "popup" },
    el("strong", {}, `${t("leads.number", { number: p.number })} · ${t(`lead.${p.status}`)}`),
    el("div", {}, p.description),
    el("div", { class: Date.parse(p.deadline_at) < Date.now() ? "late-text" : "muted" }, countdown(p.deadline_at)),
  );
}

export function features(leads) {
  return {
    type: "FeatureCollection",
    features: leads
      .filter((lead) => lead.place && lead.status !== "linked")
      .map((lead) => ({
        type: "Feature",
        id: lead.number,
        geometry: { type: "Point", coordinates: [lead.place.lon, lead.place.lat] },
        properties: {
          id: lead.id,
          number: lead.number,
          status: lead.status,
          description: lead.description.slice(0, 80),
          deadline_at: lead.deadline_at,
          hot: lead.urgency === "urgent" || lead.minor_involved,
        },
      })),
  };
}

export default {
  id: "leads",
  label: "layer.leads",
  roles: COMMAND,
  layerIds: ["leads-circle"],

  mount(ctx) {
    addGeoJson(ctx.map, "leads", [
      {
        id: "leads-circle",
        type: "circle",
        paint: {
          "circle-radius": 9,
          "circle-color": ["case", ["get", "hot"], "#ff3b30", "#ff9500"],
          "circle-stroke-color": "#ffffff",
          "circle-stroke-width": 2,
        },
      },
    ]);
    popupOn(ctx.map, "leads-circle", popup);
    const reload = debounce(() => this.load(ctx), 300);
    ctx.on("lead.*", reload);
    return this.load(ctx);
  },

  async load(ctx) {
    setData(ctx.map, "leads", features(await ctx.api.get("/leads", { status: OPEN })));
  },
};
