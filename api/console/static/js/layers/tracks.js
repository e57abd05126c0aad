// Team tracks: the read-back of a shift's track for the teams chosen in the team list,
// extended live by the positions the event stream brings.

import { addGeoJson, setData } from "../map.js";
import { COMMAND } from "../roles.js";

export default {
  id: "tracks",
  label: "layer.tracks",
  roles: COMMAND,
  layerIds: ["tracks-line"],

  mount(ctx) {
    this.shifts = new Map(); // shift id -> Map(user id -> Feature)
    addGeoJson(ctx.map, "tracks", [
      {
        id: "tracks-line",
        type: "line",
        layout: { "line-join": "round", "line-cap": "round" },
        paint: { "line-color": "#64d2ff", "line-width": 2.5, "line-opacity": 0.85 },
      },
    ]);
    ctx.tracks = { show: (shiftId) => this.show(ctx, shiftId), hide: (shiftId) => this.hide(ctx, shiftId), shown: (id) => this.shifts.has(id) };
    ctx.on("position.updated", (data) => this.extend(ctx, data));
    ctx.on("shift.ended", (data) => this.hide(ctx, data.shift_id));
  },

  async show(ctx, shiftId) {
    const collection = await ctx.api.get(`/patrols/${shiftId}/track`);
    const lines = new Map();
    for (const feature of collection.features) {
      if (feature.geometry) lines.set(feature.properties.user_id, feature);
    }
    this.shifts.set(shiftId, lines);
    this.draw(ctx);
  },

  hide(ctx, shiftId) {
    if (this.shifts.delete(shiftId)) this.draw(ctx);
  },

  extend(ctx, data) {
    const lines = this.shifts.get(data.shift_id);
    if (!lines) return;
    const line = lines.get(data.user_id);
    if (line) line.geometry.coordinates.push([data.lon, data.lat]);
    else {
      lines.set(data.user_id, {
        type: "Feature",
        geometry: { type: "LineString", coordinates: [[data.lon, data.lat], [data.lon, data.lat]] },
        properties: { user_id: data.user_id },
      });
    }
    this.draw(ctx);
  },

  draw(ctx) {
    const features = [...this.shifts.values()].flatMap((lines) => [...lines.values()]);
    setData(ctx.map, "tracks", { type: "FeatureCollection", features });
  },
};
