// mailslot's web client: signing in, mailboxes, reading, composing, deleting, live updates.
// Everything is rendered with textContent (never innerHTML), so message text stays text.

import { ApiError, createApi } from "./api.js";
import { LiveFeed } from "./live.js";

const BOXES = ["inbox", "sent", "trash"];
const BOX_TITLES = { inbox: "Inbox", sent: "Sent", trash: "Trash" };
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
// sessionStorage, not localStorage: the session survives a reload but ends with the tab,
// is never shared with other tabs, and so is gone from a shared computer once the tab is
// closed. The token itself expires after MAILSLOT_TOKEN_TTL (an hour by default).
const SESSION_KEY = "mailslot.session";
const NOTICE_MS = 8000;

const $ = (id) => document.getElementById(id);
const sameName = (a, b) => a.localeCompare(b, undefined, { sensitivity: "accent" }) === 0;

const state = {
  session: null, // {username, token, expiresAt}
  route: null, // {name: "list" | "message" | "compose", box, id}
  box: "inbox",
  query: "", // the search shown in the list, if any
  listHash: "#/inbox", // where "Back" returns to, search included
  messages: [],
  nextCursor: null,
  listRequest: 0, // drops answers to list requests that a newer one replaced
  current: null, // the open message
  currentBox: null, // the box it was opened from
  replyTo: null, // {id, subject} while composing a reply
  lastOpened: null,
  unread: 0,
  unreadBusy: false,
  unreadAgain: false,
  noticeTimer: null,
  carriedError: null, // an error to show on the next view
  restored: new Set(), // ids this page restored: back in the inbox, but not new mail
};

// ---------------------------------------------------------------- session

function loadSession() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(SESSION_KEY));
    if (saved && saved.token && saved.username && saved.expiresAt > Date.now()) return saved;
  } catch {
    // A damaged entry is the same as none.
  }
  sessionStorage.removeItem(SESSION_KEY);
  return null;
}

function saveSession(session) {
  state.session = session;
  if (session) sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  else sessionStorage.removeItem(SESSION_KEY);
}

const api = createApi({
  session: () => state.session,
  onSessionEnded: () => endSession("Your session has ended. Sign in again."),
});

const live = new LiveFeed({
  api,
  onEvent: applyEvent,
  onState: showLiveState,
  onOpen: resync,
});

// ---------------------------------------------------------------- messages to people

function notify(text) {
  clearTimeout(state.noticeTimer);
  $("notice").textContent = text;
  state.noticeTimer = setTimeout(() => ($("notice").textContent = ""), NOTICE_MS);
}

function showError(error) {
  if (!state.session) return; // a request the end of the session cut short: said on the form
  $("error-text").textContent = sentence(error);
  $("error").hidden = false;
}

function clearError() {
  $("error").hidden = true;
  $("error-text").textContent = "";
}

function sentence(error) {
  if (error instanceof ApiError) return error.message;
  console.error(error);
  return "Something went wrong in this page. Reload it and try again.";
}

