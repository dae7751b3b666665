// mailslot's web client: signing in, mailboxes, reading, composing, deleting, live updates.
// Everything is rendered with textContent (never innerHTML), so message text stays text.
//
// Modules, by concern: state.js (the page's state, changed through update()), session.js,
// router.js, mailbox.js, message.js, compose.js, unread.js, live-events.js; notices.js and
// forms.js speak to people; client.js, api.js and live.js speak to the server. This one
// wires them to the page and starts.

import { onSessionEnded } from "./client.js";
import { composeNew, reply, showCompose, submitCompose } from "./compose.js";
import { $ } from "./dom.js";
import { loadMore, showList } from "./mailbox.js";
import { deleteCurrent, restoreCurrent, showMessage, toggleRead } from "./message.js";
import { clearError } from "./notices.js";
import { listHash, navigate, startRouter } from "./router.js";
import { endSession, enterMailbox, loadSession, showSignedOut, signOut, submitRegister, submitSignIn } from "./session.js";
import { state, update } from "./state.js";

function wire() {
  onSessionEnded(() => endSession({ error: "Your session has ended. Sign in again." }));
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
  $("compose-link").addEventListener("click", (event) => {
    event.preventDefault();
    composeNew();
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
  startRouter({ list: showList, message: showMessage, compose: showCompose });
}

function start() {
  wire();
  update({ session: loadSession() });
  if (state.session) enterMailbox();
  else showSignedOut();
}

start();
