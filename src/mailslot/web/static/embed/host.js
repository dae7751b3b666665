// The frame's one line to the host page (the page that framed it, through <mailslot-inbox>):
// messages are read only from the parent window at an origin the operator allowed
// (MAILSLOT_EMBED_ORIGINS, which the server writes into this page), and answered to that
// origin alone, never to "*". The host's token arrives this way, never in a URL.

const ALLOWED = (document.querySelector('meta[name="mailslot-embed-origins"]')?.content || "")
  .split(" ")
  .filter(Boolean);

let host = null; // the origin that initialised this frame; it alone is answered

/** Whether the page is framed at all (the CSP frame-ancestors allowed it). */
export const framed = () => window.parent !== window;

/**
 * Calls `handler(message)` for each message of the host: `{mailslot: 1, type, ...}` from
 * the parent window at an allowed origin, and, once one has spoken, at that origin only.
 */
export function listen(handler) {
  window.addEventListener("message", (event) => {
    if (event.source !== window.parent || !ALLOWED.includes(event.origin)) return;
    if (host !== null && event.origin !== host) return;
    const message = event.data;
    if (!message || typeof message !== "object" || message.mailslot !== 1 || typeof message.type !== "string") return;
    host = event.origin;
    handler(message);
  });
}

/** Says the frame is ready for its token. Carries nothing, so any parent may hear it. */
export function announce() {
  if (framed()) window.parent.postMessage({ mailslot: 1, type: "ready" }, "*");
}

/** Tells the host `type` (with `detail`), at the origin that initialised the frame. */
export function tell(type, detail = {}) {
  if (host !== null) window.parent.postMessage({ ...detail, mailslot: 1, type }, host);
}
