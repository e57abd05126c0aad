// The durable outbox: every write the officer makes waits here, under its client-made id,
// until the server has it. Order is kept: items go in the order they were made, and an item
// whose dependency failed waits with it. Retries back off with jitter; the server treats a
// repeated id as the same record, so a retry after a lost answer stores nothing twice.
import { AuthError, OfflineError, ProblemError, request } from "./api.js";
import { announceChange, db } from "./db.js";

export const BATCH_MAX = 1000; // points per track upload
export const BATCH_MIN = 100; // upload points once this many wait...
export const BATCH_WAIT_MS = 30_000; // ...or the oldest has waited this long
const BACKOFF_BASE_MS = 2_000;
const BACKOFF_CAP_MS = 5 * 60_000;

export function uuid() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Put a write in the outbox. `key` is the record's client-made id (a point's, an encounter's,
 * a shift's...); `deps` are keys of earlier items the server must have first.
 */
export async function enqueue({ key, kind, path = null, method = "POST", body, query = null, deps = [], meta = {} }) {
  const item = {
    key,
    kind,
    path,
    method,
    body,
    query,
    deps,
    meta,
    state: "pending",
    attempts: 0,
    nextAt: 0,
    createdAt: Date.now(),
    problem: null,
    lastError: null,
  };
  try {
    await (await db()).add("outbox", item);
  } catch (error) {
    if (error?.name !== "ConstraintError") throw error; // the same record already waits
  }
  announceChange();
}

export async function items() {
  return (await db()).getAll("outbox");
}

export async function counts() {
  const all = await items();
  const failed = all.filter((i) => i.state === "failed").length;
  return { waiting: all.length, failed, points: all.filter((i) => i.kind === "point").length };
}

/** A failed item, corrected (or as it was), goes back in line under the same id and place. */
export async function resend(seq, body) {
  const database = await db();
  const item = await database.get("outbox", seq);
  if (!item) return;
  Object.assign(item, { state: "pending", attempts: 0, nextAt: 0, problem: null, lastError: null });
  if (body !== undefined) item.body = body;
  await database.put("outbox", item);
  announceChange();
}

export async function discard(seq) {
  await (await db()).delete("outbox", seq);
  announceChange();
}

/** Ask the browser to wake the service worker to send the outbox once the network is back,
 * even if every page of the app is closed by then. */
export function askForBackgroundSync() {
  const sw = globalThis.navigator?.serviceWorker;
  if (!sw || globalThis.registration) return;
  sw.ready.then((registration) => registration.sync?.register("field-outbox")).catch(() => {});
}

/**
 * Send what waits, in order. Returns what happened: `sent`, `failed` (refused by the server
 * just now), `waitUntil` (when to try again),
 * `offline`, `authNeeded`. `force` sends points at once and ignores backoff waits (the
 * officer's "send now", the end of a shift, a background sync).
 */
export async function flush({ force = false } = {}) {
  const locks = globalThis.navigator?.locks;
  if (!locks) return flushInOrder(force);
  if (force) return locks.request("field-outbox", () => flushInOrder(force)); // wait for the other side
  return locks.request("field-outbox", { ifAvailable: true }, (lock) =>
    lock ? flushInOrder(force) : { sent: 0, busy: true },
  );
}

async function flushInOrder(force) {
  const all = await items();
  const blocked = new Set(all.filter((i) => i.state === "failed").map((i) => i.key));
  let sent = 0;
  let failed = 0;
  for (let index = 0; index < all.length; ) {
    const item = all[index];
    if (item.state === "failed") {
      index += 1;
      continue;
    }
    if (item.deps.some((key) => blocked.has(key))) {
      blocked.add(item.key);
      index += 1;
      continue;
    }
    if (!force && item.nextAt > Date.now()) return { sent, failed, waitUntil: item.nextAt };
    const group = item.kind === "point" ? pointRun(all, index) : [item];
    if (item.kind === "point" && !force && !pointsAreDue(all, index, group)) {
      return { sent, failed, waitUntil: group[0].createdAt + BATCH_WAIT_MS };
    }
    try {
      await deliver(group);
    } catch (error) {
      if (error instanceof AuthError) return { sent, failed, authNeeded: true };
      if (error instanceof OfflineError || (error instanceof ProblemError && error.transient)) {
        const waitUntil = await backOff(item, error);
        return { sent, failed, waitUntil, offline: error instanceof OfflineError };
      }
      if (!(error instanceof ProblemError)) throw error;
      if (group.length > 1 && (await failOffendingPoints(group, error))) return flushInOrder(force);
      await markFailed(group, error.problem);
      failed += group.length;
      group.forEach((refused) => blocked.add(refused.key));
      index += group.length;
      continue;
    }
    await remove(group);
    sent += group.length;
    index += group.length;
  }
  return { sent, failed, waitUntil: null };
}

