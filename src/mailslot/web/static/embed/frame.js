// The embeddable inbox, inside the frame <mailslot-inbox> (element.js) puts in a host's
// page: it waits for the host's token and options by postMessage (host.js), then shows
// the conversations, one conversation, or a compose form for a signed context, live, and
// tells the host what changes (the unread count, the conversation opened, a send).
//
// Messages from the host:  init {user, token, conversation?, context?, contextToken?,
//                          subject?, theme?} · token {token, user?} · view {conversation?,
//                          context?, contextToken?, subject?}
// Messages to the host:    ready · opened · unread {count} · conversation {thread_id,
//                          subject, context} · sent {id, thread_id} · token-expired

import { LiveFeed } from "../live.js";
import { announce, framed, listen, tell } from "./host.js";
import { api, conversations, hasCredentials, onExpired, readContextToken, sendSigned, thread, useCredentials } from "./inbox.js";
import { renderCompose, renderList, renderThread, show, showProblem, showStatus } from "./views.js";

const $ = (id) => document.getElementById(id);

// The host's look, by --mailslot-* variables only (element.js lists those it sends,
// frame.css reads them).
const THEME_NAME = /^--mailslot-[a-z]+(-[a-z]+)*$/;
const THEME_VALUE = /^[\w\s#%(),.'"+\-/]{1,200}$/;

const state = {
  user: null,
  options: {}, // the host's: conversation, context, contextToken, subject
  view: null, // {name: "list"} | {name: "conversation", threadId, single} | {name: "compose", context}
  unread: null, // the count last told to the host
  expired: false, // the token was refused: waiting for a new one
};

const text = (value, max) => (typeof value === "string" && value.length <= max ? value : null);

function readOptions(message) {
  const conversation = Number(message.conversation);
  return {
    conversation: Number.isSafeInteger(conversation) && conversation > 0 ? conversation : null,
    context: text(message.context, 200),
    contextToken: text(message.contextToken, 8192),
    subject: text(message.subject, 255),
  };
}

function applyTheme(theme) {
  if (!theme || typeof theme !== "object") return;
  const root = document.documentElement.style;
  for (const name of [...root].filter((name) => name.startsWith("--mailslot-"))) root.removeProperty(name);
  for (const [name, value] of Object.entries(theme)) {
    if (!THEME_NAME.test(name) || typeof value !== "string") continue;
    if (THEME_VALUE.test(value.trim()) && !/url\s*\(/i.test(value)) root.setProperty(name, value.trim());
  }
}

// -- the views

/** Runs `load` once at a time; a call meanwhile runs it once more after. */
function coalesced(load) {
  let running = null;
  let again = false;
  const run = async () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await load();
      } while (again);
    })().finally(() => {
      running = null;
    });
    return running;
  };
  return run;
}

async function guarded(work) {
  try {
    await work();
    showProblem("");
  } catch (error) {
    if (error.status === 401) return; // token-expired is told; the host sends a new one
    showProblem(error.message);
  }
}

const reload = coalesced(() =>
  guarded(async () => {
    const view = state.view;
    if (!view || !hasCredentials()) return;
    if (view.name === "list") {
      const items = await conversations(state.options.context);
      if (state.view !== view) return;
      renderList(items, { me: state.user, context: state.options.context, open: (id) => openConversation(id, { focus: true }) });
      show("list");
    } else if (view.name === "conversation") {
      const page = await thread(view.threadId);
      if (state.view !== view) return;
      view.page = page;
      renderThread(page, { me: state.user, single: view.single });
      show("conversation");
      await markRead(page.messages);
    } else if (view.name === "compose") {
      renderCompose(view.context, state.options.subject);
      show("compose");
    }
  }),
);

async function markRead(messages) {
  const unread = messages.filter((message) => !message.read);
  try {
    await Promise.all(unread.map((message) => api.markRead(message.id, true)));
  } catch (error) {
    if (error.code !== "read_only_token") throw error; // a read-only widget only reads
  }
  if (unread.length) refreshUnread();
}

async function openConversation(threadId, { single = false, focus = false } = {}) {
  state.view = { name: "conversation", threadId, single };
  $("reply-form").reset();
  await reload();
  const { page } = state.view;
  if (state.view.threadId !== threadId || !page) return;
  tell("conversation", {
    thread_id: threadId,
    subject: page.messages[0]?.subject ?? null,
    context: page.context?.ref ?? null,
  });
  if (focus) $("conversation-title").focus();
}

