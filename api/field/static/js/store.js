// What the phone knows: cached server data (kept in IndexedDB so the app works offline) and
// the officer's actions, each of which becomes an outbox item under a client-made id.
import { OfflineError, ProblemError, request } from "./api.js";
import { kvGet, kvSet } from "./db.js";
import { startTracking, stopTracking, tracking } from "./gps.js";
import { toMapDatum } from "./map.js";
import { enqueue, uuid } from "./outbox.js";

export const state = {
  config: { basemap_url: null, basemap_datum: "wgs84", basemap_attribution: "" },
  me: null,
  teams: [],
  routes: [],
  shift: null, // { id, team_id, route_id, started_at }
  hotspots: [], // features, in the map's datum
  visited: new Set(),
  overdue: new Set(),
  sweepTasks: new Map(), // hotspot id -> pending task of my team
  rules: [],
  organisations: [],
  handovers: [],
  handoverCodes: {}, // handover id -> { code, expires_at }
  inbox: [],
  inboxCursor: null,
  answers: {}, // inbox item id -> what the officer answered
  fix: null, // last GPS fix, WGS84
  fixError: null,
  track: [], // this shift's kept fixes, in the map's datum
  pointsRecorded: 0,
  online: globalThis.navigator?.onLine ?? true,
};

const CACHED = ["me", "teams", "routes", "shift", "hotspots", "rules", "organisations", "handovers", "inbox", "inboxCursor", "answers", "pointsRecorded"];
const INBOX_KEEP = 200;

export function changed(what = "data") {
  window.dispatchEvent(new CustomEvent("field:changed", { detail: what }));
}

export async function loadCached() {
  for (const key of CACHED) {
    const value = await kvGet(key);
    if (value !== undefined) state[key] = value;
  }
  state.visited = new Set((await kvGet("visited")) ?? []);
  state.overdue = new Set((await kvGet("overdue")) ?? []);
  state.sweepTasks = new Map((await kvGet("sweepTasks")) ?? []);
  state.config = (await kvGet("config")) ?? state.config;
}

async function keep(key, value) {
  state[key] = value;
  await kvSet(key, value instanceof Set ? [...value] : value instanceof Map ? [...value] : value);
}

export async function loadConfig() {
  try {
    const response = await fetch("/field/config.json", { cache: "no-store" });
    if (response.ok) await keep("config", await response.json());
  } catch {
    // offline: the cached settings stay
  }
}

export function mapDatum() {
  return state.config.basemap_datum === "gcj02" ? "gcj02" : "wgs84";
}

export function myTeam() {
  return state.teams[0] ?? null;
}

/** Fetch everything the views show; each part on its own, so one failure spoils nothing else. */
export async function refresh() {
  const datum = mapDatum();
  const parts = [
    async () => keep("rules", await request("GET", "/encounters/rules")),
    async () => {
      const teams = await request("GET", "/teams");
      await keep("teams", teams.filter((team) => team.members.some((m) => m.id === state.me.id)));
    },
    async () => keep("routes", await request("GET", "/routes", { query: { datum } })),
    async () => {
      const found = await request("GET", "/organisations");
      await keep("organisations", found.features.map((f) => ({ id: f.id, name: f.properties.name, kind: f.properties.kind })));
    },
    async () => keep("hotspots", (await request("GET", "/hotspots", { query: { datum, limit: 1000 } })).features),
    async () => keep("overdue", new Set((await request("GET", "/coverage/overdue")).features.map((f) => f.id))),
    refreshSweepTasks,
    refreshVisits,
    refreshHandovers,
  ];
  const results = await Promise.allSettled(parts.map((part) => part()));
  noteNetwork(results);
  changed();
}

async function refreshSweepTasks() {
  const tasks = new Map();
  for (const sweep of await request("GET", "/sweeps")) {
    for (const task of await request("GET", `/sweeps/${sweep.id}/tasks`, { query: { mine: true } })) {
      if (task.status === "pending") tasks.set(task.hotspot_id, task);
    }
  }
  await keep("sweepTasks", tasks);
}

export async function refreshVisits() {
  if (!state.shift) return;
  try {
    const visits = await request("GET", `/patrols/${state.shift.id}/visits`);
    visits.forEach((visit) => state.visited.add(visit.hotspot_id));
    await keep("visited", state.visited);
  } catch (error) {
    if (!(error instanceof ProblemError && error.status === 404)) throw error; // 404: the start still waits
  }
}

export async function refreshHandovers() {
  await keep("handovers", await request("GET", "/handovers"));
}

function noteNetwork(results) {
  setOnline(!results.some((r) => r.status === "rejected" && r.reason instanceof OfflineError));
}

export function setOnline(online) {
  if (state.online !== online) {
    state.online = online;
    changed("network");
  }
}

// Inbox ------------------------------------------------------------------------------------

