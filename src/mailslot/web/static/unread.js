// The unread count: the badge beside the inbox and the figure in the page's title.

import { api } from "./client.js";
import { $ } from "./dom.js";
import { BOX_TITLES, setTitle } from "./router.js";
import { state, update } from "./state.js";

let asking = false; // a count is on its way
let askAgain = false; // something changed meanwhile: one more look once it is in

export async function refreshUnread() {
  if (asking) {
    askAgain = true;
    return;
  }
  asking = true;
  try {
    do {
      askAgain = false;
      const { unread } = await api.unread();
      showUnread(unread);
    } while (askAgain && state.session);
  } catch {
    // The badge keeps its last count; the next event or navigation tries again.
  } finally {
    asking = false;
  }
}

function showUnread(count) {
  update({ unread: count });
  const badge = $("unread-badge");
  badge.dataset.count = String(count);
  badge.hidden = count === 0;
  $("unread-count").textContent = String(count);
  const view = state.route?.name === "message" && state.current ? state.current.subject : null;
  if (state.route) setTitle(view || (state.route.name === "compose" ? "New message" : BOX_TITLES[state.box]));
}
