// The screens: login, the shift (map and hotspots), the outbox, the inbox and handovers.
import { request } from "./api.js";
import { t } from "./i18n.js";
import { metres } from "./gps.js";
import { area, toMapDatum } from "./map.js";
import * as outbox from "./outbox.js";
import * as store from "./store.js";
import { state } from "./store.js";
import { field, h, time, toast } from "./ui.js";

// Login ----------------------------------------------------------------------------------------

export function loginView({ onLogin, message }) {
  const username = h("input", { id: "username", name: "username", autocomplete: "username", required: true });
  const password = h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true });
  const status = h("p", { class: "problem", dataset: { testid: "login-problem" } }, message ?? "");
  const form = h(
    "form",
    { class: "login" },
    h("h2", {}, t("login_title")),
    field(t("username"), username, "username"),
    field(t("password"), password, "password"),
    status,
    h("button", { type: "submit", class: "big primary", dataset: { testid: "login" } }, t("login")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.textContent = "";
    try {
      await onLogin(username.value.trim(), password.value);
    } catch (error) {
      status.textContent = t("login_failed", { d: error.message });
    }
  });
  return form;
}

// The shift ------------------------------------------------------------------------------------

let chosenRoute = ""; // the route picked before the shift starts

function inside(feature, lonLat) {
  const geometry = area(feature);
  const rings = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
  return rings.some(([ring]) => {
    let hit = false;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if (yi > lonLat[1] !== yj > lonLat[1] && lonLat[0] < ((xj - xi) * (lonLat[1] - yi)) / (yj - yi) + xi) hit = !hit;
    }
    return hit;
  });
}

function centre(feature) {
  const geometry = feature.geometry;
  if (geometry.type === "Point") return geometry.coordinates;
  const ring = geometry.type === "Polygon" ? geometry.coordinates[0] : geometry.coordinates[0][0];
  const sum = ring.reduce(([x, y], [a, b]) => [x + a, y + b], [0, 0]);
  return [sum[0] / ring.length, sum[1] / ring.length];
}

/** The hotspots to show: the route's, in route order, or (free patrol) the nearest 20. */
export function shiftHotspots(me) {
  const byId = new Map(state.hotspots.map((f) => [f.id, f]));
  const route = state.routes.find((r) => r.id === (state.shift ? state.shift.route_id : chosenRoute));
  if (route) return route.properties.stops.map((stop) => byId.get(stop.hotspot_id)).filter(Boolean);
  if (!me) return state.hotspots.slice(0, 20);
  const distance = (f) => metres({ lon: me[0], lat: me[1] }, { lon: centre(f)[0], lat: centre(f)[1] });
  return [...state.hotspots].sort((a, b) => distance(a) - distance(b)).slice(0, 20);
}

function hotspotState(feature) {
  if (state.visited.has(feature.id)) return "visited";
  if (state.sweepTasks.has(feature.id)) return "sweep";
  if (state.overdue.has(feature.id)) return "overdue";
  return "normal";
}

/** The map's layers for the current shift, in the map's datum. */
export function mapLayers(me) {
  const hotspots = shiftHotspots(me);
  const route = state.routes.find((r) => r.id === (state.shift ? state.shift.route_id : chosenRoute));
  return {
    hotspots: {
      type: "FeatureCollection",
      features: hotspots.map((f) => ({ type: "Feature", id: f.id, geometry: area(f), properties: { state: hotspotState(f) } })),
    },
    route: route?.geometry ? { type: "FeatureCollection", features: [{ type: "Feature", geometry: route.geometry, properties: {} }] } : null,
    track: state.track.length > 1 ? { type: "Feature", geometry: { type: "LineString", coordinates: state.track }, properties: {} } : null,
    me: me ? { type: "Feature", geometry: { type: "Point", coordinates: me }, properties: {} } : null,
  };
}

export function myPosition() {
  return state.fix ? toMapDatum(state.config, state.fix.lon, state.fix.lat) : null;
}

function gpsStatus() {
  if (state.fixError) return t("gps_denied", { d: state.fixError });
  if (!state.fix) return t("gps_waiting");
  return t("gps_ok", { m: Math.round(state.fix.accuracy) });
}

