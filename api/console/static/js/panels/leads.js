// The lead queue: open leads by deadline, each with its stage, team or pending offer and the time
// left to reach the person; the dispatcher assigns a team, pins an unplaced lead on the map,
// merges a duplicate into another lead or splits a linked one off.

import { debounce, el } from "../dom.js";
import { t } from "../i18n.js";
import { countdown, OPEN } from "../layers/leads.js";
import { COMMAND } from "../roles.js";

const TICK_MS = 15_000; // redraw the countdowns (no request)

export default {
  id: "leads-queue",
  label: "panel.leads",
  roles: COMMAND,
  panel: true,

  async mount(ctx) {
    this.leads = [];
    this.teams = [];
    this.list = el("ul", { class: "leads" });
    ctx.panel(this).append(this.list);
    const reload = debounce(() => this.load(ctx), 300);
    ctx.on("lead.*", reload);
    ctx.on("inbox.new", (item) => item.kind.startsWith("lead") && reload());
    ctx.onLanguage(() => this.render(ctx));
    setInterval(() => this.render(ctx), TICK_MS);
    await this.load(ctx);
  },

  async load(ctx) {
    const [leads, teams] = await Promise.all([ctx.api.get("/leads", { status: [...OPEN, "linked"] }), ctx.api.get("/teams")]);
    this.leads = leads.sort((a, b) => Date.parse(a.deadline_at) - Date.parse(b.deadline_at));
    this.teams = teams;
    this.render(ctx);
  },

  render(ctx) {
    const open = this.leads.filter((lead) => lead.status !== "linked");
    ctx.badge(this, open.length);
    this.list.replaceChildren(
      ...(this.leads.length ? this.leads.map((lead) => this.row(ctx, lead)) : [el("li", { class: "empty" }, t("leads.none"))]),
    );
  },

  row(ctx, lead) {
    const late = Date.parse(lead.deadline_at) < Date.now() && !lead.arrived_at;
    const hot = lead.urgency === "urgent" || lead.minor_involved;
    const who = lead.team_call_sign
      ? t("leads.team", { team: lead.team_call_sign })
      : lead.offer
        ? t("leads.offered", { team: lead.offer.call_sign })
        : t("leads.waiting");
    return el(
      "li",
      { class: `lead ${hot ? "hot" : ""} ${late ? "late" : ""} ${lead.status}`, dataset: { id: lead.id, number: lead.number } },
      el(
        "div",
        { class: "row" },
        el("strong", {}, t("leads.number", { number: lead.number })),
        el("span", { class: "state" }, t(`lead.${lead.status}`)),
      ),
      el("div", {}, lead.description),
      el("div", { class: "muted" }, lead.place_text ?? (lead.place ? "" : t("leads.unplaced"))),
      lead.status === "linked"
        ? el("div", { class: "muted" }, t("leads.linked"))
        : el("div", { class: late ? "late-text countdown" : "muted countdown" }, `${who} · ${lead.arrived_at ? t("lead.arrived") : countdown(lead.deadline_at)}`),
      el("div", { class: "actions" }, ...this.actions(ctx, lead)),
    );
  },

  actions(ctx, lead) {
    if (lead.status === "linked") {
      return [el("button", { type: "button", class: "small", onclick: () => this.act(ctx, lead, "split") }, t("leads.split"))];
    }
    const assign = el(
      "select",
      { "aria-label": t("leads.assign"), class: "assign", onchange: (event) => event.target.value && this.act(ctx, lead, "assign", { team_id: event.target.value }) },
      el("option", { value: "" }, t("leads.assign")),
      this.teams.map((team) => el("option", { value: team.id, selected: team.id === lead.team_id }, team.call_sign)),
    );
    const others = this.leads.filter((other) => other.id !== lead.id && other.status !== "linked");
    const merge = el(
      "select",
      { "aria-label": t("leads.merge"), class: "merge", onchange: (event) => event.target.value && this.act(ctx, lead, "merge", { into: event.target.value }) },
      el("option", { value: "" }, t("leads.merge")),
      others.map((other) => el("option", { value: other.id }, t("leads.number", { number: other.number }))),
    );
    const pin = el("button", { type: "button", class: "small", onclick: () => this.pin(ctx, lead) }, t("leads.pin"));
    return [assign, merge, pin];
  },

  async act(ctx, lead, action, body) {
    if (await ctx.guard(ctx.api.post(`/leads/${lead.id}/${action}`, body))) ctx.toast(t(`leads.done.${action}`));
    await this.load(ctx);
  },

  /** The next click on the map places the lead (coordinates in the basemap's datum, as the API is told). */
  pin(ctx, lead) {
    ctx.toast(t("leads.pinning"));
    ctx.map.getCanvas().style.cursor = "crosshair";
    ctx.map.once("click", async (event) => {
      ctx.map.getCanvas().style.cursor = "";
      await this.act(ctx, lead, "pin", { place: { lon: event.lngLat.lng, lat: event.lngLat.lat } });
    });
  },
};
