// One message: reading it, its conversation, marking it read or unread, deleting and
// restoring it.

import { ApiError } from "./api.js";
import { api } from "./client.js";
import { $, busy } from "./dom.js";
import { dropListed, markListed, messageItem } from "./mailbox.js";
import { sameName, shownReceivers, shownSender } from "./names.js";
import { notify, showError } from "./notices.js";
import { BOX_TITLES, navigate, setTitle } from "./router.js";
import { state, update } from "./state.js";
import { refreshUnread } from "./unread.js";

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "short" });

export async function showMessage(box, id) {
  update({ lastOpened: id });
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
    update({ current: message, currentBox: box });
    renderMessage();
    setTitle(message.subject);
    $("message-subject").focus();
    markListed(id, message.read);
    refreshUnread();
    if (box !== "trash") showThread(message);
  } catch (error) {
    if (error.code === "message_not_found") {
      update({ carriedError: error }); // shown once the list replaces this view
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

export function isMine(message) {
  return sameName(message.sender, state.session.username);
}

export function isReceived(message) {
  return message.receivers.some((name) => sameName(name, state.session.username));
}

export function renderMessage() {
  const message = state.current;
  $("message-subject").textContent = message.subject;
  $("message-sender").textContent = shownSender(message);
  $("message-receivers").textContent = shownReceivers(message);
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

export async function toggleRead() {
  const message = state.current;
  if (!message) return;
  const button = $("toggle-read");
  await busy(button, async () => {
    try {
      const updated = await api.markRead(message.id, !message.read);
      if (state.current?.id !== message.id) return;
      update({ current: updated });
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

/** The open message left this box: say so and go back to the list. */
function forget(id, notice) {
  update({ current: null, lastOpened: null }); // its own live event must not announce it a second time
  dropListed(id);
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