function setFieldError(input, text) {
  const slot = $(`${input.id}-error`);
  if (slot) slot.textContent = text;
  if (text) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

function clearFormErrors(form) {
  for (const input of form.querySelectorAll("input, textarea")) setFieldError(input, "");
  const slot = form.querySelector(".form-error");
  if (slot) slot.textContent = "";
}

/** Puts each field error of a 422 next to its field; true if any found a field. */
function showFieldErrors(error, fieldsByName) {
  let first = null;
  for (const item of error.errors || []) {
    const name = String(item.pointer || "").split("/")[2];
    const input = fieldsByName[name];
    if (!input || !item.detail) continue;
    const text = String(item.detail);
    setFieldError(input, text.charAt(0).toUpperCase() + text.slice(1) + (text.endsWith(".") ? "" : "."));
    first = first || input;
  }
  if (first) first.focus();
  return first !== null;
}

// ---------------------------------------------------------------- signing in and out

async function signIn(username, password) {
  const token = await api.signIn(username, password);
  saveSession({ username, token: token.access_token, expiresAt: Date.now() + token.expires_in * 1000 });
  try {
    // The profile gives the username as registered (names compare regardless of case).
    const profile = await api.profile();
    saveSession({ ...state.session, username: profile.username });
  } catch {
    // Keep the name as typed.
  }
  if (state.session) enterMailbox();
}

async function submitSignIn(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearFormErrors(form);
  clearError();
  const username = $("sign-in-username").value.trim();
  const password = $("sign-in-password").value;
  if (!username || !password) {
    $("sign-in-error").textContent = "Enter your username and password.";
    (username ? $("sign-in-password") : $("sign-in-username")).focus();
    return;
  }
  await busy(form, async () => {
    try {
      await signIn(username, password);
      form.reset();
    } catch (error) {
      $("sign-in-error").textContent = sentence(error);
      $("sign-in-password").select();
      $("sign-in-password").focus();
    }
  });
}

async function submitRegister(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearFormErrors(form);
  clearError();
  const fields = { username: $("register-username"), email: $("register-email"), password: $("register-password") };
  const username = fields.username.value.trim();
  const email = fields.email.value.trim();
  const password = fields.password.value;
  const problems = [];
  if (!USERNAME.test(username)) {
    problems.push([fields.username, username ? "Use 1 to 64 letters, digits, _, . or -, starting with a letter or digit." : "Choose a username."]);
  }
  if (!email || !fields.email.checkValidity()) problems.push([fields.email, "Enter an email address, such as you@example.com."]);
  if (password.length < 8) problems.push([fields.password, "Use at least 8 characters."]);
  if (problems.length) {
    for (const [input, text] of problems) setFieldError(input, text);
    problems[0][0].focus();
    return;
  }
  await busy(form, async () => {
    try {
      await api.register(username, email, password);
      await signIn(username, password);
      form.reset();
      notify(`Welcome, ${username}. Your account is ready.`);
    } catch (error) {
      if (error.code === "username_taken") {
        setFieldError(fields.username, error.message);
        fields.username.focus();
      } else if (error.code === "email_taken") {
        setFieldError(fields.email, error.message);
        fields.email.focus();
      } else if (!(error.code === "validation_failed" && showFieldErrors(error, fields))) {
        $("register-error").textContent = sentence(error);
      }
    }
  });
}

async function signOut() {
  try {
    await api.signOut();
  } catch {
    // Signed out here whatever the server said: the token is forgotten below.
  }
  endSession("You are signed out.");
}

function endSession(message) {
  const wasSignedIn = state.session !== null;
  live.stop();
  saveSession(null);
  Object.assign(state, { messages: [], nextCursor: null, current: null, lastOpened: null, unread: 0, replyTo: null });
  $("message-list").replaceChildren();
  $("compose-view").reset();
  history.replaceState(null, "", location.pathname);
  showSignedOut();
  if (wasSignedIn && message) {
    if (message.startsWith("You are")) notify(message);
    else $("sign-in-error").textContent = message;
  }
}

function showSignedOut() {
  $("account").hidden = true;
  $("mail-view").hidden = true;
  $("auth-view").hidden = false;
  document.title = "Sign in · mailslot";
  $("sign-in-username").focus();
}

function enterMailbox() {
  $("auth-view").hidden = true;
  $("mail-view").hidden = false;
  $("account").hidden = false;
  $("whoami").textContent = state.session.username;
  live.start();
  refreshUnread();
  route();
}

// ---------------------------------------------------------------- routing

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

function listHash(box, q) {
  return q ? `#/${box}?${new URLSearchParams({ q })}` : `#/${box}`;
}

function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function route() {
  if (!state.session) return;
  clearError();
  if (state.carriedError) {
    showError(state.carriedError);
    state.carriedError = null;
  }
  const next = parseRoute(location.hash);
  state.route = next;
  for (const link of document.querySelectorAll(".boxes a[data-box]")) {
    if (link.dataset.box === next.box && next.name !== "compose") link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  $("list-view").hidden = next.name !== "list";
  $("message-view").hidden = next.name !== "message";
  $("compose-view").hidden = next.name !== "compose";
  if (next.name === "list") showList(next.box, next.q);
  else if (next.name === "message") showMessage(next.box, next.id);
  else showCompose();
}

function setTitle(text) {
  document.title = `${state.unread ? `(${state.unread}) ` : ""}${text} · mailslot`;
}

// ---------------------------------------------------------------- mailboxes

async function showList(box, q = "") {
  const title = BOX_TITLES[box];
  state.box = box;
  state.query = q;
  state.listHash = listHash(box, q);
  state.current = null;
  $("list-title").textContent = q ? `Search in ${title}` : title;
  $("search-label").textContent = `Search ${title}`;
  $("search-input").value = q;
  $("search-status").hidden = !q;
  $("search-summary").textContent = q ? `Messages in ${title} matching “${q}”.` : "";
  $("search-clear").href = `#/${box}`;
  $("trash-hint").hidden = box !== "trash";
  $("list-empty").textContent = q ? `No message in ${title} matches “${q}”.` : "No messages here yet.";
  setTitle(title);
  const request = ++state.listRequest;
  state.messages = [];
  state.nextCursor = null;
  $("message-list").replaceChildren();
  $("list-loading").hidden = false;
  $("list-empty").hidden = true;
  $("load-more").hidden = true;
  try {
    const page = await api.listMessages(box, { q });
    if (request !== state.listRequest) return;
    state.messages = page.messages;
    state.nextCursor = page.next_cursor;
    renderList();
    const opened = state.lastOpened && $("message-list").querySelector(`a[data-id="${state.lastOpened}"]`);
    (opened || $("list-title")).focus();
  } catch (error) {
    if (request === state.listRequest) showError(error);
  } finally {
    if (request === state.listRequest) $("list-loading").hidden = true;
  }
}

async function loadMore() {
  if (!state.nextCursor) return;
  const request = state.listRequest;
  const button = $("load-more");
  await busy(button, async () => {
    try {
      const page = await api.listMessages(state.box, { cursor: state.nextCursor, q: state.query });
      if (request !== state.listRequest) return;
      const known = new Set(state.messages.map((m) => m.id));
      const added = page.messages.filter((m) => !known.has(m.id));
      state.messages.push(...added);
      state.nextCursor = page.next_cursor;
      renderList();
      const first = added.length && $("message-list").querySelector(`a[data-id="${added[0].id}"]`);
      if (first) first.focus();
    } catch (error) {
      showError(error);
    }
  });
}

/** Merges the newest page into the list without losing what "load more" fetched. */
async function refreshTop() {
  if (!state.route || state.route.name !== "list") return;
  const request = state.listRequest;
  try {
    const page = await api.listMessages(state.box, { q: state.query });
    if (request !== state.listRequest) return;
    const fresh = new Map(page.messages.map((m) => [m.id, m]));
    const oldest = page.messages.length ? page.messages[page.messages.length - 1].id : Infinity;
    const kept = state.messages.filter((m) => m.id < oldest || fresh.has(m.id));
    const ids = new Set(kept.map((m) => m.id));
    state.messages = [...page.messages.filter((m) => !ids.has(m.id)), ...kept.map((m) => fresh.get(m.id) || m)];
    state.messages.sort((a, b) => b.id - a.id);
    if (state.messages.length <= page.messages.length) state.nextCursor = page.next_cursor;
    renderList();
  } catch {
    // The next event or navigation tries again.
  }
}

const timeOnly = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const dateOnly = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric" });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "short" });

function shortDate(iso) {
  const date = new Date(iso);
  return date.toDateString() === new Date().toDateString() ? timeOnly.format(date) : dateOnly.format(date);
}

/** One row of a list: who, subject, when; unread ones marked for eyes and for readers. */
function messageItem(message, box) {
  const item = $("message-item").content.firstElementChild.cloneNode(true);
  const unread = box !== "sent" && !message.read;
  item.classList.toggle("unread", unread);
  const link = item.querySelector("a");
  link.href = `#/${box}/${message.id}`;
  link.dataset.id = String(message.id);
  item.dataset.id = String(message.id);
  if (!unread) item.querySelector(".unread-label").remove();
  item.querySelector(".who").textContent = box === "sent" ? `To ${message.receivers.join(", ")}` : message.sender;
  item.querySelector(".subject").textContent = message.subject;
  const when = item.querySelector(".when");
  when.dateTime = message.created_at;
  when.textContent = shortDate(message.created_at);
  return item;
}

function renderList() {
  const list = $("message-list");
  const focusedId = document.activeElement?.closest?.("#message-list a")?.dataset.id;
  list.replaceChildren(...state.messages.map((message) => messageItem(message, state.box)));
  $("list-empty").hidden = state.messages.length > 0;
  $("load-more").hidden = !state.nextCursor;
  if (focusedId) list.querySelector(`a[data-id="${focusedId}"]`)?.focus();
}

// ---------------------------------------------------------------- one message

async function showMessage(box, id) {
  state.lastOpened = id;
  $("message-back").href = state.box === box ? state.listHash : `#/${box}`;
  $("message-back").textContent = `Back to ${BOX_TITLES[box]}`;
  $("thread").hidden = true;
  const view = $("message-view");
  view.classList.add("loading");
  try {
    // Reading a message as its receiver marks it read. A message in the trash is no
    // longer readable on its own (the API's rule), so it is shown from the trash listing.
    const message = box === "trash" ? await findInTrash(id) : await api.getMessage(id);
    if (state.route.name !== "message" || state.route.id !== id) return;
    state.current = message;
    state.currentBox = box;
    renderMessage();
    setTitle(message.subject);
    $("message-subject").focus();
    markListed(id, message.read);
    refreshUnread();
    if (box !== "trash") showThread(message);
  } catch (error) {
    if (error.code === "message_not_found") {
      state.carriedError = error; // shown once the list replaces this view
      navigate(`#/${box}`);
    } else {
      showError(error);
    }
  } finally {
    view.classList.remove("loading");
  }
}

async function findInTrash(id) {
  let message = state.box === "trash" ? state.messages.find((m) => m.id === id) : undefined;
  if (!message) message = (await api.listMessages("trash")).messages.find((m) => m.id === id);
  if (!message) {
    throw new ApiError("That message is not in your trash any more.", { status: 404, code: "message_not_found" });
  }
  return message;
}

/** The other messages of the open message's conversation that this user can see. */
async function showThread(message) {
  try {
    const thread = await api.thread(message.thread_id);
    if (state.current?.id !== message.id) return;
    const others = thread.messages.filter((m) => m.id !== message.id);
    $("thread-list").replaceChildren(...others.map((m) => messageItem(m, isMine(m) ? "sent" : "inbox")));
    $("thread").hidden = others.length === 0;
  } catch {
    $("thread").hidden = true; // the message itself is shown; its conversation is extra
  }
}

function isMine(message) {
  return sameName(message.sender, state.session.username);
}

function isReceived(message) {
  return message.receivers.some((name) => sameName(name, state.session.username));
}

function renderMessage() {
  const message = state.current;
  $("message-subject").textContent = message.subject;
  $("message-sender").textContent = message.sender;
  $("message-receivers").textContent = message.receivers.join(", ");
  $("message-date").dateTime = message.created_at;
  $("message-date").textContent = dateTime.format(new Date(message.created_at));
  $("message-body").textContent = message.message;
  const trashed = state.currentBox === "trash";
  const toggle = $("toggle-read");
  toggle.hidden = trashed || !isReceived(message);
  toggle.textContent = message.read ? "Mark unread" : "Mark read";
  $("reply").hidden = trashed;
  // The API's rules: the sender deletes for every receiver, for good; a receiver moves
  // their copy to their trash, and from there restores it or deletes it for good.
  $("delete-everyone").hidden = trashed || !isMine(message);
  $("remove-mine").hidden = trashed || isMine(message);
  $("restore").hidden = !trashed;
  $("delete-for-good").hidden = !trashed;
}

function markListed(id, read) {
  const listed = state.messages.find((m) => m.id === id);
  if (listed) listed.read = read;
}

async function toggleRead() {
  const message = state.current;
  if (!message) return;
  const button = $("toggle-read");
  await busy(button, async () => {
    try {
      const updated = await api.markRead(message.id, !message.read);
      if (state.current?.id !== message.id) return;
      state.current = updated;
      renderMessage();
      markListed(updated.id, updated.read);
      notify(updated.read ? "Marked as read." : "Marked as unread.");
      refreshUnread();
    } catch (error) {
      showError(error);
    }
  });
}

const DELETIONS = {
  everyone: (message) => ({
    title: "Delete for everyone?",
    text: `“${message.subject}” will disappear from the inbox and trash of ${message.receivers.join(", ")} and from your sent box. This cannot be undone.`,
    action: "Delete for everyone",
    done: "Deleted for everyone.",
  }),
  mine: (message) => ({
    title: "Remove from your inbox?",
    text: `“${message.subject}” will move to your trash, from where you can restore it. ${message.sender} and any other receivers keep their copies.`,
    action: "Remove from my inbox",
    done: "Moved to your trash.",
  }),
  forGood: (message) => ({
    title: "Delete for good?",
    text: `“${message.subject}” will leave your trash and cannot be restored. ${message.sender} and any other receivers keep their copies.`,
    action: "Delete for good",
    done: "Deleted for good.",
    permanent: true,
  }),
};

async function deleteCurrent(kind) {
  const message = state.current;
  if (!message) return;
  const what = DELETIONS[kind](message);
  if (!(await confirmAction(what))) return;
  try {
    await api.deleteMessage(message.id, { permanent: Boolean(what.permanent) });
    forget(message.id, what.done);
  } catch (error) {
    showError(error);
  }
}

async function restoreCurrent() {
  const message = state.current;
  if (!message) return;
  await busy($("restore"), async () => {
    try {
      state.restored.add(message.id);
      await api.restore(message.id);
      forget(message.id, "Restored to your inbox.");
    } catch (error) {
      showError(error);
    }
  });
}

/** The open message left this box: say so and go back to the list. */
function forget(id, notice) {
  state.current = null; // its own live event must not announce it a second time
  state.messages = state.messages.filter((m) => m.id !== id);
  state.lastOpened = null;
  notify(notice);
  navigate(state.box === state.route.box ? state.listHash : `#/${state.route.box}`);
  refreshUnread();
}

function confirmAction({ title, text, action }) {
  const dialog = $("confirm-dialog");
  $("confirm-title").textContent = title;
  $("confirm-text").textContent = text;
  $("confirm-ok").textContent = action;
  dialog.returnValue = "";
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true });
    dialog.showModal();
    $("confirm-cancel").focus(); // the safe choice has the focus
  });
}

