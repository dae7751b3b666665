// Routes in the URL's hash: #/inbox, #/sent?q=…, #/trash/12, #/compose. Each shows one
// view; the views themselves are given by main.js (`startRouter`).

import { $ } from "./dom.js";
import { clearError, showError } from "./notices.js";
import { state, update } from "./state.js";

const BOXES = ["inbox", "sent", "trash"];
export const BOX_TITLES = { inbox: "Inbox", sent: "Sent", trash: "Trash" };

let views = null; // {list(box, q), message(box, id), compose()}

function parseRoute(hash) {
  const [where, search = ""] = hash.replace(/^#\/?/, "").split("?");
  const [first, second] = where.split("/");
  if (first === "compose") return { name: "compose", box: state.box };
  if (BOXES.includes(first)) {
    if (second && /^[1-9][0-9]{0,18}$/.test(second)) return { name: "message", box: first, id: Number(second) };
    const q = (new URLSearchParams(search).get("q") || "").trim();
    return { name: "list", box: first, q };
  }
  return { name: "list", box: "inbox", q: "" };
}

export function listHash(box, q) {
  return q ? `#/${box}?${new URLSearchParams({ q })}` : `#/${box}`;
}

export function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

/** Shows the view the URL names (signed in only). */
export function route() {
  if (!state.session) return;
  clearError();
  if (state.carriedError) {
    showError(state.carriedError);
    update({ carriedError: null });
  }
  const next = parseRoute(location.hash);
  update({ route: next });
  for (const link of document.querySelectorAll(".boxes a[data-box]")) {
    if (link.dataset.box === next.box && next.name !== "compose") link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  $("list-view").hidden = next.name !== "list";
  $("message-view").hidden = next.name !== "message";
  $("compose-view").hidden = next.name !== "compose";
  if (next.name === "list") views.list(next.box, next.q);
  else if (next.name === "message") views.message(next.box, next.id);
  else views.compose();
}

/** Follows the hash from now on, showing each route with `routeViews`. */
export function startRouter(routeViews) {
  views = routeViews;
  window.addEventListener("hashchange", route);
}

export function setTitle(text) {
  document.title = `${state.unread ? `(${state.unread}) ` : ""}${text} · mailslot`;
}
