// Jurisdiction boundaries: the caller's jurisdiction and everything below it. The first load
// frames the map on the caller's jurisdiction and takes its time zone.

import { addGeoJson, setData } from "../map.js";
import { setTimeZone } from "../i18n.js";
import { EVERYONE } from "../roles.js";

function bounds(features) {
  const box = [Infinity, Infinity, -Infinity, -Infinity];
  const visit = (coordinates) => {
    if (typeof coordinates[0] === "number") {
      box[0] = Math.min(box[0], coordinates[0]);
      box[1] = Math.min(box[1], coordinates[1]);
      box[2] = Math.max(box[2], coordinates[0]);
      box[3] = Math.max(box[3], coordinates[1]);
    } else coordinates.forEach(visit);
  };
  for (const feature of features) if (feature.geometry) visit(feature.geometry.coordinates);
  return Number.isFinite(box[0]) ? box : null;
}

export default {
  id: "boundaries",
  label: "layer.boundaries",
  roles: EVERYONE,
  layerIds: ["boundaries-fill", "boundaries-line"],

  async mount(ctx) {
    addGeoJson(ctx.map, "boundaries", [
      { id: "boundaries-fill", type: "fill", paint: { "fill-color": "#7aa6c2", "fill-opacity": 0.04 } },
      {
        id: "boundaries-line",
        type: "line",
        paint: {
          "line-color": "#9cc3db",
          "line-opacity": 0.7,
          "line-width": ["match", ["get", "level"], ["province", "city"], 2.5, ["district", "county"], 1.6, 0.8],
        },
      },
    ]);
    const collection = await ctx.api.get("/jurisdictions");
    const features = collection.features;
    setData(ctx.map, "boundaries", collection);
    const own = features.find((feature) => feature.properties.code === ctx.me.jurisdiction_code);
    if (own?.properties.timezone) setTimeZone(own.properties.timezone);
    const box = bounds(own ? [own] : features);
    if (box) ctx.map.fitBounds(box, { padding: 30, animate: false });
  },
};