// ---------------------------------------------------------------- composing

function showCompose() {
  state.current = null;
  setTitle(state.replyTo ? "Reply" : "New message");
  $("compose-reply").hidden = !state.replyTo;
  $("compose-reply-subject").textContent = state.replyTo ? state.replyTo.subject : "";
  const first = [$("compose-to"), $("compose-subject"), $("compose-message")].find((input) => !input.value);
  (first || $("compose-title")).focus();
}

function reply() {
  const message = state.current;
  if (!message) return;
  const others = [message.sender, ...message.receivers].filter(
    (name, index, all) => !sameName(name, state.session.username) && all.findIndex((n) => sameName(n, name)) === index,
  );
  state.replyTo = { id: message.id, subject: message.subject }; // the reply joins its thread
  clearFormErrors($("compose-view"));
  $("compose-to").value = (others.length ? others : [message.sender]).join(", ");
  $("compose-subject").value = /^re:/i.test(message.subject) ? message.subject : `Re: ${message.subject}`.slice(0, 255);
  $("compose-message").value = "";
  navigate("#/compose");
}

function parseReceivers(text) {
  const seen = new Set();
  return text
    .split(/[\s,;]+/)
    .filter(Boolean)
    .filter((name) => {
      const key = name.toLowerCase();
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

async function submitCompose(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearFormErrors(form);
  clearError();
  const fields = { receivers: $("compose-to"), subject: $("compose-subject"), message: $("compose-message") };
  const receivers = parseReceivers(fields.receivers.value);
  const subject = fields.subject.value.trim();
  const text = fields.message.value;
  const problems = [];
  const invalid = receivers.filter((name) => !USERNAME.test(name));
  if (!receivers.length) problems.push([fields.receivers, "Add at least one receiver."]);
  else if (invalid.length) problems.push([fields.receivers, `Not a username: ${invalid.join(", ")}.`]);
  else if (receivers.length > 100) problems.push([fields.receivers, "Send to at most 100 receivers at once."]);
  if (!subject) problems.push([fields.subject, "Add a subject."]);
  if (!text.trim()) problems.push([fields.message, "Write a message."]);
  if (problems.length) {
    for (const [input, message] of problems) setFieldError(input, message);
    problems[0][0].focus();
    return;
  }
  await busy(form, async () => {
    try {
      const sent = await api.send(receivers, subject, text, state.replyTo?.id);
      form.reset();
      state.replyTo = null;
      notify(`Sent to ${sent.receivers.join(", ")}.`);
      navigate("#/sent");
    } catch (error) {
      if (error.code === "unknown_receiver") {
        setFieldError(fields.receivers, error.message);
        fields.receivers.focus();
      } else if (!(error.code === "validation_failed" && showFieldErrors(error, fields))) {
        $("compose-error").textContent = sentence(error);
      }
    }
  });
}

// ---------------------------------------------------------------- unread badge and live events

async function refreshUnread() {
  if (state.unreadBusy) {
    state.unreadAgain = true; // one more look once this answer is in
    return;
  }
  state.unreadBusy = true;
  try {
    do {
      state.unreadAgain = false;
      const { unread } = await api.unread();
      showUnread(unread);
    } while (state.unreadAgain && state.session);
  } catch {
    // The badge keeps its last count; the next event or navigation tries again.
  } finally {
    state.unreadBusy = false;
  }
}

function showUnread(count) {
  state.unread = count;
  const badge = $("unread-badge");
  badge.dataset.count = String(count);
  badge.hidden = count === 0;
  $("unread-count").textContent = String(count);
  const view = state.route?.name === "message" && state.current ? state.current.subject : null;
  if (state.route) setTitle(view || (state.route.name === "compose" ? "New message" : BOX_TITLES[state.box]));
}

const LIVE_LABELS = { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…", unavailable: "", off: "" };

function showLiveState(live) {
  const slot = $("live-status");
  slot.dataset.state = live;
  slot.textContent = LIVE_LABELS[live] ?? "";
}

function resync() {
  refreshUnread();
  refreshTop();
}

function applyEvent({ type, data }) {
  if (!data || !state.session) return;
  const listing = state.route?.name === "list";
  if (type === "message.created") {
    if (data.box === "inbox") {
      refreshUnread();
      if (!state.restored.delete(data.id)) notify(`New message from ${data.sender}: ${data.subject}`);
    }
    if (data.box === state.box && !state.query && !state.messages.some((m) => m.id === data.id)) {
      const { box, ...message } = data;
      void box;
      state.messages.push(message);
      state.messages.sort((a, b) => b.id - a.id);
      if (listing) renderList();
    }
  } else if (type === "message.updated") {
    markListed(data.id, data.read);
    if (listing) renderList();
    if (state.current && state.current.id === data.id && isReceived(state.current)) {
      state.current = { ...state.current, read: data.read, read_at: data.read_at };
      renderMessage();
    }
    refreshUnread();
  } else if (type === "message.deleted") {
    state.messages = state.messages.filter((m) => m.id !== data.id);
    if (listing) renderList();
    if (state.current && state.current.id === data.id) {
      const bySender = data.scope === "everyone" && !isMine(state.current);
      notify(bySender ? `${state.current.sender} deleted “${state.current.subject}”.` : "This message was deleted.");
      state.lastOpened = null;
      navigate(state.listHash);
    }
    refreshUnread();
  }
}

// ---------------------------------------------------------------- plumbing

/** Disables a form or button while `work` runs, so a double click sends once. */
async function busy(element, work) {
  const controls = element.matches("form") ? element.querySelectorAll("button") : [element];
  for (const control of controls) control.disabled = true;
  element.setAttribute("aria-busy", "true");
  try {
    await work();
  } finally {
    for (const control of controls) control.disabled = false;
    element.removeAttribute("aria-busy");
  }
}

function wire() {
  $("sign-in-form").addEventListener("submit", submitSignIn);
  $("register-form").addEventListener("submit", submitRegister);
  $("sign-out").addEventListener("click", signOut);
  $("error-close").addEventListener("click", clearError);
  $("load-more").addEventListener("click", loadMore);
  $("toggle-read").addEventListener("click", toggleRead);
  $("delete-everyone").addEventListener("click", () => deleteCurrent("everyone"));
  $("remove-mine").addEventListener("click", () => deleteCurrent("mine"));
  $("delete-for-good").addEventListener("click", () => deleteCurrent("forGood"));
  $("restore").addEventListener("click", restoreCurrent);
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    navigate(listHash(state.box, $("search-input").value.trim()));
  });
  // "Compose" starts a new message: a reply in progress is dropped.
  $("compose-link").addEventListener("click", (event) => {
    event.preventDefault();
    if (state.replyTo) {
      state.replyTo = null;
      $("compose-view").reset();
      clearFormErrors($("compose-view"));
    }
    navigate("#/compose");
  });
  $("reply").addEventListener("click", reply);
  $("compose-view").addEventListener("submit", submitCompose);
  $("confirm-ok").addEventListener("click", () => $("confirm-dialog").close("confirm"));
  $("confirm-cancel").addEventListener("click", () => $("confirm-dialog").close("cancel"));
  // The skip link moves focus; it must not become a route.
  document.querySelector(".skip-link").addEventListener("click", (event) => {
    event.preventDefault();
    const target = state.session ? $("main") : $("sign-in-username");
    target.focus();
  });
  window.addEventListener("hashchange", route);
}

function start() {
  wire();
  state.session = loadSession();
  if (state.session) enterMailbox();
  else showSignedOut();
}

start();
