// Live updates applied to the page: the feed (live.js) and what each event changes.

import { api } from "./client.js";
import { $ } from "./dom.js";
import { LiveFeed } from "./live.js";
import { shownSender } from "./names.js";
import { addListed, dropListed, markListed, refreshTop, renderList } from "./mailbox.js";
import { isMine, isReceived, renderMessage } from "./message.js";
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
  const listing = state.route?.name === "list";
  if (type === "message.created") {
    if (data.box === "inbox") {
      refreshUnread();
      if (!wasRestored(data.id)) notify(`New message from ${shownSender(data)}: ${data.subject}`);
    }
    if (data.box === state.box && !state.query && !state.messages.some((m) => m.id === data.id)) {
      const { box, ...message } = data;
      void box;
      addListed(message);
      if (listing) renderList();
    }
  } else if (type === "message.updated") {
    markListed(data.id, data.read);
    if (listing) renderList();
    if (state.current && state.current.id === data.id && isReceived(state.current)) {
      update({ current: { ...state.current, read: data.read, read_at: data.read_at } });
      renderMessage();
    }
    refreshUnread();
  } else if (type === "message.deleted") {
    dropListed(data.id);
    if (listing) renderList();
    if (state.current && state.current.id === data.id) {
      const bySender = data.scope === "everyone" && !isMine(state.current);
      notify(bySender ? `${shownSender(state.current)} deleted “${state.current.subject}”.` : "This message was deleted.");
      update({ lastOpened: null });
      navigate(state.listHash);
    }
    refreshUnread();
  }
}

/** The page's live feed: started on entering the mailbox, stopped when the session ends. */
export const live = new LiveFeed({ api, onEvent: applyEvent, onState: showLiveState, onOpen: resync });
