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
  const reading = state.route && ["message", "conversation"].includes(state.route.name) && state.current;
  const titles = { compose: "New message", settings: "Settings" };
  if (state.route) setTitle(reading ? state.current.subject : titles[state.route.name] || BOX_TITLES[state.box]);
}
