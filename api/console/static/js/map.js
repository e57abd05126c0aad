// The map: MapLibre GL JS served from this server, an optional raster basemap from the
// settings, and no symbol layers (they would need glyphs and sprites from elsewhere): points
// are circle layers, text is HTML.

import { Map as MapLibreMap, Marker, NavigationControl, Popup, ScaleControl } from "../vendor/maplibre-gl/maplibre-gl.mjs";
import { el } from "./dom.js";

export const EMPTY = Object.freeze({ type: "FeatureCollection", features: [] });

function style(basemap) {
  const sources = {};
  const layers = [{ id: "background", type: "background", paint: { "background-color": "#1b232b" } }];
  if (basemap) {
    sources.basemap = {
      type: "raster",
      tiles: [basemap.url],
      tileSize: 256,
      maxzoom: basemap.max_zoom,
      attribution: basemap.attribution,
    };
    layers.push({ id: "basemap", type: "raster", source: "basemap", paint: { "raster-opacity": 0.85 } });
  }
  return { version: 8, sources, layers };
}

export function createMap(container, basemap) {
  const map = new MapLibreMap({
    container,
    style: style(basemap),
    center: [116.4, 35.0],
    zoom: 4,
    maxZoom: 20,
    attributionControl: basemap?.attribution ? { compact: true } : false,
    fadeDuration: 0,
  });
  map.addControl(new NavigationControl({ showCompass: false }), "top-left");
  map.addControl(new ScaleControl({ unit: "metric" }), "bottom-left");
  return map;
}

/** A GeoJSON source and its layers, added once the style is ready. */
export function addGeoJson(map, id, layers, options = {}) {
  map.addSource(id, { type: "geojson", data: EMPTY, ...options });
  for (const layer of layers) map.addLayer({ source: id, ...layer });
}

export function setData(map, id, data) {
  map.getSource(id)?.setData(data);
}

export function setVisible(map, layerIds, visible) {
  for (const layerId of layerIds) {
    if (map.getLayer(layerId)) map.setLayoutProperty(layerId, "visibility", visible ? "visible" : "none");
  }
}

/** minlon,minlat,maxlon,maxlat of the view grown by `margin` of its size on each side. */
export function viewBox(map, margin = 0.25) {
  const bounds = map.getBounds();
  const west = bounds.getWest();
  const east = bounds.getEast();
  const south = bounds.getSouth();
  const north = bounds.getNorth();
  const dx = (east - west) * margin;
  const dy = (north - south) * margin;
  const clamp = (value, limit) => Math.max(-limit, Math.min(limit, value));
  return [clamp(west - dx, 180), clamp(south - dy, 85), clamp(east + dx, 180), clamp(north + dy, 85)];
}

export function boxContains(outer, inner) {
  return outer && outer[0] <= inner[0] && outer[1] <= inner[1] && outer[2] >= inner[2] && outer[3] >= inner[3];
}

/** Show a popup built from DOM nodes when a feature of one of the layers is clicked. */
export function popupOn(map, layerId, render) {
  map.on("click", layerId, (event) => {
    const feature = event.features?.[0];
    if (!feature || map.drawing) return;
    new Popup({ closeButton: true, maxWidth: "320px" })
      .setLngLat(event.lngLat)
      .setDOMContent(render(feature))
      .addTo(map);
  });
  map.on("mouseenter", layerId, () => (map.getCanvas().style.cursor = "pointer"));
  map.on("mouseleave", layerId, () => (map.getCanvas().style.cursor = ""));
}

/** Cluster counts written as HTML markers (the map has no glyphs), on the `limit` biggest. */
export class ClusterCounts {
  constructor(limit = 80) {
    this.limit = limit;
    this.markers = [];
    this.visible = true;
  }

  show(map, features) {
    this.clear();
    const busiest = features
      .filter((feature) => feature.properties.count > 1)
      .sort((a, b) => b.properties.count - a.properties.count)
      .slice(0, this.limit);
    this.markers = busiest.map((feature) => {
      const element = el("div", { class: "cluster-count" }, feature.properties.count);
      element.hidden = !this.visible;
      return new Marker({ element }).setLngLat(feature.geometry.coordinates).addTo(map);
    });
  }

  clear() {
    for (const marker of this.markers) marker.remove();
    this.markers = [];
  }

  setVisible(visible) {
    this.visible = visible;
    for (const marker of this.markers) marker.getElement().hidden = !visible;
  }
}
