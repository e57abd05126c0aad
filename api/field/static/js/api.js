// The API client: the same /api/v1 routes, tokens and problem details as the native apps.
// No DOM here: the service worker uses it to flush the outbox while no page is open.
import { kvDelete, kvGet, kvSet } from "./db.js";

export const API = "/api/v1";
const REFRESH_MARGIN_MS = 30_000;

/** The server answered with an RFC 9457 problem (or another error status). */
export class ProblemError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }

  /** Worth retrying later: the server or the way to it is busy, not the request wrong. */
  get transient() {
    return this.status >= 500 || this.status === 408 || this.status === 429;
  }
}

/** No answer at all: no network, or the server unreachable. */
export class OfflineError extends Error {}

/** Nobody is logged in any more (the refresh token was refused): the officer must log in. */
export class AuthError extends Error {}

export async function login(username, password) {
  const pair = await send("POST", "/auth/token", { form: { username, password } });
  await keepTokens(pair);
  const me = await request("GET", "/auth/me");
  await kvSet("me", me);
  return me;
}

export async function logout() {
  const auth = await kvGet("auth");
  if (auth) {
    try {
      await send("POST", "/auth/logout", { body: { refresh_token: auth.refresh }, token: auth.access });
    } catch {
      // the token dies on its own; logging out on the phone must not wait for the network
    }
  }
  await kvDelete("auth");
}

export async function loggedIn() {
  return Boolean(await kvGet("auth"));
}

/** A call with the stored access token, refreshed first when it is about to expire, and once
 * more if the server still says 401. */
export async function request(method, path, options = {}) {
  let auth = await kvGet("auth");
  if (!auth) throw new AuthError("not logged in");
  if (auth.expiresAt - Date.now() < REFRESH_MARGIN_MS) auth = await refresh(auth);
  try {
    return await send(method, path, { ...options, token: auth.access });
  } catch (error) {
    if (!(error instanceof ProblemError) || error.status !== 401) throw error;
    auth = await refresh(auth);
    return send(method, path, { ...options, token: auth.access });
  }
}

async function keepTokens(pair) {
  await kvSet("auth", {
    access: pair.access_token,
    refresh: pair.refresh_token,
    expiresAt: Date.now() + pair.expires_in * 1000,
  });
}

/** Swap the refresh token for a new pair. A refresh token works once, so the page and the
 * service worker take turns (a Web Lock) and reuse a pair the other side just got. */
async function refresh(stale) {
  return withLock("field-auth", async () => {
    const current = await kvGet("auth");
    if (!current) throw new AuthError("not logged in");
    if (current.access !== stale.access && current.expiresAt - Date.now() > REFRESH_MARGIN_MS) return current;
    let pair;
    try {
      pair = await send("POST", "/auth/refresh", { body: { refresh_token: current.refresh } });
    } catch (error) {
      if (error instanceof ProblemError && !error.transient) {
        await kvDelete("auth");
        throw new AuthError(error.message);
      }
      throw error;
    }
    await keepTokens(pair);
    return kvGet("auth");
  });
}

export function withLock(name, task) {
  const locks = globalThis.navigator?.locks;
  return locks ? locks.request(name, task) : task();
}

async function send(method, path, { body, query, form, token } = {}) {
  const url = new URL(API + path, globalThis.location.origin);
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null) url.searchParams.set(name, value);
  }
  const headers = { Accept: "application/json, application/problem+json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  let payload;
  if (form) {
    payload = new URLSearchParams(form);
  } else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, { method, headers, body: payload, cache: "no-store" });
  } catch (error) {
    throw new OfflineError(String(error));
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const problem =
      data && typeof data === "object"
        ? data
        : { title: response.statusText, status: response.status, detail: text.slice(0, 200) };
    throw new ProblemError(response.status, problem);
  }
  return data;
}
