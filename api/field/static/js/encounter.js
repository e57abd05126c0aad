// The encounter form. The rules the server states are tested as the officer fills it in, with
// the server's own messages; an encounter the server refused at upload comes back here with
// the server's answer, to be fixed and sent again under the same id.
import { t } from "./i18n.js";
import { uuid } from "./outbox.js";
import { brokenRules, rulesNamedBy, testable } from "./rules.js";
import { state } from "./store.js";
import { choice, chips, field, h, toast } from "./ui.js";

const AGE_BANDS = ["under_14", "14_17", "18_39", "40_59", "60_plus", "unknown"];
const SEXES = ["male", "female", "unknown"];
const CATEGORIES = [
  "minor",
  "elderly",
  "disabled",
  "limited_mobility",
  "suspected_mental_illness",
  "critically_ill",
  "intoxicated",
  "pregnant",
  "with_minor",
  "suspected_exploitation",
];
const CAPACITIES = ["full", "limited", "none", "unknown"];
const OUTCOMES = [
  "escorted_to_station",
  "escorted_to_hospital",
  "emergency_services_called",
  "refused_help",
  "police_referral",
  "resolved_on_site",
  "no_contact",
];
const CRITICAL = ["person_dead", "danger_of_death", "minor_in_danger", "escorted_person_missing"];
const ESCORTS = ["escorted_to_station", "escorted_to_hospital"];
const MEDICAL = ["suspected_mental_illness", "critically_ill", "intoxicated"];

function blankEncounter(hotspotId) {
  return {
    id: uuid(),
    age_band: "unknown",
    sex: "unknown",
    categories: [],
    civil_capacity: "unknown",
    outcome: null,
    needs: [],
    offered: [],
    answer: "",
    supplies: {},
    notes: "",
    consent_recorded: false,
    consent_note: "",
    told_station_contact: false,
    persuasion_note: "",
    no_medical_reason: "",
    destination_organisation_id: null,
    critical: null,
    hotspot_id: hotspotId ?? null,
    alias: "",
  };
}

function fromQueued(body) {
  return {
    ...blankEncounter(body.hotspot_id),
    ...body,
    alias: body.new_person?.alias ?? "",
    supplies: body.supplies ?? {},
  };
}

const list = (text) =>
  text
    .split(/[,，、]/)
    .map((s) => s.trim())
    .filter(Boolean);

function parseSupplies(text) {
  const supplies = {};
  for (const part of list(text)) {
    const [kind, count] = part.split(/[:：]/).map((s) => s.trim());
    if (kind) supplies[kind] = Math.max(0, Math.min(1000, Number.parseInt(count ?? "1", 10) || 1));
  }
  return supplies;
}

const optional = (text) => (text && text.trim() ? text.trim() : null);

/** The request body, as POST /api/v1/encounters takes it (place in WGS84). */
function toBody(draft, queued) {
  const body = {
    id: draft.id,
    occurred_at: queued?.occurred_at ?? new Date().toISOString(),
    place: queued?.place ?? { lon: state.fix.lon, lat: state.fix.lat },
    shift_id: queued ? queued.shift_id : (state.shift?.id ?? null),
    hotspot_id: draft.hotspot_id,
    age_band: draft.age_band,
    sex: draft.sex,
    categories: draft.categories,
    needs: draft.needs,
    civil_capacity: draft.civil_capacity,
    offered: draft.offered,
    answer: optional(draft.answer),
    supplies: draft.supplies,
    notes: optional(draft.notes),
    outcome: draft.outcome,
    consent_recorded: draft.consent_recorded,
    consent_note: optional(draft.consent_note),
    told_station_contact: draft.told_station_contact,
    persuasion_note: optional(draft.persuasion_note),
    no_medical_reason: optional(draft.no_medical_reason),
    destination_organisation_id: draft.destination_organisation_id,
    critical: draft.critical,
  };
  if (draft.alias.trim()) {
    body.new_person = { id: queued?.new_person?.id ?? uuid(), alias: draft.alias.trim() };
  }
  return body;
}

/**
 * The form. `hotspotId`: where it happens; `failed`: an outbox item the server refused
 * ({ seq, body, problem }); `onSaved(body)` after saving.
 */