async function showList({ focus = false } = {}) {
  state.view = { name: "list" };
  await reload();
  if (focus) $("list-title").focus();
}

/** The first view: what the host asked for. */
async function openRequested() {
  const { conversation, contextToken } = state.options;
  if (contextToken) {
    const context = readContextToken(contextToken);
    if (!context) {
      showStatus("This link to a conversation is not valid.");
      return;
    }
    // The conversation about this context, if there is one already; else a new one.
    let items = [];
    await guarded(async () => {
      items = await conversations(context.ref);
    });
    if (items.length) await openConversation(items[0].message.thread_id, { single: true });
    else {
      state.view = { name: "compose", context };
      await reload();
    }
  } else if (conversation) await openConversation(conversation, { single: true });
  else await showList();
  tell("opened");
}

// -- the unread count and live updates

const refreshUnread = coalesced(async () => {
  if (!hasCredentials()) return;
  try {
    const { unread } = await api.unread();
    if (unread !== state.unread) {
      state.unread = unread;
      tell("unread", { count: unread });
    }
  } catch {
    // The next event or (re)connection asks again.
  }
});

function applyEvent({ type, data }) {
  if (!data) return;
  refreshUnread();
  const view = state.view;
  if (view?.name === "conversation" && type === "message.created" && data.thread_id !== view.threadId) return;
  if (view?.name !== "compose") reload();
}

const live = new LiveFeed({
  api,
  onEvent: applyEvent,
  onState: () => {},
  onOpen: () => {
    refreshUnread();
    reload();
  },
});

// -- sending

async function submitReply(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const body = $("reply-text").value.trim();
  const last = [...document.querySelectorAll("#thread > li")].pop();
  if (!body || !last) {
    $("reply-error").textContent = "Write a reply first.";
    $("reply-text").focus();
    return;
  }
  const title = $("conversation-title").textContent;
  const subject = /^re:/i.test(title) ? title : `Re: ${title}`;
  await sending(form, $("reply-error"), async () => {
    const sent = await api.send({ subject: subject.slice(0, 255), message: body, replyTo: Number(last.dataset.id) });
    form.reset();
    tell("sent", { id: sent.id, thread_id: sent.thread_id });
    await reload();
  });
}

async function submitCompose(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const subject = $("compose-subject").value.trim();
  const body = $("compose-text").value.trim();
  if (!subject || !body) {
    $("compose-error").textContent = subject ? "Write a message first." : "Give the message a subject.";
    (subject ? $("compose-text") : $("compose-subject")).focus();
    return;
  }
  await sending(form, $("compose-error"), async () => {
    const sent = await sendSigned(state.options.contextToken, subject, body);
    form.reset();
    tell("sent", { id: sent.id, thread_id: sent.thread_id });
    await openConversation(sent.thread_id, { single: true, focus: true });
  });
}

async function sending(form, slot, work) {
  slot.textContent = "";
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    await work();
  } catch (error) {
    slot.textContent = error.message;
  } finally {
    button.disabled = false;
  }
}

// -- the host's messages

function signIn(user, token) {
  if (typeof token !== "string" || !token || token.length > 512) return false;
  if (user !== undefined) {
    if (typeof user !== "string" || !/^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$/.test(user)) return false;
    state.user = user;
  }
  if (!state.user) return false;
  useCredentials(state.user, token);
  state.expired = false;
  return true;
}

function receive(message) {
  if (message.type === "init") {
    applyTheme(message.theme);
    state.options = readOptions(message);
    if (!signIn(message.user, message.token)) {
      showStatus("The page gave no valid user and token.");
      return;
    }
    live.stop();
    live.start();
    refreshUnread();
    openRequested();
  } else if (message.type === "token" && state.user) {
    if (!signIn(message.user, message.token)) return;
    live.stop();
    live.start(); // with the new token: a ticket, then the stream
    refreshUnread();
    reload();
  } else if (message.type === "view" && hasCredentials()) {
    state.options = readOptions(message);
    openRequested();
  } else if (message.type === "theme") {
    applyTheme(message.theme);
  }
}

function start() {
  onExpired(() => {
    if (state.expired) return;
    state.expired = true;
    live.stop();
    tell("token-expired");
  });
  $("reply-form").addEventListener("submit", submitReply);
  $("compose-view").addEventListener("submit", submitCompose);
  $("back").addEventListener("click", () => showList({ focus: true }));
  if (!framed()) {
    showStatus("This page shows a mailbox inside a host's page. Open mailslot's own page at / instead.");
    return;
  }
  listen(receive);
  announce();
}

start();
