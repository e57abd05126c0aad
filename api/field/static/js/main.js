// The field app: boots offline from the service worker's cache, shows what the phone knows,
// and keeps sending the outbox whenever the network lets it.
import { AuthError, login, loggedIn, logout } from "./api.js";
import { encounterForm } from "./encounter.js";
import { language, setLanguage, t } from "./i18n.js";
import { createMap, follow, show } from "./map.js";
import * as outbox from "./outbox.js";
import * as store from "./store.js";
import { state } from "./store.js";
import { h, toast } from "./ui.js";
import { handoversView, inboxView, loginView, mapLayers, myPosition, queueView, shiftHotspots, shiftView } from "./views.js";

const INBOX_POLL_MS = 15_000;
const REFRESH_MS = 120_000;
const FLUSH_TICK_MS = 10_000;

const view = document.getElementById("view");
const mapElement = h("div", { id: "map", class: "map", dataset: { testid: "map" } });
let map = null;
let screen = "shift"; // shift | encounter | queue | inbox | handovers | login
let editing = null; // the encounter form's arguments while it is open
let flushTimer = null;
let flushing = null;
let loginMessage = null;

// Screens ------------------------------------------------------------------------------------

async function render() {
  document.querySelectorAll("[data-i18n]").forEach((el) => (el.textContent = t(el.dataset.i18n)));
  document.getElementById("lang").textContent = language() === "zh" ? "EN" : "中文";
  await renderBadges();
  if (screen === "login") {
    view.replaceChildren(loginView({ onLogin: doLogin, message: loginMessage }));
  } else if (screen === "encounter") {
    view.replaceChildren(
      encounterForm({
        ...editing,
        onSaved: saveEncounter,
        onCancel: () => go(editing?.failed ? "queue" : "shift"),
      }),
    );
  } else if (screen === "queue") {
    view.replaceChildren(await queueView({ openFailedEncounter, sendNow: () => sync(true) }));
  } else if (screen === "inbox") {
    view.replaceChildren(inboxView());
  } else if (screen === "handovers") {
    view.replaceChildren(handoversView(render));
  } else {
    view.replaceChildren(shiftView({ mapElement, openEncounter, rerender: render }), navigation());
    drawMap();
  }
}

let renderPlanned = null;

/** Many changes in a row (GPS fixes, outbox writes) make one render. */
function renderSoon() {
  renderPlanned ??= setTimeout(() => {
    renderPlanned = null;
    render();
  }, 50);
}

function navigation() {
  return h(
    "nav",
    { class: "actions" },
    h("button", { type: "button", class: "big", dataset: { testid: "open-handovers" }, onclick: () => go("handovers") }, t("handovers")),
    h("button", { type: "button", class: "big", dataset: { testid: "logout" }, onclick: doLogout }, t("logout")),
  );
}

async function renderBadges() {
  const counts = await outbox.counts();
  const queue = document.getElementById("nav-queue");
  queue.textContent = t("queue_count", { n: counts.waiting }) + (counts.failed ? ` · ${t("queue_failed", { n: counts.failed })}` : "");
  queue.dataset.waiting = String(counts.waiting);
  queue.dataset.failed = String(counts.failed);
  const inbox = document.getElementById("nav-inbox");
  const open = store.unacknowledged().length;
  inbox.textContent = t("inbox_count", { n: open });
  inbox.dataset.open = String(open);
  const net = document.getElementById("net");
  net.dataset.state = state.online ? "online" : "offline";
  net.textContent = state.online ? t("online") : t("offline");
}

function go(next) {
  screen = next;
  if (next !== "encounter") editing = null;
  window.scrollTo(0, 0);
  render();
}

function openEncounter(hotspotId) {
  if (!state.shift) {
    toast(t("needs_shift"));
    return;
  }
  editing = { hotspotId };
  go("encounter");
}

function openFailedEncounter(item) {
  editing = { failed: item };
  screen = "encounter";
  render();
}

async function saveEncounter(body, failed) {
  if (failed) await outbox.resend(failed.seq, body);
  else await store.saveEncounter(body);
  go(failed ? "queue" : "shift");
  sync(Boolean(failed));
}

function drawMap() {
  const me = myPosition();
  if (!map) {
    const first = shiftHotspots(me)[0];
    const centre = me ?? (first ? firstCoordinate(first.geometry) : [116.397, 39.909]);
    map = createMap(mapElement, state.config, centre);
  } else {
    map.resize();
  }
  const layers = mapLayers(me);
  for (const [name, data] of Object.entries(layers)) show(map, name, data);
  if (me && state.shift) follow(map, me);
}

function firstCoordinate(geometry) {
  let coordinates = geometry.coordinates;
  while (Array.isArray(coordinates[0])) coordinates = coordinates[0];
  return coordinates;
}

// Login ----------------------------------------------------------------------------------------

async function doLogin(username, password) {
  unlockSound();
  state.me = await login(username, password);
  loginMessage = null;
  go("shift");
  await afterLogin();
}

async function doLogout() {
  await logout();
  screen = "login";
  render();
}

async function afterLogin() {
  store.resumeTracking();
  sync();
  await Promise.allSettled([store.refresh(), pollInbox()]);
}

function needLogin(message) {
  loginMessage = message;
  screen = "login";
  render();
}

// Sending the outbox -----------------------------------------------------------------------------

