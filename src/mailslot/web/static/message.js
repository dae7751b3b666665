// A conversation: its messages oldest to newest, each with its sender, time and read
// state; the selected one's actions (read state, deletion, restore); the reply box; and
// the live changes to it (a new message of the thread arrives in place).

import { ApiError } from "./api.js";
import { api } from "./client.js";
import { $, busy } from "./dom.js";
import { clearFormErrors, showRefusal, startSubmit, validate } from "./forms.js";
import { dropListed, markListed, markOpen, refreshTop, shortDate, showListBeside } from "./mailbox.js";
import { sameName, shownName, shownReceivers, shownSender } from "./names.js";
import { notify, showError } from "./notices.js";
import { contextLabel, contextUrl, fillAvatar, shownSubject } from "./people.js";
import { BOX_TITLES, WIDE, listHash, navigate, setTitle } from "./router.js";
import { blockTarget, renderBlock } from "./safety.js";
import { state, update } from "./state.js";
import { refreshUnread } from "./unread.js";

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "short" });
let cameFromList = false; // the browser's Back returns to the list: the Back link does the same

export function isMine(message) {
  return sameName(message.sender, state.session.username);
}

export function isReceived(message) {
  return message.receivers.some((name) => sameName(name, state.session.username));
}

function prepare(from, box) {
  cameFromList = Boolean(from && from.name === "list" && listHash(from.box, from.q, from.context) === state.listHash);
  const back = $("message-back");
  back.href = state.listHash;
  back.textContent = `Back to ${BOX_TITLES[state.box] || BOX_TITLES[box]}`;
  if (WIDE.matches && state.listLoaded !== state.listHash) showListBeside();
  $("message-view").classList.add("loading");
}

/** `#/conversations/<id>`: the thread, its newest message selected. */
export async function showConversation(threadId, { from } = {}) {
  if (state.box !== "conversations") update({ box: "conversations", listHash: "#/conversations" });
  prepare(from, "conversations");
  update({ lastOpened: threadId });
  try {
    const page = await api.thread(threadId);
    if (state.route.name !== "conversation" || state.route.threadId !== threadId) return;
    const messages = [...page.messages].reverse();
    update({
      thread: { threadId, context: page.context, messages, earlier: page.next_cursor },
      current: messages[messages.length - 1],
      currentBox: "conversations",
    });
    renderConversation();
    $("message-subject").focus();
    await markThreadRead();
  } catch (error) {
    if (error.code === "thread_not_found") {
      update({ carriedError: error });
      navigate("#/conversations");
    } else {
      showError(error);
    }
  } finally {
    $("message-view").classList.remove("loading");
  }
}

/** `#/inbox/<id>` (or sent, trash): that message, in its conversation. */
export async function showMessage(box, id, { from } = {}) {
  prepare(from, box);
  update({ lastOpened: id });
  try {
    // Reading a message as its receiver marks it read. A message in the trash is no
    // longer readable on its own (the API's rule), so it is shown from the trash listing,
    // alone: its conversation goes on in the inbox.
    const message = box === "trash" ? await findInTrash(id) : await api.getMessage(id);
    if (!stillOn(id)) return;
    let messages = [message];
    let context = message.context;
    let earlier = null;
    if (box !== "trash") {
      try {
        const page = await api.thread(message.thread_id);
        messages = [...page.messages].reverse();
        context = page.context;
        earlier = page.next_cursor;
      } catch {
        // The message itself is shown; its conversation is extra.
      }
      if (!stillOn(id)) return;
    }
    if (!messages.some((m) => m.id === id)) messages = [message, ...messages]; // older than the newest 100
    update({ thread: { threadId: message.thread_id, context, messages, earlier }, current: message, currentBox: box });
    renderConversation();
    $("message-subject").focus();
    markListed(id, message.read);
    refreshUnread();
    if (box !== "trash") await markThreadRead(id);
  } catch (error) {
    if (error.code === "message_not_found") {
      update({ carriedError: error }); // shown once the list replaces this view
      navigate(`#/${box}`);
    } else {
      showError(error);
    }
  } finally {
    $("message-view").classList.remove("loading");
  }
}

const stillOn = (id) => state.route.name === "message" && state.route.id === id;

async function findInTrash(id) {
  let message = state.box === "trash" ? state.messages.find((m) => m.id === id) : undefined;
  if (!message) message = (await api.listMessages("trash")).messages.find((m) => m.id === id);
  if (!message) {
    throw new ApiError("That message is not in your trash any more.", { status: 404, code: "message_not_found" });
  }
  return message;
}

/** Opening a conversation reads it: its unread messages other than the one opened by
 * its address (which the API marked) are marked read at once. */
