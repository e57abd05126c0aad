// GPS recording while a shift runs: every kept fix goes straight into the outbox (WGS84, as
// the browser gives it), so a closed browser loses nothing it had recorded.
import { enqueue, uuid } from "./outbox.js";

const MIN_INTERVAL_MS = 5_000; // keep a fix at most this often when standing still...
const MIN_MOVE_M = 10; // ...but always when moved this far
let watchId = null;
let lastKept = null;
let battery = null;

export function metres(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.sqrt(h));
}

function finite(value, min, max) {
  return Number.isFinite(value) && value >= min && value <= max ? value : null;
}

function asPoint(fix, id) {
  return {
    id,
    t: new Date(fix.t).toISOString(),
    lon: fix.lon,
    lat: fix.lat,
    datum: "wgs84",
    accuracy_m: Math.min(fix.accuracy, 100_000),
    speed_mps: finite(fix.speed, 0, 1000),
    heading_deg: finite(fix.heading, 0, 360),
    battery_pct: battery ? Math.round(battery.level * 100) : null,
  };
}

/** Watch the position; `onFix` sees every fix, kept or not. */
export function startTracking(shiftId, { onFix, onError, onKept }) {
  stopTracking();
  navigator.getBattery?.().then((b) => (battery = b)).catch(() => {});
  watchId = navigator.geolocation.watchPosition(
    async (position) => {
      const { longitude, latitude, accuracy, speed, heading } = position.coords;
      const fix = { lon: longitude, lat: latitude, accuracy, speed, heading, t: position.timestamp };
      onFix(fix);
      const due = !lastKept || fix.t - lastKept.t >= MIN_INTERVAL_MS || metres(lastKept, fix) >= MIN_MOVE_M;
      if (!due) return;
      lastKept = fix;
      const id = uuid();
      await enqueue({ key: id, kind: "point", body: asPoint(fix, id), deps: [shiftId], meta: { shiftId } });
      onKept?.(fix);
    },
    (error) => onError(error),
    { enableHighAccuracy: true, maximumAge: 5_000, timeout: 60_000 },
  );
}

export function stopTracking() {
  if (watchId !== null) navigator.geolocation.clearWatch(watchId);
  watchId = null;
  lastKept = null;
}

export function tracking() {
  return watchId !== null;
}
