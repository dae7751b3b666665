// Live updates applied to the page: the feed (live.js) and what each event changes.

import { api } from "./client.js";
import { $ } from "./dom.js";
import { LiveFeed } from "./live.js";
import { shownSender } from "./names.js";
import { addListed, dropListed, markListed, refreshTop, renderList } from "./mailbox.js";
import { dropFromThread, isMine, receiveInThread, updateInThread } from "./message.js";
import { notify } from "./notices.js";
import { navigate } from "./router.js";
import { state, update } from "./state.js";
import { refreshUnread } from "./unread.js";

const LIVE_LABELS = { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…", unavailable: "", off: "" };

function showLiveState(live) {
  const slot = $("live-status");
  slot.dataset.state = live;
  slot.textContent = LIVE_LABELS[live] ?? "";
}

/** On every (re)connection: what events cannot replay. */
function resync() {
  refreshUnread();
  refreshTop();
}

/** True once for a message this page restored: back in the inbox, but not new mail. */
function wasRestored(id) {
  if (!state.restored.has(id)) return false;
  const restored = new Set(state.restored);
  restored.delete(id);
  update({ restored });
  return true;
}

function applyEvent({ type, data }) {
  if (!data || !state.session) return;
  const listing = state.listLoaded !== null && state.box !== "conversations";
  if (type === "message.created") {
    const { box, ...message } = data;
    const inPlace = receiveInThread(message);
    if (box === "inbox") {
      refreshUnread();
      if (!wasRestored(data.id) && !inPlace) notify(`New message from ${shownSender(data)}: ${data.subject}`);
    }
    if (state.box === "conversations") refreshTop();
    else if (box === state.box && !state.query && !state.messages.some((m) => m.id === data.id)) {
      addListed(message);
      if (listing) renderList();
    }
  } else if (type === "message.updated") {
    markListed(data.id, data.read);
    if (listing) renderList();
    updateInThread(data.id, data.read);
    if (state.box === "conversations") refreshTop();
    refreshUnread();
  } else if (type === "message.deleted") {
    dropListed(data.id);
    if (listing) renderList();
    if (state.box === "conversations") refreshTop();
    if (state.current && state.current.id === data.id) {
      const bySender = data.scope === "everyone" && !isMine(state.current);
      notify(bySender ? `${shownSender(state.current)} deleted “${state.current.subject}”.` : "This message was deleted.");
      update({ lastOpened: null, current: null, thread: null });
      navigate(state.listHash);
    } else {
      dropFromThread(data.id);
    }
    refreshUnread();
  }
}

/** The page's live feed: started on entering the mailbox, stopped when the session ends. */
export const live = new LiveFeed({ api, onEvent: applyEvent, onState: showLiveState, onOpen: resync });
