// The list: conversations (one row per thread) or a mailbox's single messages; the first
// page, "load more", and the newest page merged in when live events or a reconnection
// call for it.

import { api } from "./client.js";
import { $, busy } from "./dom.js";
import { sameName, shownName, shownReceivers, shownSender } from "./names.js";
import { showError } from "./notices.js";
import { contextLabel, fillAvatar, shownSubject } from "./people.js";
import { BOX_TITLES, listHash, setTitle } from "./router.js";
import { state, update } from "./state.js";

let listRequest = 0; // drops answers to list requests that a newer one replaced

const isThreads = () => state.box === "conversations";
/** A row's key: a thread's id, or a message's. */
const keyOf = (item) => (item.latest ? item.thread_id : item.id);
/** What orders rows, newest first: a thread's latest message, or the message. */
const orderOf = (item) => (item.latest ? item.latest.id : item.id);

function fetchPage({ cursor } = {}) {
  return isThreads()
    ? api.listThreads({ cursor, context: state.contextFilter }).then((page) => ({ items: page.threads, next: page.next_cursor }))
    : api.listMessages(state.box, { cursor, q: state.query }).then((page) => ({ items: page.messages, next: page.next_cursor }));
}

function showHead(box, q, context) {
  const title = BOX_TITLES[box];
  $("list-title").textContent = q ? `Search in ${title}` : title;
  $("search-form").hidden = box === "conversations";
  $("search-label").textContent = `Search ${title}`;
  $("search-input").value = q;
  $("search-status").hidden = !q;
  $("search-summary").textContent = q ? `Messages in ${title} matching “${q}”.` : "";
  $("search-clear").href = `#/${box}`;
  $("context-status").hidden = !context;
  $("context-summary").textContent = context ? `Conversations about ${contextLabel(context)}.` : "";
  $("list-switch").hidden = !(box === "conversations" || box === "inbox") || Boolean(q);
  $("list-switch-link").href = box === "conversations" ? "#/inbox" : "#/conversations";
  $("list-switch-link").textContent = box === "conversations" ? "Show single messages" : "Group by conversation";
  $("trash-hint").hidden = box !== "trash";
  $("list-empty").textContent = q
    ? `No message in ${title} matches “${q}”.`
    : box === "conversations" ? "No conversations yet." : "No messages here yet.";
}

/** Shows a list; `focus` false keeps the focus where it is (the list beside a conversation). */
export async function showList(box, q = "", context = "", { focus = true } = {}) {
  const hash = listHash(box, q, context);
  update({ box, query: q, contextFilter: context, listHash: hash, listLoaded: hash });
  if (focus) {
    update({ current: null, thread: null });
    setTitle(BOX_TITLES[box]);
  }
  showHead(box, q, context);
  const request = ++listRequest;
  update({ messages: [], nextCursor: null });
  $("message-list").replaceChildren();
  $("list-loading").hidden = false;
  $("list-empty").hidden = true;
  $("load-more").hidden = true;
  try {
    const page = await fetchPage();
    if (request !== listRequest) return;
    update({ messages: page.items, nextCursor: page.next });
    renderList();
    if (focus) {
      const opened = state.lastOpened && $("message-list").querySelector(`a[data-id="${state.lastOpened}"]`);
      (opened || $("list-title")).focus();
    }
  } catch (error) {
    if (request === listRequest) showError(error);
  } finally {
    if (request === listRequest) $("list-loading").hidden = true;
  }
}