export function shiftView({ mapElement, openEncounter, rerender }) {
  const team = store.myTeam();
  if (!team) return h("section", {}, h("p", { class: "problem" }, t("no_team")), logoutButton());
  const me = myPosition();
  const head = h(
    "div",
    { class: "shift-head" },
    h("strong", {}, team.call_sign),
    h("span", { class: "pill", dataset: { testid: "shift-status", state: state.shift ? "on" : "off" } }, state.shift ? t("on_duty") : t("off_duty")),
    state.shift && h("span", { class: "muted", dataset: { testid: "gps-status" } }, gpsStatus()),
    state.shift && h("span", { class: "muted", dataset: { testid: "points-recorded" } }, t("points_recorded", { n: state.pointsRecorded })),
  );
  const body = [head, mapElement];
  if (state.shift) {
    body.push(
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", class: "big primary", dataset: { testid: "new-encounter" }, onclick: () => openEncounter(null) }, t("new_encounter")),
        h(
          "button",
          {
            type: "button",
            class: "big danger",
            dataset: { testid: "end-shift" },
            onclick: async () => {
              if (confirm(t("confirm_end"))) {
                await store.endShift();
                rerender();
              }
            },
          },
          t("end_shift"),
        ),
      ),
    );
  } else {
    body.push(startForm(team, rerender));
  }
  body.push(h("h2", {}, t("hotspots")), hotspotList(me, openEncounter));
  return h("section", { class: "shift" }, ...body);
}

function startForm(team, rerender) {
  const select = h(
    "select",
    {
      id: "route",
      name: "route",
      onchange: () => {
        chosenRoute = select.value;
        rerender();
      },
    },
    h("option", { value: "" }, t("free_patrol")),
    state.routes.map((r) => h("option", { value: r.id, selected: r.id === chosenRoute }, r.properties.name)),
  );
  const start = h(
    "button",
    {
      type: "button",
      class: "big primary",
      dataset: { testid: "start-shift" },
      onclick: async () => {
        await store.startShift(select.value);
        rerender();
      },
    },
    t("start_shift"),
  );
  const resume =
    team.on_duty_shift &&
    h(
      "button",
      {
        type: "button",
        class: "big",
        dataset: { testid: "resume-shift" },
        onclick: async () => {
          const shift = await request("GET", `/patrols/${team.on_duty_shift}`);
          await store.startShift(null, { id: shift.id, team_id: shift.team_id, route_id: shift.route_id, started_at: shift.started_at });
          rerender();
        },
      },
      t("resume_shift"),
    );
  return h("div", { class: "start" }, field(t("route"), select, "route"), h("div", { class: "actions" }, start, resume));
}

function hotspotList(me, openEncounter) {
  const hotspots = shiftHotspots(me);
  if (!hotspots.length) return h("p", { class: "muted" }, t("no_hotspots"));
  return h(
    "ol",
    { class: "hotspots", dataset: { testid: "hotspot-list" } },
    hotspots.map((feature) => {
      const here = me && inside(feature, me);
      const task = state.sweepTasks.get(feature.id);
      const distance = me ? Math.round(metres({ lon: me[0], lat: me[1] }, { lon: centre(feature)[0], lat: centre(feature)[1] })) : null;
      const chips = [
        state.visited.has(feature.id) && h("span", { class: "chip ok", dataset: { chip: "visited" } }, t("visited")),
        state.overdue.has(feature.id) && h("span", { class: "chip bad", dataset: { chip: "overdue" } }, t("overdue")),
        task && h("span", { class: "chip warn", dataset: { chip: "sweep" } }, t("sweep_pending")),
        here && h("span", { class: "chip here", dataset: { chip: "here" } }, t("here")),
      ];
      const actions = state.shift && [
        h(
          "button",
          {
            type: "button",
            class: "big",
            dataset: { action: "checkin" },
            disabled: state.visited.has(feature.id),
            onclick: () => store.checkIn(feature),
          },
          state.visited.has(feature.id) ? t("checked_in") : t("check_in"),
        ),
        h("button", { type: "button", class: "big", dataset: { action: "encounter" }, onclick: () => openEncounter(feature.id) }, t("encounter_here")),
        task && h("button", { type: "button", class: "big", dataset: { action: "sweep" }, onclick: () => sweepForm(task) }, t("sweep_result")),
      ];
      return h(
        "li",
        { class: here ? "hotspot here" : "hotspot", dataset: { hotspotId: feature.id, state: hotspotState(feature) } },
        h("div", { class: "hotspot-name" }, feature.properties.name, distance !== null && h("span", { class: "muted" }, ` · ${t("distance_m", { m: distance })}`)),
        h("div", { class: "chips" }, h("span", { class: "chip" }, t(`risk_${feature.properties.risk_level}`)), chips),
        actions && h("div", { class: "actions" }, actions),
      );
    }),
  );
}

