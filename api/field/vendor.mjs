// Copy the browser builds the field app serves from node_modules into static/vendor.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const files = {
  "maplibre-gl/dist/maplibre-gl.mjs": "maplibre-gl/maplibre-gl.mjs",
  "maplibre-gl/dist/maplibre-gl-worker.mjs": "maplibre-gl/maplibre-gl-worker.mjs",
  "maplibre-gl/dist/maplibre-gl.css": "maplibre-gl/maplibre-gl.css",
  "maplibre-gl/LICENSE.txt": "maplibre-gl/LICENSE.txt",
  "idb/build/index.js": "idb/index.js",
  "gcoord/dist/gcoord.esm-browser.prod.js": "gcoord/gcoord.js",
  "gcoord/LICENSE": "gcoord/LICENSE",
  "idb/LICENSE": "idb/LICENSE",
};
for (const [from, to] of Object.entries(files)) {
  const target = join(here, "static", "vendor", to);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(join(here, "node_modules", from), target);
  console.log(`static/vendor/${to}`);
}
