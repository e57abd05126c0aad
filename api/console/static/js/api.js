// The API client: bearer tokens kept in sessionStorage (never a cookie, gone with the tab),
// refreshed before they expire, and every coordinate asked for in the basemap's datum.

const STORAGE_KEY = "patrol.console.session";
const REFRESH_MARGIN_MS = 60_000;

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export class Api {
  constructor({ base, datum, onSignedOut }) {
    this.base = base;
    this.datum = datum;
    this.onSignedOut = onSignedOut;
    this.session = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || "null");
    this.refreshing = null;
    this.refreshTimer = null;
    if (this.session) this.scheduleRefresh();
  }

  get signedIn() {
    return Boolean(this.session);
  }

  get token() {
    return this.session?.access_token;
  }

  async login(username, password) {
    const form = new URLSearchParams({ username, password, grant_type: "password" });
    const response = await fetch(`${this.base}/auth/token`, { method: "POST", body: form });
    this.keep(await this.parse(response));
  }

  async logout() {
    const refresh = this.session?.refresh_token;
    if (refresh) {
      await this.post("/auth/logout", { refresh_token: refresh }).catch(() => undefined);
    }
    this.forget();
  }

  keep(tokens) {
    this.session = {
      access_token: tokens.access_token,
      refresh_token: tokens.refresh_token,
      expires_at: Date.now() + tokens.expires_in * 1000,
    };
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(this.session));
    this.scheduleRefresh();
  }

  forget() {
    clearTimeout(this.refreshTimer);
    this.session = null;
    sessionStorage.removeItem(STORAGE_KEY);
  }

  scheduleRefresh() {
    clearTimeout(this.refreshTimer);
    const wait = Math.max(0, this.session.expires_at - Date.now() - REFRESH_MARGIN_MS);
    this.refreshTimer = setTimeout(() => this.refresh().catch(() => undefined), wait);
  }

  /** Trade the refresh token for a new pair; concurrent callers share one exchange. */
  refresh() {
    this.refreshing ??= (async () => {
      try {
        const response = await fetch(`${this.base}/auth/refresh`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ refresh_token: this.session?.refresh_token }),
        });
        if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
        this.keep(await response.json());
      } catch (error) {
        this.forget();
        this.onSignedOut?.();
        throw error;
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  url(path, params = {}) {
    const url = new URL(`${this.base}${path}`, location.origin);
    url.searchParams.set("datum", this.datum);
    for (const [name, value] of Object.entries(params)) {
      for (const item of [].concat(value)) {
        if (item !== undefined && item !== null) url.searchParams.append(name, item);
      }
    }
    return url;
  }

  headers(extra = {}) {
    return { Authorization: `Bearer ${this.token}`, ...extra };
  }

  async request(method, path, { params, body, signal } = {}) {
    const init = { method, signal, headers: this.headers() };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers["Content-Type"] = "application/json";
    }
    let response = await fetch(this.url(path, params), init);
    if (response.status === 401 && this.session) {
      await this.refresh();
      init.headers.Authorization = `Bearer ${this.token}`;
      response = await fetch(this.url(path, params), init);
    }
    return this.parse(response);
  }

  async parse(response) {
    const payload = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, payload);
    return payload;
  }

  get(path, params, options = {}) {
    return this.request("GET", path, { params, ...options });
  }

  post(path, body, params) {
    return this.request("POST", path, { body, params });
  }
}