async function markThreadRead(markedAlready = null) {
  const thread = state.thread;
  const unread = thread.messages.filter((m) => isReceived(m) && !m.read && m.id !== markedAlready);
  if (!unread.length) {
    refreshTop();
    return;
  }
  try {
    await api.markMany(unread.map((m) => m.id), true);
    const ids = new Set(unread.map((m) => m.id));
    if (state.thread !== thread) return;
    setThreadMessages(thread.messages.map((m) => (ids.has(m.id) ? { ...m, read: true } : m)));
    if (ids.has(state.current?.id)) update({ current: { ...state.current, read: true } });
    renderThread();
    renderActions();
  } catch {
    // Left unread; nothing else depends on it.
  }
  refreshUnread();
  refreshTop();
}

function setThreadMessages(messages) {
  update({ thread: { ...state.thread, messages } });
}

function stateText(message) {
  if (!isReceived(message) || isMine(message)) return "Sent";
  return message.read ? "Read" : "Unread";
}

function threadMessage(message) {
  const item = $("thread-message").content.firstElementChild.cloneNode(true);
  item.dataset.id = String(message.id);
  fillAvatar(item.querySelector(".avatar"), message.sender, message.sender_display_name);
  item.querySelector(".who").textContent = isMine(message) ? `${shownSender(message)} (you)` : shownSender(message);
  const link = item.querySelector(".when-link");
  const box = isReceived(message) && !isMine(message) ? "inbox" : "sent";
  link.href = state.currentBox === "trash" ? `#/trash/${message.id}` : `#/${box}/${message.id}`;
  const time = item.querySelector(".when");
  time.dateTime = message.created_at;
  time.textContent = shortDate(message.created_at);
  time.title = dateTime.format(new Date(message.created_at));
  link.setAttribute("aria-label", `${dateTime.format(new Date(message.created_at))}: “${message.subject}”`);
  const readState = item.querySelector(".state");
  readState.textContent = stateText(message);
  readState.dataset.state = readState.textContent.toLowerCase();
  item.classList.toggle("mine", isMine(message));
  item.classList.toggle("unread", readState.dataset.state === "unread");
  if (state.current && state.current.id === message.id) item.setAttribute("aria-current", "true");
  item.querySelector(".body").textContent = message.message;
  return item;
}

function renderThread() {
  const list = $("thread-list");
  list.replaceChildren(...state.thread.messages.map(threadMessage));
  $("thread-earlier").hidden = !state.thread.earlier;
}

/** The page of the conversation before the oldest message shown. */
export async function showEarlier() {
  const thread = state.thread;
  if (!thread || !thread.earlier) return;
  await busy($("thread-earlier"), async () => {
    try {
      const page = await api.thread(thread.threadId, thread.earlier);
      if (state.thread?.threadId !== thread.threadId) return;
      const known = new Set(state.thread.messages.map((m) => m.id));
      const older = [...page.messages].reverse().filter((m) => !known.has(m.id));
      update({ thread: { ...state.thread, messages: [...older, ...state.thread.messages], earlier: page.next_cursor } });
      renderThread();
      const first = older.length && $("thread-list").querySelector(`li[data-id="${older[older.length - 1].id}"] a`);
      (first || $("message-subject")).focus();
    } catch (error) {
      showError(error);
    }
  });
}

function participantsOf(messages) {
  const seen = new Map();
  for (const message of messages) {
    const names = [[message.sender, message.sender_display_name], ...message.receivers.map((n, i) => [n, message.receiver_display_names?.[i]])];
    for (const [name, shown] of names) if (!seen.has(name.toLowerCase())) seen.set(name.toLowerCase(), shownName(name, shown));
  }
  return [...seen.values()];
}

export function renderConversation() {
  const message = state.current;
  const { messages, context } = state.thread;
  $("message-subject").textContent = shownSubject(message);
  setTitle(shownSubject(message));
  $("conversation-people").textContent = `Between ${participantsOf(messages).join(", ")}`;
  const about = $("conversation-context");
  about.hidden = !context;
  if (context) {
    $("context-label").textContent = `About ${contextLabel(context.ref)}`;
    const url = contextUrl(context.ref);
    $("context-link").hidden = !url;
    if (url) {
      $("context-link").href = url;
      $("context-link").textContent = `Open ${contextLabel(context.ref)}`;
    }
    $("context-filter").href = listHash("conversations", "", context.ref);
    $("context-filter").textContent = `All conversations about ${contextLabel(context.ref)}`;
  }
  renderThread();
  renderActions();
  markOpen();
}

export function renderActions() {
  const message = state.current;
  const trashed = state.currentBox === "trash";
  const toggle = $("toggle-read");
  toggle.hidden = trashed || !isReceived(message);
  toggle.textContent = message.read ? "Mark unread" : "Mark read";
  $("reply").hidden = trashed;
  $("reply-form").hidden = trashed;
  // The API's rules: the sender deletes for every receiver, for good; a receiver moves
  // their copy to their trash, and from there restores it or deletes it for good.
  $("delete-everyone").hidden = trashed || !isMine(message);
  $("remove-mine").hidden = trashed || isMine(message);
  $("restore").hidden = !trashed;
  $("delete-for-good").hidden = !trashed;
  $("report").hidden = trashed || isMine(message);
  renderBlock(blockTarget(state.thread.messages, message));
}

