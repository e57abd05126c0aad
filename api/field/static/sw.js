// The field app's service worker. The API prepends SHELL_VERSION and SHELL_FILES (see
// api/field/routes.py). It keeps the app shell for offline starts and sends the outbox
// when the browser wakes it for a background sync, even with no page open.
import { flush } from "./js/outbox.js";

const SHELL_CACHE = `field-shell-${SHELL_VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then((cache) => cache.addAll(SHELL_FILES.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("field-shell-") && n !== SHELL_CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (event.request.mode === "navigate" && url.pathname.startsWith("/field")) {
    event.respondWith(shellFirst(new Request("/field/"), event.request));
  } else if (url.pathname.startsWith("/field/") && url.pathname !== "/field/config.json") {
    event.respondWith(shellFirst(event.request, event.request));
  }
});

/** The cached shell file, or the network when it is not cached (and nothing when offline). */
async function shellFirst(cacheKey, request) {
  const cached = await caches.match(cacheKey, { cacheName: SHELL_CACHE, ignoreSearch: true });
  return cached ?? fetch(request);
}

self.addEventListener("sync", (event) => {
  if (event.tag !== "field-outbox") return;
  event.waitUntil(
    flush({ force: true }).then((result) => {
      // rejecting asks the browser to fire the sync again later, with its own backoff
      if (result.offline) throw new Error("still offline");
    }),
  );
});
