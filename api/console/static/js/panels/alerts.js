// Alerts waiting for this user's acknowledgement: critical incidents, escalations, missed
// deadlines and other urgent inbox items. A new one sounds (WebAudio, nothing to download);
// acknowledging goes through the inbox, which also stops its escalation.

import { el } from "../dom.js";
import { formatTime, t } from "../i18n.js";
import { EVERYONE } from "../roles.js";

const URGENT = new Set(["critical", "high"]);
const PAGE = 500;

let audio = null;

/** Browsers start audio only after a user gesture: call this from one (the login click). */
export function unlockAudio() {
  audio ??= new AudioContext();
  if (audio.state === "suspended") audio.resume();
}

function chime(critical) {
  if (!audio) return false;
  const now = audio.currentTime;
  const notes = critical ? [880, 660, 880, 660] : [660, 880];
  notes.forEach((frequency, index) => {
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, now + index * 0.22);
    gain.gain.exponentialRampToValueAtTime(0.3, now + index * 0.22 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + index * 0.22 + 0.2);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(now + index * 0.22);
    oscillator.stop(now + index * 0.22 + 0.21);
  });
  return true;
}

export default {
  id: "alerts",
  label: "panel.alerts",
  roles: EVERYONE,
  panel: true,

  async mount(ctx) {
    this.items = new Map();
    this.sound = localStorage.getItem("patrol.console.sound") !== "off";
    this.soundButton = el("button", { class: "small", type: "button", onclick: () => this.toggleSound() });
    this.list = el("ul", { class: "alerts" });
    ctx.panel(this, this.soundButton).append(this.list);
    document.addEventListener("click", () => audio?.state === "suspended" && audio.resume(), { once: true });
    ctx.on("inbox.new", (item) => this.arrive(ctx, item));
    await this.load(ctx);
    ctx.onLanguage(() => this.render(ctx));
  },

  async load(ctx) {
    let after;
    for (;;) {
      const page = await ctx.api.get("/inbox", { unacknowledged: true, limit: PAGE, after });
      for (const item of page.items) if (URGENT.has(item.priority)) this.items.set(item.id, item);
      if (page.items.length < PAGE) break;
      after = page.next;
    }
    this.render(ctx);
  },

  arrive(ctx, item) {
    if (!URGENT.has(item.priority) || item.acknowledged_at) return;
    this.items.set(item.id, item);
    this.render(ctx);
    if (this.sound && chime(item.priority === "critical")) ctx.stats.alarms += 1;
  },

  async acknowledge(ctx, id) {
    await ctx.api.post(`/inbox/${id}/ack`);
    this.items.delete(id);
    this.render(ctx);
  },

  toggleSound() {
    this.sound = !this.sound;
    localStorage.setItem("patrol.console.sound", this.sound ? "on" : "off");
    this.soundButton.textContent = t(this.sound ? "alerts.sound_on" : "alerts.sound_off");
  },

  render(ctx) {
    this.soundButton.textContent = t(this.sound ? "alerts.sound_on" : "alerts.sound_off");
    const items = [...this.items.values()].sort((a, b) => b.created_at.localeCompare(a.created_at));
    ctx.badge(this, items.length);
    this.list.replaceChildren(
      ...(items.length
        ? items.map((item) =>
            el(
              "li",
              { class: `alert ${item.priority}`, dataset: { id: item.id, kind: item.kind } },
              el("div", { class: "row" }, el("strong", {}, item.title), el("span", { class: "muted" }, formatTime(item.created_at))),
              el("div", {}, item.body),
              el("button", { type: "button", class: "ack", onclick: () => this.acknowledge(ctx, item.id) }, t("alerts.ack")),
            ),
          )
        : [el("li", { class: "empty" }, t("alerts.none"))]),
    );
  },
};
