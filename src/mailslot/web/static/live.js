// Live delivery (issue #4) over Server-Sent Events, with its own recovery.
//
// A ticket is single-use, so EventSource's built-in reconnect (same URL) cannot work:
// on any error the feed closes the source, waits (capped exponential backoff with
// jitter), fetches a fresh ticket and reconnects with `since` = the last event id seen,
// so the server replays what was missed.

const EVENT_TYPES = ["message.created", "message.updated", "message.deleted"];
const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 15000;

export class LiveFeed {
  /**
   * api: the page's API client. onEvent(envelope) gets each new event once, in order;
   * onState(state) gets "connecting" | "live" | "reconnecting" | "unavailable" | "off";
   * onOpen() runs on every (re)connection, to resynchronise what events cannot replay.
   */
  constructor({ api, onEvent, onState, onOpen }) {
    this.api = api;
    this.onEvent = onEvent;
    this.onState = onState;
    this.onOpen = onOpen;
    this.source = null;
    this.timer = null;
    this.attempt = 0;
    this.refusals = 0;
    this.lastId = null;
    this.running = false;
    this.wake = () => {
      if (this.running && !this.source) this.reconnectNow();
    };
  }

  start() {
    if (this.running) return;
    this.running = true;
    window.addEventListener("online", this.wake);
    this.connect();
  }

  stop() {
    this.running = false;
    window.removeEventListener("online", this.wake);
    clearTimeout(this.timer);
    this.timer = null;
    this.close();
    this.lastId = null;
    this.onState("off");
  }

  close() {
    if (this.source) {
      this.source.close();
      this.source = null;
    }
  }

  reconnectNow() {
    clearTimeout(this.timer);
    this.timer = null;
    this.connect();
  }

  async connect() {
    if (!this.running) return;
    this.onState(this.attempt === 0 && this.lastId === null ? "connecting" : "reconnecting");
    let ticket;
    try {
      ({ ticket } = await this.api.streamTicket());
    } catch (error) {
      if (error.status === 401 || !this.running) return; // the session is over
      // A server without live delivery answers 404/405: keep the page usable, look again later.
      const missing = error.status === 404 || error.status === 405;
      this.onState(missing ? "unavailable" : "reconnecting");
      this.retry(missing ? MAX_DELAY_MS : undefined);
      return;
    }
    if (!this.running) return;
    const source = new EventSource(this.api.eventsUrl(ticket, this.lastId));
    this.source = source;
    let opened = false;
    source.onopen = () => {
      opened = true;
      this.attempt = 0;
      this.refusals = 0;
      this.onState("live");
      this.onOpen();
    };
    const receive = (event) => this.receive(event);
    source.onmessage = receive;
    for (const type of EVENT_TYPES) source.addEventListener(type, receive);
    source.onerror = () => {
      if (this.source !== source) return;
      this.close();
      // The server is up (it gave a ticket) yet refused the stream twice: the history
      // after `since` may be gone. Start from now; onOpen resynchronises the page.
      if (!opened && ++this.refusals >= 2) this.lastId = null;
      if (!this.running) return;
      this.onState("reconnecting");
      this.retry();
    };
  }

  receive(event) {
    let envelope;
    try {
      envelope = JSON.parse(event.data);
    } catch {
      return; // a heartbeat or something this page does not know
    }
    if (!envelope || typeof envelope.type !== "string") return;
    const raw = envelope.id ?? event.lastEventId;
    const id = Number(raw);
    if (raw !== "" && raw !== null && raw !== undefined && Number.isFinite(id)) {
      if (this.lastId !== null && id <= this.lastId) return; // replayed twice
      this.lastId = id;
    }
    this.onEvent(envelope);
  }

  retry(delay) {
    clearTimeout(this.timer);
    const backoff = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** this.attempt);
    this.attempt += 1;
    const wait = delay ?? backoff / 2 + Math.random() * (backoff / 2);
    this.timer = setTimeout(() => this.connect(), wait);
  }
}
