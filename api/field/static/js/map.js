// The map: MapLibre GL JS served by the API, an optional raster basemap, and the shift's
// layers drawn without glyphs or sprites (fills, lines and circles only).
import * as maplibregl from "../vendor/maplibre-gl/maplibre-gl.mjs";
import gcoord from "../vendor/gcoord/gcoord.js";

const EMPTY = { type: "FeatureCollection", features: [] };
const COLOURS = ["match", ["get", "state"], "visited", "#3fb950", "overdue", "#f85149", "sweep", "#d29922", "#58a6ff"];

/** A WGS84 fix as the basemap draws it. */
export function toMapDatum(config, lon, lat) {
  if (config.basemap_datum !== "gcj02") return [lon, lat];
  return gcoord.transform([lon, lat], gcoord.WGS84, gcoord.GCJ02);
}

export function createMap(container, config, center) {
  const style = {
    version: 8,
    sources: {},
    layers: [{ id: "background", type: "background", paint: { "background-color": "#1c2430" } }],
  };
  if (config.basemap_url) {
    style.sources.basemap = {
      type: "raster",
      tiles: [config.basemap_url],
      tileSize: 256,
      attribution: config.basemap_attribution || "",
    };
    style.layers.push({ id: "basemap", type: "raster", source: "basemap" });
  }
  let map;
  try {
    map = new maplibregl.Map({ container, style, center, zoom: 15, attributionControl: false });
  } catch (error) {
    container.textContent = String(error.message || error);
    return null;
  }
  if (config.basemap_attribution) map.addControl(new maplibregl.AttributionControl({ compact: true }));
  map.on("load", () => {
    for (const name of ["route", "hotspots", "track", "me"]) map.addSource(name, { type: "geojson", data: EMPTY });
    map.addLayer({ id: "route", type: "line", source: "route", paint: { "line-color": "#58a6ff", "line-width": 3, "line-dasharray": [2, 1] } });
    map.addLayer({ id: "hotspot-fill", type: "fill", source: "hotspots", paint: { "fill-color": COLOURS, "fill-opacity": 0.3 } });
    map.addLayer({ id: "hotspot-edge", type: "line", source: "hotspots", paint: { "line-color": COLOURS, "line-width": 2 } });
    map.addLayer({ id: "track", type: "line", source: "track", paint: { "line-color": "#f0f6fc", "line-width": 3 } });
    map.addLayer({ id: "me", type: "circle", source: "me", paint: { "circle-radius": 9, "circle-color": "#ffb020", "circle-stroke-color": "#0d1117", "circle-stroke-width": 3 } });
    map.getContainer().dataset.ready = "true";
    map.fire("field:ready");
  });
  return map;
}

export function show(map, name, data) {
  if (!map) return;
  const apply = () => map.getSource(name)?.setData(data ?? EMPTY);
  if (map.getSource(name)) apply();
  else map.once("field:ready", apply);
}

export function follow(map, lonLat) {
  if (map) map.jumpTo({ center: lonLat });
}

/** A hotspot's area as a polygon: its own, or its circle of radius_m drawn with 48 sides. */
export function area(feature) {
  const geometry = feature.geometry;
  if (geometry.type !== "Point") return geometry;
  const [lon, lat] = geometry.coordinates;
  const radius = feature.properties.radius_m || 30;
  const ring = [];
  for (let i = 0; i <= 48; i++) {
    const angle = (i / 48) * 2 * Math.PI;
    const dLat = (radius * Math.sin(angle)) / 111_320;
    const dLon = (radius * Math.cos(angle)) / (111_320 * Math.cos((lat * Math.PI) / 180));
    ring.push([lon + dLon, lat + dLat]);
  }
  return { type: "Polygon", coordinates: [ring] };
}
