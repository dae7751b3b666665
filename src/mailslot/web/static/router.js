// Routes in the URL's hash, so a reload or a shared link opens the same view:
//   #/conversations[?context=ref]   the conversations (one row per thread)
//   #/conversations/<thread id>     one conversation
//   #/inbox[?q=…], #/sent, #/trash  single messages; #/inbox/<id> opens its conversation
//   #/compose[?to=name], #/settings
// On a wide screen the list stays beside an open conversation (two panes); on a narrow
// one a single view shows, and the browser's Back returns to the list. The views
// themselves are given by main.js (`startRouter`).

import { $ } from "./dom.js";
import { clearError, showError } from "./notices.js";
import { state, update } from "./state.js";

const BOXES = ["conversations", "inbox", "sent", "trash"];
export const BOX_TITLES = { conversations: "Conversations", inbox: "Inbox", sent: "Sent", trash: "Trash" };
const ID = /^[1-9][0-9]{0,18}$/;
/** Where list and conversation show side by side. */
export const WIDE = window.matchMedia("(min-width: 60rem)");

let views = null; // {list(box, q, context), conversation(threadId), message(box, id), compose(to), settings()}

function parseRoute(hash) {
  const [where, search = ""] = hash.replace(/^#\/?/, "").split("?");
  const params = new URLSearchParams(search);
  const [first, second] = where.split("/");
  if (first === "compose") return { name: "compose", box: state.box, to: params.get("to") || "" };
  if (first === "settings") return { name: "settings", box: "settings" };
  if (BOXES.includes(first)) {
    if (second && ID.test(second)) {
      return first === "conversations"
        ? { name: "conversation", box: first, threadId: Number(second) }
        : { name: "message", box: first, id: Number(second) };
    }
    const q = first === "conversations" ? "" : (params.get("q") || "").trim();
    const context = first === "conversations" ? (params.get("context") || "").trim() : "";
    return { name: "list", box: first, q, context };
  }
  return { name: "list", box: "conversations", q: "", context: "" };
}

export function listHash(box, q, context) {
  if (q) return `#/${box}?${new URLSearchParams({ q })}`;
  if (context) return `#/${box}?${new URLSearchParams({ context })}`;
  return `#/${box}`;
}

export function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

/** Which views show for the current route, on this screen's width. */
export function layout() {
  const next = state.route;
  if (!next) return;
  const reading = next.name === "conversation" || next.name === "message";
  const twoPanes = WIDE.matches && (next.name === "list" || reading);
  $("main").dataset.view = next.name;
  $("main").classList.toggle("panes", twoPanes);
  $("list-view").hidden = !(next.name === "list" || (twoPanes && reading));
  $("detail-empty").hidden = !(twoPanes && next.name === "list");
  $("message-view").hidden = !reading;
  $("compose-view").hidden = next.name !== "compose";
  $("settings-view").hidden = next.name !== "settings";
}

/** Shows the view the URL names (signed in only). */
export function route() {
  if (!state.session) return;
  clearError();
  if (state.carriedError) {
    showError(state.carriedError);
    update({ carriedError: null });
  }
  const previous = state.route;
  const next = parseRoute(location.hash);
  update({ route: next });
  for (const link of document.querySelectorAll(".boxes a[data-box]")) {
    if (link.dataset.box === next.box && next.name !== "compose") link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  layout();
  if (next.name === "list") views.list(next.box, next.q, next.context);
  else if (next.name === "conversation") views.conversation(next.threadId, { from: previous });
  else if (next.name === "message") views.message(next.box, next.id, { from: previous });
  else if (next.name === "settings") views.settings();
  else views.compose(next.to);
}

/** Follows the hash from now on, showing each route with `routeViews`. */
export function startRouter(routeViews) {
  views = routeViews;
  window.addEventListener("hashchange", route);
  WIDE.addEventListener("change", () => {
    layout();
    const reading = state.route && (state.route.name === "conversation" || state.route.name === "message");
    if (reading && WIDE.matches && state.listLoaded !== state.listHash) views.listBeside();
  });
}

export function setTitle(text) {
  document.title = `${state.unread ? `(${state.unread}) ` : ""}${text} · mailslot`;
}
