// Live officer positions: loaded once, then moved by the event stream (no polling). A move
// after a quiet spell is drawn at the next frame; a burst (a whole fleet uploading) is
// coalesced into at most one redraw every REDRAW_MS, so the map keeps answering the
// dispatcher between redraws even where drawing a frame is slow (no GPU).

import { addGeoJson, popupOn, setData } from "../map.js";
import { el } from "../dom.js";
import { formatAge, t } from "../i18n.js";
import { COMMAND } from "../roles.js";

const STALE_CHECK_MS = 30_000;
const REDRAW_MS = 250;

function popup(feature) {
  const p = feature.properties;
  const age = (Date.now() - Date.parse(p.recorded_at)) / 1000;
  return el(
    "div",
    { class: "popup" },
    el("strong", {}, p.display_name),
    el("div", {}, p.team_call_sign ?? ""),
    el("div", { class: "muted" }, t("popup.position_age", { age: formatAge(age) })),
    p.battery_pct != null ? el("div", { class: "muted" }, t("popup.battery", { pct: p.battery_pct })) : null,
  );
}

export default {
  id: "positions",
  label: "layer.positions",
  roles: COMMAND,
  layerIds: ["positions-halo", "positions-circle"],

  async mount(ctx) {
    this.staleAfterMs = ctx.config.position_stale_s * 1000;
    this.officers = ctx.positions; // user id -> Feature, shared with the team list
    this.changed = new Set();
    this.pending = null;
    this.drawnAt = 0;
    addGeoJson(ctx.map, "positions", [
      {
        id: "positions-halo",
        type: "circle",
        paint: { "circle-radius": 11, "circle-color": "#0a84ff", "circle-opacity": ["case", ["get", "stale"], 0, 0.25] },
      },
      {
        id: "positions-circle",
        type: "circle",
        paint: {
          "circle-radius": 6,
          "circle-color": ["case", ["get", "stale"], "#8e8e93", "#0a84ff"],
          "circle-stroke-color": "#ffffff",
          "circle-stroke-width": 2,
        },
      },
    ]);
    popupOn(ctx.map, "positions-circle", popup);
    const started = performance.now();
    const collection = await ctx.api.get("/positions", { limit: 5000 });
    for (const feature of collection.features) this.officers.set(feature.properties.user_id, feature);
    this.draw(ctx);
    ctx.stats.record("positions", performance.now() - started, collection.features.length);
    ctx.on("position.updated", (data) => this.move(ctx, data));
    ctx.on("shift.ended", (data) => this.leave(ctx, data.shift_id));
    setInterval(() => this.draw(ctx), STALE_CHECK_MS);
  },

  move(ctx, data) {
    const known = this.officers.get(data.user_id);
    if (known && Date.parse(known.properties.recorded_at) > Date.parse(data.recorded_at)) return;
    this.officers.set(data.user_id, {
      type: "Feature",
      id: data.user_id,
      geometry: { type: "Point", coordinates: [data.lon, data.lat] },
      properties: {
        ...known?.properties,
        user_id: data.user_id,
        display_name: data.display_name,
        team_id: data.team_id,
        shift_id: data.shift_id,
        recorded_at: data.recorded_at,
        accuracy_m: data.accuracy_m,
        heading_deg: data.heading_deg,
        battery_pct: data.battery_pct ?? known?.properties.battery_pct,
      },
    });
    this.changed.add(data.user_id);
    const wait = Math.max(0, this.drawnAt + REDRAW_MS - performance.now());
    this.pending ??= setTimeout(() => requestAnimationFrame(() => this.draw(ctx)), wait);
  },

  leave(ctx, shiftId) {
    for (const [userId, feature] of this.officers) {
      if (feature.properties.shift_id === shiftId) this.officers.delete(userId);
    }
    this.draw(ctx);
  },

  draw(ctx) {
    clearTimeout(this.pending);
    this.pending = null;
    this.drawnAt = performance.now();
    const now = Date.now();
    const features = [];
    for (const feature of this.officers.values()) {
      feature.properties.stale = now - Date.parse(feature.properties.recorded_at) > this.staleAfterMs;
      features.push(feature);
    }
    setData(ctx.map, "positions", { type: "FeatureCollection", features });
    for (const userId of this.changed) ctx.stats.moved(userId, now);
    this.changed.clear();
    ctx.emit("positions.drawn");
  },
};
