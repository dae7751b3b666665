// <mailslot-inbox>: mailslot's inbox inside a host's page (docs/embed.md). Served as
// /embed.js, a classic script: <script src="https://mail.example.com/embed.js" defer>.
//
// The element frames mailslot's /embed/inbox and, once that frame says it is ready, hands
// it the user, the token and the options by postMessage, to mailslot's origin only: the
// token never goes into a URL, and is kept in memory only (a `token` attribute is read
// and removed). Messages are taken only from that frame at mailslot's origin, and become
// events on the element: mailslot-ready, mailslot-unread {count}, mailslot-conversation
// {threadId, subject, context}, mailslot-sent {id, threadId}, mailslot-token-expired.
(() => {
  "use strict";
  const script = document.currentScript;
  if (!script || !script.src || customElements.get("mailslot-inbox")) return;
  const ORIGIN = new URL(script.src).origin;
  const FRAME = `${ORIGIN}/embed/inbox`;
  const THEME = [
    "--mailslot-accent",
    "--mailslot-accent-text",
    "--mailslot-background",
    "--mailslot-surface",
    "--mailslot-text",
    "--mailslot-muted",
    "--mailslot-line",
    "--mailslot-font",
    "--mailslot-radius",
  ];
  const VIEW = ["conversation", "context", "context-token", "subject"];
  const EVENTS = {
    opened: () => ["mailslot-ready", {}],
    unread: (data) => ["mailslot-unread", { count: data.count }],
    conversation: (data) => ["mailslot-conversation", { threadId: data.thread_id, subject: data.subject, context: data.context }],
    sent: (data) => ["mailslot-sent", { id: data.id, threadId: data.thread_id }],
    "token-expired": () => ["mailslot-token-expired", {}],
  };

  let sheet = null;
  function styles() {
    if (!sheet) {
      // A constructed sheet: no inline style, so a host's CSP need not allow one.
      sheet = new CSSStyleSheet();
      sheet.replaceSync(":host{display:block;height:32rem}iframe{display:block;width:100%;height:100%;border:0}");
    }
    return [sheet];
  }

  class MailslotInbox extends HTMLElement {
    static observedAttributes = ["token", "user", ...VIEW];

    #shadow;
    #frame = null;
    #token = null; // memory only
    #ready = false; // the frame has asked for its token
    #started = false; // and been given it
    #onMessage = (event) => this.#receive(event);

    constructor() {
      super();
      this.#shadow = this.attachShadow({ mode: "open" });
      this.#shadow.adoptedStyleSheets = styles();
    }

    connectedCallback() {
      if (this.#frame) return;
      this.#frame = document.createElement("iframe");
      this.#frame.title = this.getAttribute("title") || "Messages";
      this.#frame.referrerPolicy = "no-referrer";
      this.#frame.src = FRAME;
      window.addEventListener("message", this.#onMessage);
      this.#shadow.append(this.#frame);
    }

    disconnectedCallback() {
      window.removeEventListener("message", this.#onMessage);
      this.#frame?.remove();
      this.#frame = null;
      this.#ready = this.#started = false;
    }

    attributeChangedCallback(name, old, value) {
      if (name === "token") {
        if (value === null) return;
        this.removeAttribute("token"); // out of the DOM, where page recorders look
        this.setToken(value);
      } else if (this.#started && VIEW.includes(name) && old !== value) {
        this.#post({ type: "view", ...this.#view() });
      }
    }

    /** A new token for the same user (a refresh), or the first one. */
    setToken(token) {
      this.#token = token ? String(token) : null;
      if (!this.#token) return;
      if (this.#started) this.#post({ type: "token", token: this.#token, user: this.getAttribute("user") });
      else this.#init();
    }

    set token(token) {
      this.setToken(token);
    }

    get token() {
      return undefined; // write-only: the element does not hand the token back out
    }

    /** Sends the --mailslot-* variables again, after the host changed them. */
    restyle() {
      if (this.#started) this.#post({ type: "theme", theme: this.#theme() });
    }

    #view() {
      return {
        conversation: this.getAttribute("conversation"),
        context: this.getAttribute("context"),
        contextToken: this.getAttribute("context-token"),
        subject: this.getAttribute("subject"),
      };
    }

    #theme() {
      const style = getComputedStyle(this);
      return Object.fromEntries(THEME.map((name) => [name, style.getPropertyValue(name).trim()]).filter(([, value]) => value));
    }

    #init() {
      if (!this.#ready || !this.#token) return;
      this.#started = true;
      this.#post({ type: "init", user: this.getAttribute("user"), token: this.#token, theme: this.#theme(), ...this.#view() });
    }

    #post(message) {
      this.#frame?.contentWindow?.postMessage({ ...message, mailslot: 1 }, ORIGIN);
    }

    #receive(event) {
      if (!this.#frame || event.source !== this.#frame.contentWindow || event.origin !== ORIGIN) return;
      const data = event.data;
      if (!data || data.mailslot !== 1 || typeof data.type !== "string") return;
      if (data.type === "ready") {
        // (Again after the frame reloads: it starts from nothing.)
        this.#ready = true;
        this.#started = false;
        this.#init();
        return;
      }
      const translate = EVENTS[data.type];
      if (!translate) return;
      const [name, detail] = translate(data);
      this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
    }
  }

  customElements.define("mailslot-inbox", MailslotInbox);
})();
