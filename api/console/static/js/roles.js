// Which console roles use which part of the console; the API enforces the same rules, this
// only hides what a role could not use anyway.

export const COMMAND = ["dispatcher", "supervisor", "admin"];
export const HOTSPOT_VIEWERS = [...COMMAND, "station_staff"];
export const HANDOVER_PARTIES = [...COMMAND, "station_staff", "hospital_staff"];
export const EVERYONE = [...COMMAND, "station_staff", "hospital_staff"];
