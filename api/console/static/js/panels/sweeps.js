// The sweep board: open sweeps with their progress, each hotspot task with its team (and a
// way to give it to another team), and a new manual sweep over an area drawn on the map.

import { drawPolygon } from "../draw.js";
import { formatTime, t } from "../i18n.js";
import { COMMAND } from "../roles.js";
import { debounce, el } from "../dom.js";

const KINDS = ["cold", "heat", "other"];
const LEVELS = ["blue", "yellow", "orange", "red"];

function options(values, prefix, selected) {
  return values.map((value) => el("option", { value, selected: value === selected }, t(`${prefix}.${value}`)));
}

export default {
  id: "sweeps-board",
  label: "panel.sweeps",
  roles: COMMAND,
  panel: true,

  async mount(ctx) {
    this.open = new Set(); // sweeps whose tasks are shown
    this.drawButton = el("button", { type: "button", class: "small primary", id: "draw-sweep", onclick: () => this.draw(ctx) });
    this.body = ctx.panel(this, this.drawButton);
    this.tool = el("div", { class: "draw-tool", hidden: true });
    this.list = el("ul", { class: "sweeps" });
    this.body.append(this.tool, this.list);
    const reload = debounce(() => this.load(ctx), 300);
    for (const kind of ["sweep.started", "sweep.progress", "sweep.closed", "sweeps.changed"]) ctx.on(kind, reload);
    ctx.onLanguage(() => this.render(ctx));
    await this.load(ctx);
  },

  async load(ctx) {
    const [sweeps, teams] = await Promise.all([ctx.api.get("/sweeps"), ctx.api.get("/teams")]);
    this.sweeps = sweeps;
    this.teams = teams;
    this.tasks = new Map(
      await Promise.all([...this.open].filter((id) => sweeps.some((s) => s.id === id)).map(async (id) => [id, await ctx.api.get(`/sweeps/${id}/tasks`)])),
    );
    this.render(ctx);
  },

  render(ctx) {
    this.drawButton.textContent = t("sweeps.draw");
    ctx.badge(this, this.sweeps.length);
    this.list.replaceChildren(
      ...(this.sweeps.length ? this.sweeps.map((sweep) => this.row(ctx, sweep)) : [el("li", { class: "empty" }, t("sweeps.none"))]),
    );
  },

  row(ctx, sweep) {
    const { done, total } = sweep.progress;
    const tasks = this.tasks.get(sweep.id);
    return el(
      "li",
      { class: `sweep level-${sweep.level}`, dataset: { id: sweep.id } },
      el(
        "div",
        { class: "row" },
        el("strong", {}, `${t(`kind.${sweep.kind}`)} · ${t(`level.${sweep.level}`)}`),
        el("span", { class: "progress-text" }, t("sweeps.progress", { done, total })),
      ),
      el("progress", { max: Math.max(total, 1), value: done }),
      el("div", { class: "muted" }, t("sweeps.deadline", { time: formatTime(sweep.check_deadline) })),
      el(
        "div",
        { class: "actions" },
        el("button", { type: "button", class: "small", onclick: () => this.toggleTasks(ctx, sweep.id) }, `${t("sweeps.tasks")} (${total})`),
        el("button", { type: "button", class: "small danger", onclick: () => this.close(ctx, sweep.id) }, t("sweeps.close")),
      ),
      tasks ? el("ul", { class: "tasks" }, tasks.map((task) => this.task(ctx, task))) : null,
    );
  },

  task(ctx, task) {
    const select = el(
      "select",
      { "aria-label": t("sweeps.reassign"), disabled: task.status === "done", onchange: (event) => this.reassign(ctx, task.id, event.target.value) },
      el("option", { value: "", selected: !task.team_id }, t("sweeps.unassigned")),
      this.teams.map((team) => el("option", { value: team.id, selected: team.id === task.team_id }, team.call_sign)),
    );
    return el("li", { class: `task ${task.status}`, dataset: { id: task.id } }, el("span", {}, task.hotspot_name), el("span", { class: "muted" }, t(`task.${task.status}`)), select);
  },

  async toggleTasks(ctx, sweepId) {
    if (this.open.has(sweepId)) this.open.delete(sweepId);
    else this.open.add(sweepId);
    await this.load(ctx);
  },

  async reassign(ctx, taskId, teamId) {
    if (!teamId) return;
    await ctx.guard(ctx.api.post(`/sweeps/tasks/${taskId}/assign`, { team_id: teamId }));
    ctx.emit("sweeps.changed");
  },

  async close(ctx, sweepId) {
    await ctx.guard(ctx.api.post(`/sweeps/${sweepId}/close`));
    ctx.emit("sweeps.changed");
  },

  draw(ctx) {
    this.drawing?.cancel();
    const hint = el("p", { class: "muted" }, t("sweeps.drawing"));
    const finish = el("button", { type: "button", class: "small primary", id: "finish-drawing", onclick: () => this.drawing.finish() || ctx.toast(t("sweeps.need_vertices")) }, t("sweeps.finish"));
    const cancel = el("button", { type: "button", class: "small", onclick: () => this.drawing.cancel() }, t("sweeps.cancel"));
    this.tool.replaceChildren(hint, el("div", { class: "actions" }, finish, cancel));
    this.tool.hidden = false;
    this.drawing = drawPolygon(ctx.map, {
      onFinish: (area) => this.form(ctx, area),
      onCancel: () => (this.tool.hidden = true),
    });
  },

  /** Kind, level and duration of the sweep over the drawn area, then start it. */
  form(ctx, area) {
    const kind = el("select", { name: "kind" }, options(KINDS, "kind", "cold"));
    const level = el("select", { name: "level" }, options(LEVELS, "level", "yellow"));
    const hours = el("input", { name: "hours", type: "number", min: 1, max: 72, value: 12 });
    const submit = async (event) => {
      event.preventDefault();
      const endsAt = new Date(Date.now() + Number(hours.value) * 3600_000).toISOString();
      const sweep = await ctx.guard(ctx.api.post("/sweeps", { kind: kind.value, level: level.value, area, ends_at: endsAt }));
      this.tool.hidden = true;
      if (sweep) {
        this.open.add(sweep.id);
        ctx.toast(t("sweeps.started"));
        ctx.emit("sweeps.changed");
      }
    };
    this.tool.replaceChildren(
      el(
        "form",
        { id: "sweep-form", onsubmit: submit },
        el("label", {}, t("sweeps.kind"), kind),
        el("label", {}, t("sweeps.level"), level),
        el("label", {}, t("sweeps.hours"), hours),
        el(
          "div",
          { class: "actions" },
          el("button", { type: "submit", class: "small primary" }, t("sweeps.start")),
          el("button", { type: "button", class: "small", onclick: () => (this.tool.hidden = true) }, t("sweeps.cancel")),
        ),
      ),
    );
  },
};