/** The reply box: a reply to the selected message, to everyone else in it. */
export async function submitReply(event) {
  const form = startSubmit(event);
  const field = $("reply-text");
  const text = field.value;
  if (!validate([[field, text.trim() ? null : "Write a reply."]])) return;
  const replyTo = state.current;
  await busy(form, async () => {
    try {
      const sent = await api.send({ message: text, replyTo: replyTo.id });
      field.value = "";
      notify(`Sent to ${shownReceivers(sent)}.`);
      receiveInThread(sent);
      field.focus();
    } catch (error) {
      showRefusal(error, { fields: { message: field }, slot: $("reply-error") });
    }
  });
}

export function focusReply() {
  clearFormErrors($("reply-form"));
  $("reply-text").focus();
  $("reply-text").scrollIntoView({ block: "nearest" });
}

/** A message of the open conversation, new to the page: added in place (and read, if
 * received while the conversation is on screen). */
export function receiveInThread(message) {
  const thread = state.thread;
  if (!thread || thread.threadId !== message.thread_id || state.currentBox === "trash") return false;
  if (thread.messages.some((m) => m.id === message.id)) return true;
  setThreadMessages([...thread.messages, message].sort((a, b) => a.id - b.id));
  renderThread();
  $("conversation-people").textContent = `Between ${participantsOf(state.thread.messages).join(", ")}`;
  if (isReceived(message) && !isMine(message) && !message.read && document.visibilityState === "visible") {
    api.markMany([message.id], true).then(() => {
      updateInThread(message.id, true);
      refreshUnread();
      refreshTop();
    }).catch(() => {});
  }
  return true;
}

export function updateInThread(id, read) {
  if (!state.thread || !state.thread.messages.some((m) => m.id === id)) return;
  setThreadMessages(state.thread.messages.map((m) => (m.id === id ? { ...m, read } : m)));
  if (state.current && state.current.id === id && isReceived(state.current)) {
    update({ current: { ...state.current, read } });
    renderActions();
  }
  renderThread();
}

export function dropFromThread(id) {
  if (!state.thread) return;
  setThreadMessages(state.thread.messages.filter((m) => m.id !== id));
  renderThread();
}

export function goBack(event) {
  if (cameFromList && history.length > 1) {
    event.preventDefault();
    history.back();
  }
}

export async function toggleRead() {
  const message = state.current;
  if (!message) return;
  await busy($("toggle-read"), async () => {
    try {
      const updated = await api.markRead(message.id, !message.read);
      if (state.current?.id !== message.id) return;
      update({ current: updated });
      updateInThread(updated.id, updated.read);
      renderActions();
      markListed(updated.id, updated.read);
      notify(updated.read ? "Marked as read." : "Marked as unread.");
      refreshUnread();
      refreshTop();
    } catch (error) {
      showError(error);
    }
  });
}

const DELETIONS = {
  everyone: (message) => ({
    title: "Delete for everyone?",
    text: `“${message.subject}” will disappear from the inbox and trash of ${shownReceivers(message)} and from your sent box. This cannot be undone.`,
    action: "Delete for everyone",
    done: "Deleted for everyone.",
  }),
  mine: (message) => ({
    title: "Remove from your inbox?",
    text: `“${message.subject}” will move to your trash, from where you can restore it. ${shownSender(message)} and any other receivers keep their copies.`,
    action: "Remove from my inbox",
    done: "Moved to your trash.",
  }),
  forGood: (message) => ({
    title: "Delete for good?",
    text: `“${message.subject}” will leave your trash and cannot be restored. ${shownSender(message)} and any other receivers keep their copies.`,
    action: "Delete for good",
    done: "Deleted for good.",
    permanent: true,
  }),
};

/** `kind`: "everyone", "mine" or "forGood" (DELETIONS), once the person confirms. */
export async function deleteCurrent(kind) {
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

export async function restoreCurrent() {
  const message = state.current;
  if (!message) return;
  await busy($("restore"), async () => {
    try {
      update({ restored: new Set(state.restored).add(message.id) });
      await api.restore(message.id);
      forget(message.id, "Restored to your inbox.");
    } catch (error) {
      showError(error);
    }
  });
}

/** The selected message left this box: say so and go back to the list. */
function forget(id, notice) {
  update({ current: null, thread: null, lastOpened: null }); // its own live event must not announce it a second time
  dropListed(id);
  notify(notice);
  navigate(state.listHash);
  refreshUnread();
}

export function confirmAction({ title, text, action }) {
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