function pointRun(all, start) {
  const shiftId = all[start].meta.shiftId;
  const run = [];
  for (let i = start; i < all.length && run.length < BATCH_MAX; i++) {
    const item = all[i];
    if (item.kind !== "point" || item.meta.shiftId !== shiftId || item.state !== "pending") break;
    run.push(item);
  }
  return run;
}

/** Points go in batches; anything queued behind them (an encounter...) sends them at once. */
function pointsAreDue(all, index, group) {
  const behind = all.slice(index + group.length).some((i) => i.state === "pending" && i.kind !== "point");
  return behind || group.length >= BATCH_MIN || Date.now() - group[0].createdAt >= BATCH_WAIT_MS;
}

async function deliver(group) {
  const [item] = group;
  if (item.kind === "point") {
    await request("POST", `/patrols/${item.meta.shiftId}/track`, { body: { points: group.map((p) => p.body) } });
    return;
  }
  if (item.kind === "handover.step") {
    await deliverHandoverStep(item);
    return;
  }
  await request(item.method, item.path, { body: item.body, query: item.query });
}

const HANDOVER_ORDER = ["requested", "accepted", "in_transit", "arrived", "handed_over", "closed"];

/** A handover step. A 409 may mean an earlier try got through (its answer lost) or the
 * receiver moved the handover on: then there is nothing left to send. */
async function deliverHandoverStep(item) {
  const { handoverId, step } = item.meta;
  try {
    await request("POST", `/handovers/${handoverId}/${step}`, { body: item.body, query: { datum: "wgs84" } });
  } catch (error) {
    if (!(error instanceof ProblemError) || error.status !== 409) throw error;
    const handover = await request("GET", `/handovers/${handoverId}`);
    if (HANDOVER_ORDER.indexOf(handover.state) < HANDOVER_ORDER.indexOf(step.replace("-", "_"))) throw error;
  }
}

async function backOff(item, error) {
  const attempts = item.attempts + 1;
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempts - 1));
  const nextAt = Date.now() + ceiling / 2 + Math.random() * (ceiling / 2);
  await update(item.seq, { attempts, nextAt, lastError: error.message });
  return nextAt;
}

async function markFailed(group, problem) {
  for (const item of group) await update(item.seq, { state: "failed", problem, attempts: item.attempts + 1 });
}

/** A track batch is all or nothing: the 422 names the offending points; those fail, the rest go again. */
async function failOffendingPoints(group, error) {
  if (error.status !== 422) return false;
  const offending = new Set();
  for (const entry of error.problem.errors ?? []) {
    const at = (entry.loc ?? []).indexOf("points");
    if (at >= 0 && Number.isInteger(entry.loc[at + 1])) offending.add(entry.loc[at + 1]);
  }
  if (!offending.size) return false;
  for (const index of offending) {
    const point = group[index];
    if (point) {
      const named = error.problem.errors.find((e) => e.loc?.[e.loc.indexOf("points") + 1] === index);
      const detail = named?.msg ?? error.message;
      await update(point.seq, { state: "failed", problem: { ...error.problem, detail } });
    }
  }
  return true;
}

async function update(seq, changes) {
  const database = await db();
  const item = await database.get("outbox", seq);
  if (item) await database.put("outbox", { ...item, ...changes });
  announceChange();
}

async function remove(group) {
  const tx = (await db()).transaction("outbox", "readwrite");
  await Promise.all([...group.map((item) => tx.store.delete(item.seq)), tx.done]);
  announceChange();
}