/** Poll the inbox from the last cursor; returns the items that are new to this phone. */
export async function pollInbox() {
  const page = await request("GET", "/inbox", { query: { after: state.inboxCursor, limit: 100 } });
  const known = new Set(state.inbox.map((item) => item.id));
  const fresh = page.items.filter((item) => !known.has(item.id));
  if (fresh.length) await keep("inbox", [...state.inbox, ...fresh].slice(-INBOX_KEEP));
  if (page.next) await keep("inboxCursor", page.next);
  if (fresh.length) changed("inbox");
  return fresh;
}

export function unacknowledged() {
  return state.inbox.filter((item) => !item.acknowledged_at && !state.answers[item.id]?.acked);
}

export async function acknowledge(item) {
  await enqueue({ key: `ack-${item.id}`, kind: "inbox.ack", path: `/inbox/${item.id}/ack`, body: {} });
  await answer(item, { acked: true });
}

async function answer(item, what) {
  await keep("answers", { ...state.answers, [item.id]: { ...state.answers[item.id], ...what } });
  changed("inbox");
}

/** accept | decline | arrive | close, for the lead an inbox item offers. */
export async function answerLead(item, action, body = {}) {
  const leadId = item.payload.lead_id;
  await enqueue({
    key: `lead-${action}-${leadId}-${uuid()}`,
    kind: `lead.${action}`,
    path: `/leads/${leadId}/${action}`,
    body: action === "arrive" ? { at: new Date().toISOString() } : body,
    deps: body.encounter_ids ?? [],
  });
  await answer(item, { lead: action });
  if (action === "accept" || action === "decline") await acknowledge(item);
}

// Shifts, GPS, check-ins -----------------------------------------------------------------------

export async function startShift(routeId, existing = null) {
  const team = myTeam();
  const shift = existing ?? { id: uuid(), team_id: team.id, route_id: routeId || null, started_at: new Date().toISOString() };
  if (!existing) {
    await enqueue({ key: shift.id, kind: "shift.start", path: "/patrols", body: shift });
  }
  await keep("shift", shift);
  await keep("visited", new Set());
  await keep("pointsRecorded", 0);
  state.track = [];
  resumeTracking();
  changed();
}

export function resumeTracking() {
  if (!state.shift || tracking()) return;
  startTracking(state.shift.id, {
    onFix(fix) {
      state.fix = fix;
      state.fixError = null;
      changed("fix");
    },
    onKept(fix) {
      state.track.push(toMapDatum(state.config, fix.lon, fix.lat));
      keep("pointsRecorded", state.pointsRecorded + 1).then(() => changed("fix"));
    },
    onError(error) {
      state.fixError = error.message || String(error.code);
      changed("fix");
    },
  });
}

export async function endShift() {
  const shift = state.shift;
  stopTracking();
  await enqueue({
    key: `end-${shift.id}`,
    kind: "shift.end",
    path: `/patrols/${shift.id}/end`,
    body: { ended_at: new Date().toISOString() },
    deps: [shift.id],
  });
  await keep("shift", null);
  state.track = [];
  changed();
}

export async function checkIn(hotspot) {
  const id = uuid();
  await enqueue({
    key: id,
    kind: "checkin",
    path: `/patrols/${state.shift.id}/checkins`,
    body: { id, hotspot_id: hotspot.id, at: new Date().toISOString() },
    deps: [state.shift.id],
    meta: { label: hotspot.properties.name },
  });
  state.visited.add(hotspot.id);
  await keep("visited", state.visited);
  changed();
}

export async function sweepDone(task, outcome) {
  await enqueue({ key: `sweep-${task.id}`, kind: "sweep.done", path: `/sweeps/tasks/${task.id}/done`, body: outcome });
  state.sweepTasks.delete(task.hotspot_id);
  await keep("sweepTasks", state.sweepTasks);
  changed();
}

// Encounters and handovers ---------------------------------------------------------------------

export async function saveEncounter(body) {
  await enqueue({
    key: body.id,
    kind: "encounter",
    path: "/encounters",
    query: { datum: "wgs84" },
    body,
    deps: body.shift_id ? [body.shift_id] : [],
    meta: { label: body.outcome },
  });
}

export async function handoverStep(handover, step) {
  const place = state.fix ? { lon: state.fix.lon, lat: state.fix.lat } : null;
  await enqueue({
    key: `${handover.id}-${step}`,
    kind: "handover.step",
    body: { place },
    deps: [handover.id],
    meta: { handoverId: handover.id, step },
  });
  handover.state = step.replace("-", "_");
  await keep("handovers", state.handovers);
  changed();
}

/** The one-time code the receiver types in; it comes from the server, so it needs a network. */
export async function handoverCode(handover) {
  const code = await request("POST", `/handovers/${handover.id}/code`);
  state.handoverCodes[handover.id] = code;
  changed();
  return code;
}
