// The safeguarding rules, as the server states them (GET /api/v1/encounters/rules).
// The server's list decides which rules apply and what they say; the phone only knows how to
// test each rule id on the form, so a rule the phone does not know is still enforced by the
// server at upload, and its message is shown then.

const MINOR_BANDS = ["under_14", "14_17"];
const ADULT_BANDS = ["18_39", "40_59", "60_plus"];
const ESCORTS = ["escorted_to_station", "escorted_to_hospital"];
const MEDICAL = ["suspected_mental_illness", "critically_ill", "intoxicated"];
const MEDICAL_OUTCOMES = ["emergency_services_called", "escorted_to_hospital"];

const blank = (text) => !(text && text.trim());
const has = (e, ...categories) => categories.some((c) => e.categories.includes(c));
const isMinor = (e) => MINOR_BANDS.includes(e.age_band) || e.categories.includes("minor");

const TESTS = {
  "escort-needs-consent": (e) =>
    ESCORTS.includes(e.outcome) &&
    ADULT_BANDS.includes(e.age_band) &&
    e.civil_capacity === "full" &&
    !isMinor(e) &&
    !e.consent_recorded &&
    !(e.outcome === "escorted_to_hospital" && has(e, ...MEDICAL)),
  "escort-needs-destination": (e) => ESCORTS.includes(e.outcome) && e.destination_organisation_id == null,
  "refusal-needs-station-contact": (e) => e.outcome === "refused_help" && !e.told_station_contact,
  "refusal-needs-persuasion-note": (e) => e.outcome === "refused_help" && blank(e.persuasion_note),
  "minor-cannot-be-left": (e) => isMinor(e) && ["refused_help", "resolved_on_site"].includes(e.outcome),
  "medical-needs-outcome-or-reason": (e) =>
    has(e, ...MEDICAL) && !MEDICAL_OUTCOMES.includes(e.outcome) && blank(e.no_medical_reason),
};

/** The stated rules (with a field: the ones the server checks) that this encounter breaks. */
export function brokenRules(encounter, statedRules) {
  return statedRules.filter((rule) => rule.field && TESTS[rule.id]?.(encounter));
}

/** Whether the phone can test this rule id on the form. */
export function testable(ruleId) {
  return ruleId in TESTS;
}

/** The rule ids a `/problems/rule-broken` answer names (`errors[].type` is `rule:<id>`). */
export function rulesNamedBy(problem) {
  return (problem?.errors ?? [])
    .map((e) => e.type)
    .filter((type) => typeof type === "string" && type.startsWith("rule:"))
    .map((type) => type.slice(5));
}
