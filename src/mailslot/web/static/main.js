// mailslot's web client: signing in, conversations and mailboxes, reading, replying,
// composing, deleting, settings, live updates. Everything is rendered with textContent
// (never innerHTML), so message text stays text.
//
// Modules, by concern: state.js (the page's state, changed through update()), session.js,
// router.js, mailbox.js (lists), message.js (a conversation), compose.js, settings.js,
// safety.js (block, report), unread.js, live-events.js; people.js, notices.js and
// forms.js speak to people; theme.js keeps the chosen theme; client.js, api.js and
// live.js speak to the server. This one wires them to the page and starts.

import { onSessionEnded } from "./client.js";
import { composeNew, showCompose, submitCompose, suggestContacts } from "./compose.js";
import { $ } from "./dom.js";
import { loadMore, showList, showListBeside } from "./mailbox.js";
import {
  confirmAction,
  deleteCurrent,
  focusReply,
  goBack,
  restoreCurrent,
  showConversation,
  showEarlier,
  showMessage,
  submitReply,
  toggleRead,
} from "./message.js";
import { clearError } from "./notices.js";
import { listHash, navigate, startRouter } from "./router.js";
import { openReport, sendReport, toggleBlock } from "./safety.js";
import { endSession, enterMailbox, loadClientSettings, loadSession, showSignedOut, signOut, submitRegister, submitSignIn } from "./session.js";
import { pickTheme, showSettings, signOutEverywhere, startExport, submitDeleteAccount, submitPassword, submitProfile } from "./settings.js";
import { state, update } from "./state.js";
import { applyTheme } from "./theme.js";

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
  $("message-back").addEventListener("click", goBack);
  $("thread-earlier").addEventListener("click", showEarlier);
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    navigate(listHash(state.box, $("search-input").value.trim()));
  });
  $("compose-link").addEventListener("click", (event) => {
    event.preventDefault();
    composeNew();
  });
  $("compose-to").addEventListener("input", suggestContacts);
  $("compose-to").addEventListener("focus", suggestContacts);
  $("reply").addEventListener("click", focusReply);
  $("reply-form").addEventListener("submit", submitReply);
  $("reply-text").addEventListener("keydown", (event) => {
    // Ctrl+Enter (or Cmd+Enter) sends, as in most chat boxes; Enter alone is a new line.
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) $("reply-form").requestSubmit();
  });
  $("compose-view").addEventListener("submit", submitCompose);
  $("block").addEventListener("click", () => toggleBlock(confirmAction));
  $("report").addEventListener("click", openReport);
  $("report-send").addEventListener("click", sendReport);
  $("report-cancel").addEventListener("click", () => $("report-dialog").close());
  $("profile-form").addEventListener("submit", submitProfile);
  $("password-form").addEventListener("submit", submitPassword);
  $("theme-choice").addEventListener("change", pickTheme);
  $("sign-out-everywhere").addEventListener("click", () => signOutEverywhere({ confirmAction, endSession }));
  $("export-start").addEventListener("click", startExport);
  $("delete-account-form").addEventListener("submit", (event) => submitDeleteAccount(event, { confirmAction, endSession }));
  $("confirm-ok").addEventListener("click", () => $("confirm-dialog").close("confirm"));
  $("confirm-cancel").addEventListener("click", () => $("confirm-dialog").close("cancel"));
  // The skip link moves focus; it must not become a route.
  document.querySelector(".skip-link").addEventListener("click", (event) => {
    event.preventDefault();
    const target = state.session ? $("main") : $("sign-in-username");
    target.focus();
  });
  startRouter({
    list: showList,
    listBeside: showListBeside,
    conversation: showConversation,
    message: showMessage,
    compose: showCompose,
    settings: showSettings,
  });
}

function start() {
  applyTheme();
  wire();
  loadClientSettings();
  update({ session: loadSession() });
  if (state.session) enterMailbox();
  else showSignedOut();
}

start();
