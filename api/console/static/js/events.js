// The live event stream (server-sent events) read with fetch, because EventSource cannot
// send an Authorization header. A dropped connection resumes after the last event seen
// (Last-Event-ID), so nothing that happened meanwhile is missed.

const MAX_BACKOFF_MS = 15_000;

/** Split a text/event-stream into events as the HTML standard describes. */
export class EventStreamParser {
  constructor(onEvent) {
    this.onEvent = onEvent;
    this.buffer = "";
    this.reset();
  }

  reset() {
    this.data = [];
    this.type = "";
    this.id = null;
  }

  push(chunk) {
    this.buffer += chunk;
    const lines = this.buffer.split(/\r\n|\r|\n/);
    this.buffer = lines.pop();
    for (const line of lines) this.line(line);
  }

  line(line) {
    if (line === "") {
      if (this.data.length) this.onEvent({ id: this.id, type: this.type || "message", data: this.data.join("\n") });
      this.reset();
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.type = value;
    else if (field === "id" && !value.includes("\0")) this.id = value;
  }
}

export class LiveEvents {
  /**
   * @param api the Api client (token, refresh, datum)
   * @param onEvent called with (kind, data) for every event
   * @param onStatus called with true when connected, false while reconnecting
   */
  constructor(api, { onEvent, onStatus }) {
    this.api = api;
    this.onEvent = onEvent;
    this.onStatus = onStatus;
    this.lastEventId = null;
    this.controller = null;
    this.stopped = true;
  }

  start() {
    this.stopped = false;
    this.run();
  }

  stop() {
    this.stopped = true;
    this.controller?.abort();
  }

  async run() {
    let backoff = 500;
    while (!this.stopped) {
      try {
        await this.connect();
        backoff = 500;
      } catch (error) {
        if (this.stopped) return;
        if (error.status === 401) {
          await this.api.refresh().catch(() => undefined);
          if (!this.api.signedIn) return;
        }
      }
      this.onStatus(false);
      if (this.stopped) return;
      await new Promise((resolve) => setTimeout(resolve, backoff));
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }

  async connect() {
    this.controller = new AbortController();
    const headers = this.api.headers({ Accept: "text/event-stream" });
    if (this.lastEventId) headers["Last-Event-ID"] = this.lastEventId;
    const response = await fetch(this.api.url("/events"), {
      headers,
      signal: this.controller.signal,
      cache: "no-store",
    });
    if (!response.ok) throw Object.assign(new Error(`event stream: HTTP ${response.status}`), { status: response.status });
    this.onStatus(true);
    const parser = new EventStreamParser((event) => this.dispatch(event));
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      parser.push(value);
    }
  }

  dispatch(event) {
    if (event.id) this.lastEventId = event.id;
    let data;
    try {
      data = JSON.parse(event.data);
    } catch {
      return;
    }
    this.onEvent(event.type, data);
  }
}
