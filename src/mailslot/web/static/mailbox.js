// A mailbox's list: the first page, "load more", and the newest page merged in when live
// events or a reconnection call for it.

import { api } from "./client.js";
import { $, busy } from "./dom.js";
import { shownReceivers, shownSender } from "./names.js";
import { showError } from "./notices.js";
import { BOX_TITLES, listHash, setTitle } from "./router.js";
import { state, update } from "./state.js";

let listRequest = 0; // drops answers to list requests that a newer one replaced

export async function showList(box, q = "") {
  const title = BOX_TITLES[box];
  update({ box, query: q, listHash: listHash(box, q), current: null });
  $("list-title").textContent = q ? `Search in ${title}` : title;
  $("search-label").textContent = `Search ${title}`;
  $("search-input").value = q;
  $("search-status").hidden = !q;
  $("search-summary").textContent = q ? `Messages in ${title} matching “${q}”.` : "";
  $("search-clear").href = `#/${box}`;
  $("trash-hint").hidden = box !== "trash";
  $("list-empty").textContent = q ? `No message in ${title} matches “${q}”.` : "No messages here yet.";
  setTitle(title);
  const request = ++listRequest;
  update({ messages: [], nextCursor: null });
  $("message-list").replaceChildren();
  $("list-loading").hidden = false;
  $("list-empty").hidden = true;
  $("load-more").hidden = true;
  try {
    const page = await api.listMessages(box, { q });
    if (request !== listRequest) return;
    update({ messages: page.messages, nextCursor: page.next_cursor });
    renderList();
    const opened = state.lastOpened && $("message-list").querySelector(`a[data-id="${state.lastOpened}"]`);
    (opened || $("list-title")).focus();
  } catch (error) {
    if (request === listRequest) showError(error);
  } finally {
    if (request === listRequest) $("list-loading").hidden = true;
  }
}

export async function loadMore() {
  if (!state.nextCursor) return;
  const request = listRequest;
  const button = $("load-more");
  await busy(button, async () => {
    try {
      const page = await api.listMessages(state.box, { cursor: state.nextCursor, q: state.query });
      if (request !== listRequest) return;
      const known = new Set(state.messages.map((m) => m.id));
      const added = page.messages.filter((m) => !known.has(m.id));
      update({ messages: [...state.messages, ...added], nextCursor: page.next_cursor });
      renderList();
      const first = added.length && $("message-list").querySelector(`a[data-id="${added[0].id}"]`);
      if (first) first.focus();
    } catch (error) {
      showError(error);
    }
  });
}

/** Merges the newest page into the list without losing what "load more" fetched. */
export async function refreshTop() {
  if (!state.route || state.route.name !== "list") return;
  const request = listRequest;
  try {
    const page = await api.listMessages(state.box, { q: state.query });
    if (request !== listRequest) return;
    const fresh = new Map(page.messages.map((m) => [m.id, m]));
    const oldest = page.messages.length ? page.messages[page.messages.length - 1].id : Infinity;
    const kept = state.messages.filter((m) => m.id < oldest || fresh.has(m.id));
    const ids = new Set(kept.map((m) => m.id));
    const messages = [...page.messages.filter((m) => !ids.has(m.id)), ...kept.map((m) => fresh.get(m.id) || m)];
    messages.sort((a, b) => b.id - a.id);
    update({ messages });
    if (messages.length <= page.messages.length) update({ nextCursor: page.next_cursor });
    renderList();
  } catch {
    // The next event or navigation tries again.
  }
}

/** The listed messages, newest first, with `message` among them. */
export function addListed(message) {
  update({ messages: [...state.messages, message].sort((a, b) => b.id - a.id) });
}

export function markListed(id, read) {
  update({ messages: state.messages.map((m) => (m.id === id ? { ...m, read } : m)) });
}

export function dropListed(id) {
  update({ messages: state.messages.filter((m) => m.id !== id) });
}

const timeOnly = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const dateOnly = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric" });

function shortDate(iso) {
  const date = new Date(iso);
  return date.toDateString() === new Date().toDateString() ? timeOnly.format(date) : dateOnly.format(date);
}

/** One row of a list: who, subject, when; unread ones marked for eyes and for readers. */
export function messageItem(message, box) {
  const item = $("message-item").content.firstElementChild.cloneNode(true);
  const unread = box !== "sent" && !message.read;
  item.classList.toggle("unread", unread);
  const link = item.querySelector("a");
  link.href = `#/${box}/${message.id}`;
  link.dataset.id = String(message.id);
  item.dataset.id = String(message.id);
  if (!unread) item.querySelector(".unread-label").remove();
  item.querySelector(".who").textContent = box === "sent" ? `To ${shownReceivers(message)}` : shownSender(message);
  item.querySelector(".subject").textContent = message.subject;
  const when = item.querySelector(".when");
  when.dateTime = message.created_at;
  when.textContent = shortDate(message.created_at);
  return item;
}

export function renderList() {
  const list = $("message-list");
  const focusedId = document.activeElement?.closest?.("#message-list a")?.dataset.id;
  list.replaceChildren(...state.messages.map((message) => messageItem(message, state.box)));
  $("list-empty").hidden = state.messages.length > 0;
  $("load-more").hidden = !state.nextCursor;
  if (focusedId) list.querySelector(`a[data-id="${focusedId}"]`)?.focus();
}