/** Send what waits (all of it when `force`), then plan the next try. */
async function sync(force = false) {
  if (flushing) {
    await flushing;
    if (!force) return;
  }
  flushing = (async () => {
    try {
      const result = await outbox.flush({ force });
      if (result.busy) return;
      if (result.authNeeded) needLogin(t("session_expired"));
      if (result.offline) {
        store.setOnline(false);
        outbox.askForBackgroundSync();
      }
      else if (result.sent) store.setOnline(true);
      if (result.sent || result.failed) afterSent();
      planNextFlush(result.waitUntil);
    } catch (error) {
      if (error instanceof AuthError) needLogin(t("session_expired"));
      else throw error;
    }
  })();
  try {
    await flushing;
  } finally {
    flushing = null;
  }
}

function planNextFlush(waitUntil) {
  clearTimeout(flushTimer);
  if (waitUntil) flushTimer = setTimeout(() => sync(), Math.max(500, waitUntil - Date.now()));
}

let lastRulesRefresh = 0;

/** After an upload: new server-made records (handovers from escorts), visits, and the rules
 * again if the server refused something for a rule this phone did not know. */
async function afterSent() {
  const tasks = [store.refreshHandovers(), store.refreshVisits()];
  const failed = (await outbox.items()).filter((i) => i.state === "failed");
  if (failed.some((i) => i.problem?.type?.endsWith("rule-broken")) && Date.now() - lastRulesRefresh > 60_000) {
    lastRulesRefresh = Date.now();
    tasks.push(store.refresh());
  }
  await Promise.allSettled(tasks);
  store.changed();
}

// Inbox and alerts ---------------------------------------------------------------------------

async function pollInbox() {
  if (!(await loggedIn())) return;
  try {
    const fresh = await store.pollInbox();
    store.setOnline(true);
    const critical = fresh.filter((item) => item.priority === "critical" && !item.acknowledged_at);
    if (critical.length) alarm(critical[critical.length - 1]);
  } catch (error) {
    if (error instanceof AuthError) needLogin(t("session_expired"));
  }
}

let audio = null;

/** Browsers let a page sound only after a tap: the first tap opens the audio context. */
function unlockSound() {
  try {
    audio ??= new AudioContext();
    audio.resume();
  } catch {
    audio = null;
  }
}

function beep() {
  if (!audio) return;
  const now = audio.currentTime;
  for (let i = 0; i < 3; i++) {
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = i % 2 ? 660 : 880;
    gain.gain.setValueAtTime(0.4, now + i * 0.35);
    gain.gain.exponentialRampToValueAtTime(0.001, now + i * 0.35 + 0.3);
    tone.connect(gain).connect(audio.destination);
    tone.start(now + i * 0.35);
    tone.stop(now + i * 0.35 + 0.3);
  }
}

function alarm(item) {
  navigator.vibrate?.([400, 150, 400, 150, 800]);
  beep();
  const banner = document.getElementById("alert");
  banner.replaceChildren(
    h("strong", {}, `${t("critical_alert")}：${item.title}`),
    h("p", {}, item.body),
    h(
      "button",
      {
        type: "button",
        class: "big primary",
        dataset: { testid: "ack-alert" },
        onclick: async () => {
          banner.hidden = true;
          await store.acknowledge(item);
          sync();
        },
      },
      t("acknowledge"),
    ),
  );
  banner.dataset.itemId = item.id;
  banner.hidden = false;
}

// Start ---------------------------------------------------------------------------------------

async function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  try {
    await navigator.serviceWorker.register("/field/sw.js", { scope: "/field/", type: "module" });
  } catch (error) {
    console.warn("service worker not registered", error);
  }
}

function wire() {
  document.getElementById("nav-home").addEventListener("click", () => go("shift"));
  document.getElementById("nav-queue").addEventListener("click", () => go("queue"));
  document.getElementById("nav-inbox").addEventListener("click", () => {
    go("inbox");
    pollInbox();
  });
  document.getElementById("lang").addEventListener("click", () => {
    setLanguage(language() === "zh" ? "en" : "zh");
    render();
  });
  document.addEventListener("click", unlockSound, { once: true });
  window.addEventListener("online", () => {
    store.setOnline(true);
    sync(true);
    pollInbox();
  });
  window.addEventListener("offline", () => store.setOnline(false));
  window.addEventListener("field:logout", doLogout);
  window.addEventListener("field:changed", () => {
    if (screen === "encounter" || screen === "login") renderBadges();
    else renderSoon();
  });
  new BroadcastChannel("field-outbox").addEventListener("message", () => {
    if (screen === "queue") render();
    else renderBadges();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") {
      sync();
      pollInbox();
    } else {
      outbox.counts().then((c) => c.waiting > c.failed && outbox.askForBackgroundSync());
    }
  });
  setInterval(() => sync(), FLUSH_TICK_MS);
  setInterval(pollInbox, INBOX_POLL_MS);
  setInterval(() => loggedIn().then((yes) => yes && store.refresh()), REFRESH_MS);
}

async function start() {
  setLanguage(language());
  registerServiceWorker();
  await store.loadCached();
  await store.loadConfig();
  wire();
  if (!(await loggedIn()) || !state.me) {
    screen = "login";
    await render();
    return;
  }
  await render();
  await afterLogin();
}

start();
