// The console's entry point: configuration, login, the map, the modules a role may use, and
// the live event stream that keeps them current.

import { Api, ApiError } from "./api.js";
import { debounce, el } from "./dom.js";
import { LiveEvents } from "./events.js";
import { currentLanguage, onLanguageChange, setLanguage, setTimeZone, t, translate } from "./i18n.js";
import { createMap, setVisible } from "./map.js";
import { LAYERS, PANELS, forRole } from "./modules.js";
import { unlockAudio } from "./panels/alerts.js";

const VIEW_DEBOUNCE_MS = 250;

const config = await (await fetch("/console/config.json")).json();
setTimeZone(config.timezone);
const api = new Api({ base: config.api, datum: config.datum, onSignedOut: () => location.reload() });
const $ = (selector) => document.querySelector(selector);

/** Timings the console keeps about itself (read by the benchmark and the tests). */
const stats = {
  layers: {},
  movedAt: new Map(),
  alarms: 0,
  record(name, ms, count, features = count) {
    this.layers[name] = { ms: Math.round(ms), count, features, at: Date.now() };
  },
  moved(userId, at) {
    this.movedAt.set(userId, at);
  },
};
window.patrolConsole = { config, stats };

function showLogin(message = "") {
  $("#app").hidden = true;
  $("#login").hidden = false;
  $("#login-error").textContent = message;
  $("#username").focus();
}

$("#login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  unlockAudio();
  try {
    await api.login($("#username").value, $("#password").value);
    await start();
  } catch (error) {
    console.error(error);
    showLogin(t("login.failed", { detail: error.message }));
  }
});

for (const button of document.querySelectorAll(".language")) {
  button.addEventListener("click", () => setLanguage(currentLanguage() === "zh" ? "en" : "zh"));
}

function toast(text) {
  const note = el("div", { class: "toast" }, text);
  $("#toasts").append(note);
  setTimeout(() => note.remove(), 5000);
}

function bus() {
  const listeners = new Map();
  return {
    on(pattern, listener) {
      if (!listeners.has(pattern)) listeners.set(pattern, new Set());
      listeners.get(pattern).add(listener);
    },
    emit(kind, data) {
      const family = `${kind.split(".")[0]}.*`;
      for (const pattern of [kind, family]) for (const listener of listeners.get(pattern) ?? []) listener(data);
    },
  };
}

function context(map, me) {
  const events = bus();
  const panels = new Map();
  return {
    api,
    map,
    me,
    config,
    stats,
    positions: new Map(),
    on: events.on,
    emit: events.emit,
    onLanguage: onLanguageChange,
    toast,
    /** Await an API call; a refusal is shown to the user instead of thrown. */
    async guard(promise) {
      try {
        return await promise;
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        toast(t("error.generic", { detail: error.message }));
        return undefined;
      }
    },
    panel(module, ...extras) {
      const badge = el("span", { class: "badge" });
      const body = el("div", { class: "panel-body" });
      const section = el(
        "section",
        { class: "panel", id: `panel-${module.id}` },
        el("header", {}, el("h2", { "data-i18n": module.label }, t(module.label)), badge, ...extras),
        body,
      );
      panels.set(module.id, badge);
      $("#panels").append(section);
      return body;
    },
    badge(module, value) {
      const badge = panels.get(module.id);
      badge.textContent = value;
      badge.classList.toggle("hot", module.id === "alerts" && Number(value) > 0);
    },
    notice(layerId, text) {
      const notice = document.querySelector(`#layer-${layerId} .notice`);
      if (notice) notice.textContent = text;
    },
  };
}

function layerSwitch(ctx, module) {
  const box = el("input", {
    type: "checkbox",
    checked: true,
    onchange: (event) => {
      setVisible(ctx.map, module.layerIds, event.target.checked);
      module.setVisible?.(event.target.checked);
    },
  });
  const legend = (module.legend ?? []).map(([colour, key]) =>
    el("div", { class: "legend" }, el("span", { class: "swatch", style: `background:${colour}` }), el("span", { "data-i18n": key }, t(key))),
  );
  return el("li", { id: `layer-${module.id}` }, el("label", {}, box, el("span", { "data-i18n": module.label }, t(module.label))), legend, el("div", { class: "notice" }));
}

async function mountAll(ctx, modules) {
  for (const module of modules) {
    try {
      await module.mount(ctx);
    } catch (error) {
      console.error(`console module ${module.id}`, error);
      toast(t("error.generic", { detail: `${module.id}: ${error.message}` }));
    }
  }
}

async function start() {
  const me = await api.get("/auth/me");
  if (!config.roles.includes(me.role)) {
    api.forget();
    showLogin(t("login.role_refused", { role: me.role }));
    return;
  }
  $("#login").hidden = true;
  $("#app").hidden = false;
  $("#user").textContent = `${me.display_name} · `;
  $("#role").dataset.i18n = `role.${me.role}`;
  translate(document);

  const map = createMap("map", config.basemap);
  window.patrolConsole.map = map;
  await map.once("load");
  const ctx = context(map, me);

  // The stream starts first so that nothing published while the layers load is lost: its
  // events wait in a queue until every module listens.
  let waiting = [];
  const live = new LiveEvents(api, {
    onEvent: (kind, data) => (waiting ? waiting.push([kind, data]) : ctx.emit(kind, data)),
    onStatus: (connected) => {
      $("#stream").classList.toggle("live", connected);
      $("#stream").dataset.i18n = connected ? "stream.live" : "stream.offline";
      $("#stream").textContent = t($("#stream").dataset.i18n);
    },
  });
  live.start();

  const layers = forRole(LAYERS, me.role);
  const panels = forRole(PANELS, me.role);
  $("#layer-list").replaceChildren(...layers.filter((m) => m.layerIds.length).map((m) => layerSwitch(ctx, m)));
  await mountAll(ctx, layers);
  await mountAll(ctx, panels);
  for (const [kind, data] of waiting) ctx.emit(kind, data);
  waiting = null;

  // Layers limited to the view reload once the map has stopped moving for a moment.
  const viewers = layers.filter((module) => module.onView);
  let movedAt = performance.now();
  const viewChanged = async () => {
    await Promise.all(viewers.map((module) => module.onView(ctx).catch((error) => console.error(module.id, error))));
    stats.record("view", performance.now() - movedAt, viewers.length);
  };
  const settle = debounce(viewChanged, VIEW_DEBOUNCE_MS);
  map.on("moveend", () => {
    movedAt = performance.now();
    settle();
  });
  await viewChanged();
  $("#logout").onclick = async () => {
    live.stop();
    await api.logout();
    location.reload();
  };
  document.body.dataset.ready = "true";
}

translate(document);
if (api.signedIn) start().catch((error) => showLogin(error.message));
else showLogin();