export function encounterForm({ hotspotId = null, failed = null, onSaved, onCancel }) {
  const draft = failed ? fromQueued(failed.body) : blankEncounter(hotspotId);
  const serverNamed = new Set(rulesNamedBy(failed?.problem));
  const namedFields = new Set((failed?.problem?.errors ?? []).map((e) => e.loc?.[1]).filter(Boolean));
  const messages = h("ul", { class: "rules", dataset: { testid: "rule-messages" } });
  const saveButton = h("button", { type: "submit", class: "big primary", dataset: { testid: "save-encounter" } }, t("save"));
  const sections = {};

  const text = (name, multiline = false) => {
    const control = multiline
      ? h("textarea", { name, rows: 3, value: draft[name] ?? "" })
      : h("input", { name, type: "text", value: draft[name] ?? "" });
    control.addEventListener("input", () => {
      draft[name] = control.value;
      update();
    });
    return control;
  };
  const tick = (name) => {
    const box = h("input", { type: "checkbox", name, checked: Boolean(draft[name]) });
    box.addEventListener("change", () => {
      draft[name] = box.checked;
      update();
    });
    return h("label", { class: "tick", dataset: { field: name } }, box, h("span", {}, t(name)));
  };
  const set = (name) => (value) => {
    draft[name] = value;
    update();
  };
  const section = (name, ...children) => (sections[name] = h("div", { class: "section", dataset: { section: name } }, ...children));

  const destinations = state.organisations.filter((o) => o.kind === "rescue_station" || o.kind === "hospital");
  const destination = h(
    "select",
    { name: "destination_organisation_id" },
    h("option", { value: "" }, t("choose")),
    destinations.map((o) =>
      h("option", { value: String(o.id), selected: o.id === draft.destination_organisation_id }, o.name),
    ),
  );
  destination.addEventListener("change", () => {
    draft.destination_organisation_id = destination.value ? Number(destination.value) : null;
    update();
  });
  const critical = h(
    "select",
    { name: "critical" },
    h("option", { value: "" }, t("none")),
    CRITICAL.map((c) => h("option", { value: c, selected: c === draft.critical }, t(`crit_${c}`))),
  );
  critical.addEventListener("change", () => set("critical")(critical.value || null));
  const needs = h("input", { name: "needs", type: "text", value: draft.needs.join("，") });
  needs.addEventListener("input", () => set("needs")(list(needs.value)));
  const offered = h("input", { name: "offered", type: "text", value: draft.offered.join("，") });
  offered.addEventListener("input", () => set("offered")(list(offered.value)));
  const supplies = h("input", {
    name: "supplies",
    type: "text",
    value: Object.entries(draft.supplies).map(([k, v]) => `${k}:${v}`).join("，"),
  });
  supplies.addEventListener("input", () => set("supplies")(parseSupplies(supplies.value)));

  const form = h(
    "form",
    { class: "encounter", novalidate: true, dataset: { testid: "encounter-form" } },
    h("h2", {}, t("encounter_title")),
    failed && h("p", { class: "problem", dataset: { testid: "server-problem" } }, t("rule_failed_at_sync", { d: failed.problem?.detail ?? "" })),
    field(t("person_alias"), text("alias"), "alias"),
    h("p", { class: "label" }, t("age_band")),
    choice("age_band", AGE_BANDS.map((v) => [v, t(`age_${v}`)]), draft.age_band, set("age_band")),
    h("p", { class: "label" }, t("sex")),
    choice("sex", SEXES.map((v) => [v, t(`sex_${v}`)]), draft.sex, set("sex")),
    h("p", { class: "label" }, t("categories")),
    chips("categories", CATEGORIES.map((v) => [v, t(`cat_${v}`)]), draft.categories, set("categories")),
    h("p", { class: "label" }, t("civil_capacity")),
    choice("civil_capacity", CAPACITIES.map((v) => [v, t(`cap_${v}`)]), draft.civil_capacity, set("civil_capacity")),
    field(t("needs"), needs, "needs"),
    field(t("offered"), offered, "offered"),
    field(t("answer"), text("answer"), "answer"),
    h("p", { class: "label" }, t("outcome")),
    choice("outcome", OUTCOMES.map((v) => [v, t(`out_${v}`)]), draft.outcome, set("outcome")),
    section("escort", tick("consent_recorded"), field(t("consent_note"), text("consent_note"), "consent_note"), field(t("destination"), destination, "destination_organisation_id")),
    section("refusal", tick("told_station_contact"), field(t("persuasion_note"), text("persuasion_note", true), "persuasion_note")),
    section("medical", field(t("no_medical_reason"), text("no_medical_reason", true), "no_medical_reason")),
    field(t("supplies"), supplies, "supplies"),
    field(t("critical"), critical, "critical"),
    field(t("notes"), text("notes", true), "notes"),
    h("p", { class: "label" }, t("rules_heading")),
    messages,
    h("div", { class: "actions" }, saveButton, h("button", { type: "button", class: "big", onclick: onCancel }, t("cancel"))),
  );

  function update() {
    const escort = ESCORTS.includes(draft.outcome);
    const shown = {
      escort: escort || namedFields.has("consent_recorded") || namedFields.has("destination_organisation_id"),
      refusal: draft.outcome === "refused_help" || namedFields.has("persuasion_note") || namedFields.has("told_station_contact"),
      medical: draft.categories.some((c) => MEDICAL.includes(c)) || namedFields.has("no_medical_reason"),
    };
    for (const [name, element] of Object.entries(sections)) element.hidden = !shown[name];
    const broken = brokenRules(draft, state.rules);
    const brokenIds = new Set(broken.map((r) => r.id));
    // a rule the server named at upload that this phone cannot test stays listed until resent
    const untestable = state.rules.filter((r) => serverNamed.has(r.id) && !brokenIds.has(r.id) && !testable(r.id));
    messages.replaceChildren(
      ...[...broken, ...untestable].map((rule) => h("li", { dataset: { rule: rule.id, field: rule.field ?? "" } }, rule.message)),
    );
    form.querySelectorAll("[data-field]").forEach((el) => el.classList.toggle("broken", broken.some((r) => r.field === el.dataset.field)));
    saveButton.disabled = !draft.outcome || broken.length > 0;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!failed && !state.fix) {
      toast(t("needs_gps"));
      return;
    }
    const body = toBody(draft, failed?.body);
    await onSaved(body, failed);
    toast(t("saved_queued"));
  });
  update();
  return form;
}