/** The list the open conversation came from, beside it on a wide screen. */
export function showListBeside() {
  const [where, search = ""] = state.listHash.replace(/^#\//, "").split("?");
  const params = new URLSearchParams(search);
  return showList(where, params.get("q") || "", params.get("context") || "", { focus: false });
}

export async function loadMore() {
  if (!state.nextCursor) return;
  const request = listRequest;
  await busy($("load-more"), async () => {
    try {
      const page = await fetchPage({ cursor: state.nextCursor });
      if (request !== listRequest) return;
      const known = new Set(state.messages.map(keyOf));
      const added = page.items.filter((m) => !known.has(keyOf(m)));
      update({ messages: [...state.messages, ...added], nextCursor: page.next });
      renderList();
      const first = added.length && $("message-list").querySelector(`a[data-id="${keyOf(added[0])}"]`);
      if (first) first.focus();
    } catch (error) {
      showError(error);
    }
  });
}

/** Merges the newest page into the list without losing what "load more" fetched. */
export async function refreshTop() {
  if (!state.listLoaded) return;
  const request = listRequest;
  try {
    const page = await fetchPage();
    if (request !== listRequest) return;
    const fresh = new Map(page.items.map((m) => [keyOf(m), m]));
    // Below the fresh page, what "load more" fetched stays; with no more pages, nothing is below.
    const oldest = page.next && page.items.length ? orderOf(page.items[page.items.length - 1]) : -Infinity;
    const kept = state.messages.filter((m) => orderOf(m) < oldest && !fresh.has(keyOf(m)));
    const messages = [...page.items, ...kept].sort((a, b) => orderOf(b) - orderOf(a));
    update({ messages });
    if (messages.length <= page.items.length) update({ nextCursor: page.next });
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
  if (isThreads()) return; // counts come back with refreshTop
  update({ messages: state.messages.map((m) => (m.id === id ? { ...m, read } : m)) });
}

export function dropListed(id) {
  if (isThreads()) return;
  update({ messages: state.messages.filter((m) => m.id !== id) });
}

const timeOnly = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const dateOnly = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric" });

export function shortDate(iso) {
  const date = new Date(iso);
  return date.toDateString() === new Date().toDateString() ? timeOnly.format(date) : dateOnly.format(date);
}

function rowOf({ href, id, unread, avatar, who, subject, context, when }) {
  const item = $("message-item").content.firstElementChild.cloneNode(true);
  item.classList.toggle("unread", unread);
  const link = item.querySelector("a");
  link.href = href;
  link.dataset.id = String(id);
  item.dataset.id = String(id);
  if (!unread) item.querySelector(".unread-label").remove();
  fillAvatar(item.querySelector(".avatar"), ...avatar);
  item.querySelector(".who").textContent = who;
  const subjectSlot = item.querySelector(".subject");
  subjectSlot.textContent = subject;
  if (context && subject !== contextLabel(context.ref)) {
    const tag = document.createElement("span");
    tag.className = "tag";
    tag.textContent = contextLabel(context.ref);
    subjectSlot.prepend(tag, " ");
  }
  const time = item.querySelector(".when");
  time.dateTime = when;
  time.textContent = shortDate(when);
  return item;
}

/** One row of a mailbox: who, subject, when; unread ones marked for eyes and for readers. */
export function messageItem(message, box) {
  const unread = box !== "sent" && !message.read;
  const sent = box === "sent";
  const first = sent ? { name: message.receivers[0], shown: message.receiver_display_names?.[0] } : null;
  return rowOf({
    href: `#/${box}/${message.id}`,
    id: message.id,
    unread,
    avatar: sent ? [first.name, first.shown] : [message.sender, message.sender_display_name],
    who: sent ? `To ${shownReceivers(message)}` : shownSender(message),
    subject: shownSubject(message),
    context: message.context,
    when: message.created_at,
  });
}

/** One row of the conversations: the others in it, subject, when, unread count. */
export function threadItem(thread) {
  const me = state.session.username;
  const others = thread.participants.filter((p) => !sameName(p.username, me));
  const shown = others.length ? others : thread.participants;
  const item = rowOf({
    href: `#/conversations/${thread.thread_id}`,
    id: thread.thread_id,
    unread: thread.unread > 0,
    avatar: [shown[0].username, shown[0].display_name],
    who: shown.map((p) => shownName(p.username, p.display_name)).join(", "),
    subject: shownSubject({ subject: thread.subject, context: thread.context }),
    context: thread.context,
    when: thread.latest.created_at,
  });
  item.classList.add("thread-item");
  const count = item.querySelector(".count");
  count.hidden = thread.unread === 0;
  count.textContent = `${thread.unread} unread`;
  return item;
}

export function renderList() {
  const list = $("message-list");
  const focusedId = document.activeElement?.closest?.("#message-list a")?.dataset.id;
  const rows = isThreads() ? state.messages.map(threadItem) : state.messages.map((m) => messageItem(m, state.box));
  list.replaceChildren(...rows);
  markOpen();
  $("list-empty").hidden = state.messages.length > 0;
  $("load-more").hidden = !state.nextCursor;
  if (focusedId) list.querySelector(`a[data-id="${focusedId}"]`)?.focus();
}

/** Marks the row of the open conversation (two panes) for eyes and for readers. */
export function markOpen() {
  const open = state.thread && (isThreads() ? state.thread.threadId : state.current?.id);
  for (const link of $("message-list").querySelectorAll("a[data-id]")) {
    if (open && link.dataset.id === String(open)) link.setAttribute("aria-current", "true");
    else link.removeAttribute("aria-current");
  }
}
