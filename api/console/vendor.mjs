// Copies the built MapLibre GL JS files from node_modules into static/vendor, where the API
// serves them: the console then needs neither npm nor a CDN at run time (closed networks).
// Run with `npm ci && npm run vendor` after changing the version in package.json.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, "node_modules", "maplibre-gl");
const target = join(here, "static", "vendor", "maplibre-gl");
const version = JSON.parse(readFileSync(join(source, "package.json"), "utf8")).version;

mkdirSync(target, { recursive: true });
for (const name of ["maplibre-gl.mjs", "maplibre-gl-worker.mjs"]) {
  // the source maps are not shipped, so their references are dropped
  const code = readFileSync(join(source, "dist", name), "utf8").replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n");
  writeFileSync(join(target, name), code);
}
copyFileSync(join(source, "dist", "maplibre-gl.css"), join(target, "maplibre-gl.css"));
copyFileSync(join(source, "LICENSE.txt"), join(target, "LICENSE.txt"));
writeFileSync(join(target, "VERSION"), `${version}\n`);
console.log(`maplibre-gl ${version} copied to ${target}`);
