// Public leads (tips from the public, the 12345 hotline and Open311 clients) as a map layer.
// The API does not serve leads yet, so the module stays switched off (`available: false`)
// and draws nothing; it keeps the shape of the other layers so it can be switched on as is
// once /api/v1/leads exists.

import { COMMAND } from "../roles.js";

export default {
  id: "leads",
  label: "layer.leads",
  roles: COMMAND,
  layerIds: [],
  available: false,

  mount() {},
};