function sweepForm(task) {
  const counts = ["people_found", "persuaded", "escorted", "refused"].map((name) => [
    name,
    h("input", { type: "number", min: "0", max: "1000", value: "0", inputmode: "numeric", name }),
  ]);
  const notes = h("textarea", { name: "notes", rows: 2 });
  const dialog = h(
    "dialog",
    { class: "sheet" },
    h("h2", {}, `${t("sweep_result")} · ${task.hotspot_name}`),
    counts.map(([name, input]) => field(t(`sweep_${name === "people_found" ? "people" : name}`), input, name)),
    field(t("notes"), notes, "notes"),
    h(
      "div",
      { class: "actions" },
      h(
        "button",
        {
          type: "button",
          class: "big primary",
          onclick: async () => {
            const outcome = Object.fromEntries(counts.map(([name, input]) => [name, Number(input.value) || 0]));
            await store.sweepDone(task, { ...outcome, notes: notes.value.trim() || null });
            dialog.close();
            dialog.remove();
          },
        },
        t("save"),
      ),
      h("button", { type: "button", class: "big", onclick: () => dialog.remove() }, t("cancel")),
    ),
  );
  document.body.append(dialog);
  dialog.showModal();
}

function logoutButton() {
  return h("button", { type: "button", class: "big", dataset: { testid: "logout" }, onclick: () => window.dispatchEvent(new Event("field:logout")) }, t("logout"));
}

// The outbox ------------------------------------------------------------------------------------

export async function queueView({ openFailedEncounter, sendNow }) {
  const all = await outbox.items();
  const points = all.filter((i) => i.kind === "point" && i.state === "pending");
  const others = all.filter((i) => i.kind !== "point" || i.state === "failed");
  const rows = others.map((item) =>
    h(
      "li",
      { class: `queued ${item.state}`, dataset: { seq: String(item.seq), state: item.state, kind: item.kind, key: item.key } },
      h("div", {}, h("strong", {}, t(`kind_${item.kind}`)), " ", labelOf(item), " · ", t(`state_${item.state}`)),
      item.problem && problemText(item.problem),
      item.state === "pending" && item.attempts > 0 && h("p", { class: "muted" }, t("attempts", { n: item.attempts }), " · ", t("next_try", { t: time(new Date(item.nextAt).toISOString()) }), item.lastError ? ` · ${item.lastError}` : ""),
      item.state === "failed" &&
        h(
          "div",
          { class: "actions" },
          item.kind === "encounter"
            ? h("button", { type: "button", class: "big primary", dataset: { action: "fix" }, onclick: () => openFailedEncounter(item) }, t("fix_resend"))
            : h("button", { type: "button", class: "big", dataset: { action: "resend" }, onclick: () => outbox.resend(item.seq).then(sendNow) }, t("resend")),
          h("button", { type: "button", class: "big danger", dataset: { action: "discard" }, onclick: () => confirm(t("confirm_discard")) && outbox.discard(item.seq) }, t("discard")),
        ),
    ),
  );
  return h(
    "section",
    { class: "queue" },
    h("h2", {}, t("queue_title")),
    h("button", { type: "button", class: "big primary", dataset: { testid: "send-now" }, onclick: sendNow }, t("send_now")),
    points.length > 0 && h("p", { dataset: { testid: "points-waiting" } }, `${t("kind_point")}: ${points.length}`),
    rows.length || points.length ? h("ul", { class: "list" }, rows) : h("p", { class: "muted" }, t("queue_empty")),
  );
}

