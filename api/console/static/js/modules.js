// Every part of the console, in drawing order (layers) and panel order (panels). Each module
// is an object with the same shape:
//   id, label (dictionary key), roles (who gets it),
//   layerIds (map layers it owns) or panel: true, mount(ctx), and optionally
//   onView(ctx) (the view changed), setVisible(visible).

import boundaries from "./layers/boundaries.js";
import encounters from "./layers/encounters.js";
import handovers from "./layers/handovers.js";
import hotspots from "./layers/hotspots.js";
import leads from "./layers/leads.js";
import positions from "./layers/positions.js";
import sweeps from "./layers/sweeps.js";
import tracks from "./layers/tracks.js";
import alerts from "./panels/alerts.js";
import handoverBoard from "./panels/handovers.js";
import leadQueue from "./panels/leads.js";
import sweepBoard from "./panels/sweeps.js";
import teams from "./panels/teams.js";

export const LAYERS = [boundaries, sweeps, encounters, hotspots, handovers, tracks, leads, positions];
export const PANELS = [alerts, leadQueue, sweepBoard, handoverBoard, teams];

export function forRole(modules, role) {
  return modules.filter((module) => module.roles.includes(role));
}
