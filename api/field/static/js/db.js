// The phone's own storage (IndexedDB): cached server data ("kv") and the outbox of writes.
// Used by the page and by the service worker alike.
import { openDB } from "../vendor/idb/index.js";

let opened;

export function db() {
  opened ??= openDB("patrol-field", 1, {
    upgrade(database) {
      database.createObjectStore("kv");
      const outbox = database.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
      outbox.createIndex("key", "key", { unique: true });
    },
  });
  return opened;
}

export async function kvGet(key) {
  return (await db()).get("kv", key);
}

export async function kvSet(key, value) {
  return (await db()).put("kv", value, key);
}

export async function kvDelete(key) {
  return (await db()).delete("kv", key);
}

const changes = new BroadcastChannel("field-outbox");

/** Tell every open page (and the service worker) that the outbox changed. */
export function announceChange() {
  changes.postMessage("changed");
}