/** A problem as the server gave it: its detail, then what it says of each field. */
function problemText(problem) {
  return h(
    "div",
    { class: "problem", dataset: { testid: "problem-detail" } },
    h("p", {}, problem.detail ?? problem.title),
    (problem.errors ?? []).length > 0 && h("ul", {}, problem.errors.map((e) => h("li", {}, e.msg))),
  );
}

function labelOf(item) {
  const label = item.meta?.label;
  if (!label) return "";
  return item.kind === "encounter" ? t(`out_${label}`) : label;
}

// The inbox ------------------------------------------------------------------------------------

export function inboxView() {
  const items = [...state.inbox].reverse();
  if (!items.length) return h("section", {}, h("h2", {}, t("inbox_title")), h("p", { class: "muted" }, t("inbox_empty")));
  return h("section", { class: "inbox" }, h("h2", {}, t("inbox_title")), h("ul", { class: "list" }, items.map(inboxRow)));
}

function inboxRow(item) {
  const answer = state.answers[item.id] ?? {};
  const acked = Boolean(item.acknowledged_at || answer.acked);
  const actions = [];
  if (item.kind === "lead.offer" && !answer.lead) {
    actions.push(
      h("button", { type: "button", class: "big primary", dataset: { action: "accept" }, onclick: () => store.answerLead(item, "accept") }, t("accept")),
      h("button", { type: "button", class: "big", dataset: { action: "decline" }, onclick: () => store.answerLead(item, "decline") }, t("decline")),
    );
  } else if (answer.lead === "accept") {
    actions.push(h("button", { type: "button", class: "big", dataset: { action: "arrive" }, onclick: () => store.answerLead(item, "arrive") }, t("arrive")));
  }
  if (!acked && item.kind !== "lead.offer") {
    actions.push(h("button", { type: "button", class: "big", dataset: { action: "ack" }, onclick: () => store.acknowledge(item) }, t("acknowledge")));
  }
  return h(
    "li",
    { class: `inbox-item ${item.priority}`, dataset: { itemId: item.id, kind: item.kind, priority: item.priority, acked: String(acked) } },
    h("div", {}, h("strong", {}, item.title), h("span", { class: "muted" }, ` · ${time(item.created_at)}`)),
    h("p", {}, item.body),
    answer.lead && h("p", { class: "chip ok", dataset: { testid: "lead-answer" } }, t("lead_answer_queued", { a: t(answer.lead) })),
    acked && h("span", { class: "muted" }, t("acknowledged")),
    actions.length > 0 && h("div", { class: "actions" }, actions),
  );
}

// Handovers ------------------------------------------------------------------------------------

export function handoversView(rerender) {
  const names = new Map(state.organisations.map((o) => [o.id, o.name]));
  const rows = state.handovers.map((handover) => {
    const code = state.handoverCodes[handover.id];
    const steps = [];
    if (handover.state === "accepted") steps.push(["in-transit", t("in_transit")]);
    if (["accepted", "in_transit"].includes(handover.state)) steps.push(["arrived", t("arrived")]);
    return h(
      "li",
      { class: "handover", dataset: { handoverId: handover.id, state: handover.state } },
      h("div", {}, h("strong", {}, names.get(handover.to_organisation_id) ?? `#${handover.to_organisation_id}`), " · ", t(`hs_${handover.state}`)),
      h(
        "div",
        { class: "actions" },
        steps.map(([step, label]) =>
          h("button", { type: "button", class: "big", dataset: { action: step }, onclick: () => store.handoverStep(handover, step).then(() => toast(t("step_queued", { s: label }))) }, label),
        ),
        handover.state === "arrived" &&
          h(
            "button",
            {
              type: "button",
              class: "big primary",
              dataset: { action: "code" },
              onclick: async () => {
                try {
                  await store.handoverCode(handover);
                } catch {
                  toast(t("code_needs_network"));
                }
                rerender();
              },
            },
            t("show_code"),
          ),
      ),
      code && h("div", { class: "code", dataset: { testid: "handover-code" } }, h("span", { class: "digits" }, code.code), h("p", {}, t("code_expires", { t: time(code.expires_at) }))),
    );
  });
  return h(
    "section",
    { class: "handovers" },
    h("h2", {}, t("handover_title")),
    rows.length ? h("ul", { class: "list" }, rows) : h("p", { class: "muted" }, t("handover_none")),
  );
}
