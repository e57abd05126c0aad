// The lead queue: tips from the public waiting to be routed to a team. Switched off
// (`available: false`) until the API serves leads; it has the shape of the other panels.

import { COMMAND } from "../roles.js";

export default {
  id: "leads-queue",
  label: "panel.leads",
  roles: COMMAND,
  panel: true,
  available: false,

  mount() {},
};
