// The team list: who is on duty, how old each officer's last position is, what supplies each
// team carries (low stock flagged), and a switch for the team's track on the map.

import { debounce, el } from "../dom.js";
import { formatAge, t } from "../i18n.js";
import { COMMAND } from "../roles.js";

const RENDER_EVERY_MS = 5000;

export default {
  id: "teams",
  label: "panel.teams",
  roles: COMMAND,
  panel: true,

  async mount(ctx) {
    this.teams = [];
    this.supplies = [];
    this.list = el("ul", { class: "teams" });
    ctx.panel(this).append(this.list);
    const reloadTeams = debounce(() => this.load(ctx), 500);
    const reloadSupplies = debounce(() => this.loadSupplies(ctx), 2000);
    ctx.on("shift.started", reloadTeams);
    ctx.on("shift.ended", reloadTeams);
    ctx.on("encounter.logged", reloadSupplies);
    ctx.on("sweep.progress", reloadSupplies);
    ctx.on("positions.drawn", () => this.renderSoon(ctx));
    ctx.onLanguage(() => this.render(ctx));
    await this.load(ctx);
  },

  async load(ctx) {
    [this.teams, this.supplies] = await Promise.all([ctx.api.get("/teams"), ctx.api.get("/supplies")]);
    this.render(ctx);
  },

  async loadSupplies(ctx) {
    this.supplies = await ctx.api.get("/supplies");
    this.render(ctx);
  },

  /** Position ages change all the time: redraw at most every few seconds. */
  renderSoon(ctx) {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.render(ctx);
    }, RENDER_EVERY_MS);
  },

  render(ctx) {
    const onDuty = this.teams.filter((team) => team.on_duty_shift).length;
    ctx.badge(this, `${onDuty}/${this.teams.length}`);
    const sorted = [...this.teams].sort((a, b) => Number(Boolean(b.on_duty_shift)) - Number(Boolean(a.on_duty_shift)) || a.call_sign.localeCompare(b.call_sign));
    this.list.replaceChildren(...(sorted.length ? sorted.map((team) => this.row(ctx, team)) : [el("li", { class: "empty" }, t("teams.none"))]));
  },

  row(ctx, team) {
    const now = Date.now();
    const members = team.members.map((member) => {
      const position = ctx.positions.get(member.id);
      const age = position ? formatAge((now - Date.parse(position.properties.recorded_at)) / 1000) : t("teams.no_position");
      return el("li", {}, el("span", {}, member.display_name), el("span", { class: "muted" }, age));
    });
    const stock = this.supplies
      .filter((item) => item.team_id === team.id)
      .map((item) => el("span", { class: `chip ${item.low ? "low" : ""}`, title: item.low ? t("teams.low") : "" }, `${item.kind} ${item.quantity}`));
    const shift = team.on_duty_shift;
    const track = shift
      ? el(
          "button",
          {
            type: "button",
            class: `small ${ctx.tracks?.shown(shift) ? "active" : ""}`,
            onclick: async () => {
              if (ctx.tracks.shown(shift)) ctx.tracks.hide(shift);
              else await ctx.guard(ctx.tracks.show(shift));
              this.render(ctx);
            },
          },
          t("teams.show_track"),
        )
      : null;
    return el(
      "li",
      { class: `team ${shift ? "on-duty" : "off-duty"}`, dataset: { id: team.id } },
      el("div", { class: "row" }, el("strong", {}, team.call_sign), el("span", { class: "duty" }, t(shift ? "teams.on_duty" : "teams.off_duty")), track),
      el("ul", { class: "members" }, members),
      stock.length ? el("div", { class: "supplies" }, el("span", { class: "muted" }, t("teams.supplies")), stock) : null,
    );
  },
};
