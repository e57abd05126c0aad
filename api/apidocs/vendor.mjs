// Copies Swagger UI's built files from node_modules into static, where the API serves them at
// /docs/static: the API docs then need neither npm nor a CDN at run time (closed networks).
// Run with `npm ci && npm run vendor` after changing the version in package.json.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, "node_modules", "swagger-ui-dist");
const target = join(here, "static");
const version = JSON.parse(readFileSync(join(source, "package.json"), "utf8")).version;

mkdirSync(target, { recursive: true });
// the source maps are not shipped, so their references are dropped
for (const name of ["swagger-ui-bundle.js", "swagger-ui.css"]) {
  const code = readFileSync(join(source, name), "utf8").replace(/\n\/[/*]# sourceMappingURL=.*\s*$/, "\n");
  writeFileSync(join(target, name), code);
}
copyFileSync(join(source, "favicon-32x32.png"), join(target, "favicon-32x32.png"));
copyFileSync(join(source, "LICENSE"), join(target, "LICENSE"));
writeFileSync(join(target, "VERSION"), `${version}\n`);
console.log(`swagger-ui-dist ${version} copied to ${target}`);
