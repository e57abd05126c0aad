// The handover board: escorts, hospital referrals, identity checks and discharge pick-ups
// still open, with their ETA and deadline. Stations and hospitals see those addressed to them.

import { debounce, el } from "../dom.js";
import { formatTime, t } from "../i18n.js";
import { HANDOVER_PARTIES } from "../roles.js";

export default {
  id: "handovers-board",
  label: "panel.handovers",
  roles: HANDOVER_PARTIES,
  panel: true,

  async mount(ctx) {
    this.handovers = [];
    this.list = el("ul", { class: "handovers" });
    ctx.panel(this).append(this.list);
    const organisations = await ctx.api.get("/organisations");
    this.names = new Map(organisations.features.map((feature) => [feature.id, feature.properties.name]));
    const reload = debounce(() => this.load(ctx), 500);
    ctx.on("handover.*", reload);
    ctx.on("inbox.new", (item) => item.kind.startsWith("handover") && reload());
    ctx.onLanguage(() => this.render(ctx));
    await this.load(ctx);
  },

  async load(ctx) {
    this.handovers = await ctx.api.get("/handovers", { open_only: true });
    this.render(ctx);
  },

  render(ctx) {
    ctx.badge(this, this.handovers.length);
    const now = Date.now();
    this.list.replaceChildren(
      ...(this.handovers.length
        ? this.handovers.map((handover) => {
            const late = Date.parse(handover.deadline_at) < now;
            const destination = this.names.get(handover.to_organisation_id) ?? `#${handover.to_organisation_id}`;
            return el(
              "li",
              { class: `handover ${late ? "late" : ""}`, dataset: { id: handover.id } },
              el("div", { class: "row" }, el("strong", {}, `${t(`handover.${handover.kind}`)} → ${destination}`), el("span", { class: "state" }, t(`state.${handover.state}`))),
              el("div", {}, handover.eta ? t("handovers.eta", { time: formatTime(handover.eta) }) : ""),
              el("div", { class: late ? "late-text" : "muted" }, `${t("handovers.deadline", { time: formatTime(handover.deadline_at) })}${late ? ` · ${t("handovers.late")}` : ""}`),
            );
          })
        : [el("li", { class: "empty" }, t("handovers.none"))]),
    );
  },
};
