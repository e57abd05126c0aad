// Drawing a polygon on the map: click to add corners, double-click (or finish()) to close it,
// Escape to cancel. Corners are in the map's datum, which is the basemap's.

import { EMPTY, addGeoJson, setData } from "./map.js";

const SOURCE = "drawing";

export function drawPolygon(map, { onChange, onFinish, onCancel }) {
  const corners = [];
  if (!map.getSource(SOURCE)) {
    addGeoJson(map, SOURCE, [
      { id: "drawing-fill", type: "fill", filter: ["==", ["geometry-type"], "Polygon"], paint: { "fill-color": "#ffd60a", "fill-opacity": 0.15 } },
      { id: "drawing-line", type: "line", paint: { "line-color": "#ffd60a", "line-width": 2 } },
      { id: "drawing-corner", type: "circle", filter: ["==", ["geometry-type"], "Point"], paint: { "circle-radius": 4, "circle-color": "#ffd60a" } },
    ]);
  }

  const render = () => {
    const features = corners.map((corner) => ({ type: "Feature", geometry: { type: "Point", coordinates: corner }, properties: {} }));
    if (corners.length >= 3) {
      features.push({ type: "Feature", geometry: { type: "Polygon", coordinates: [[...corners, corners[0]]] }, properties: {} });
    } else if (corners.length === 2) {
      features.push({ type: "Feature", geometry: { type: "LineString", coordinates: corners }, properties: {} });
    }
    setData(map, SOURCE, { type: "FeatureCollection", features });
    onChange?.(corners.length);
  };

  const click = (event) => {
    corners.push([event.lngLat.lng, event.lngLat.lat]);
    render();
  };
  const doubleClick = (event) => {
    event.preventDefault();
    finish();
  };
  const key = (event) => {
    if (event.key === "Escape") cancel();
    if (event.key === "Enter") finish();
  };

  const stop = () => {
    map.off("click", click);
    map.off("dblclick", doubleClick);
    document.removeEventListener("keydown", key);
    map.doubleClickZoom.enable();
    map.drawing = false;
    map.getCanvas().style.cursor = "";
    setData(map, SOURCE, EMPTY);
  };

  function finish() {
    // a double-click also fired two clicks: drop the repeated corner it left behind
    const unique = corners.filter((c, i) => i === 0 || c[0] !== corners[i - 1][0] || c[1] !== corners[i - 1][1]);
    if (unique.length < 3) return false;
    stop();
    onFinish({ type: "Polygon", coordinates: [[...unique, unique[0]]] });
    return true;
  }

  function cancel() {
    stop();
    onCancel?.();
  }

  map.drawing = true; // popups keep quiet while corners are placed
  map.doubleClickZoom.disable();
  map.getCanvas().style.cursor = "crosshair";
  map.on("click", click);
  map.on("dblclick", doubleClick);
  document.addEventListener("keydown", key);
  render();
  return { finish, cancel };
}
