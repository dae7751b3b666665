// Signing in, registering and signing out; the session kept for the tab's lifetime.

import { api } from "./client.js";
import { $, busy } from "./dom.js";
import { showRefusal, startSubmit, validate } from "./forms.js";
import { live } from "./live-events.js";
import { USERNAME } from "./names.js";
import { notify, sentence } from "./notices.js";
import { route } from "./router.js";
import { loadBlocks } from "./safety.js";
import { showMe } from "./settings.js";
import { clearMailbox, state, update } from "./state.js";
import { refreshUnread } from "./unread.js";

// sessionStorage, not localStorage: the session survives a reload but ends with the tab,
// is never shared with other tabs, and so is gone from a shared computer once the tab is
// closed. The token itself expires after MAILSLOT_TOKEN_TTL (an hour by default).
const SESSION_KEY = "mailslot.session";

/** The session this tab saved, if it has not expired. */
export function loadSession() {
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
  update({ session });
  if (session) sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  else sessionStorage.removeItem(SESSION_KEY);
}

async function signIn(username, password) {
  const token = await api.signIn(username, password);
  saveSession({ username, token: token.access_token, expiresAt: Date.now() + token.expires_in * 1000 });
  if (state.session) enterMailbox();
}

export async function submitSignIn(event) {
  const form = startSubmit(event);
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

export async function submitRegister(event) {
  const form = startSubmit(event);
  const fields = { username: $("register-username"), email: $("register-email"), password: $("register-password") };
  const username = fields.username.value.trim();
  const email = fields.email.value.trim();
  const password = fields.password.value;
  const valid = validate([
    [
      fields.username,
      USERNAME.test(username)
        ? null
        : username
          ? "Use 1 to 64 letters, digits, _, . or -, starting with a letter or digit."
          : "Choose a username.",
    ],
    [
      fields.email,
      email && fields.email.checkValidity() ? null : "Enter an email address, such as you@example.com.",
    ],
    [fields.password, password.length < 8 ? "Use at least 8 characters." : null],
  ]);
  if (!valid) return;
  await busy(form, async () => {
    try {
      await api.register(username, email, password);
      await signIn(username, password);
      form.reset();
      notify(`Welcome, ${username}. Your account is ready.`);
    } catch (error) {
      const byCode = { username_taken: fields.username, email_taken: fields.email };
      showRefusal(error, { fields, byCode, slot: $("register-error") });
    }
  });
}

export async function signOut() {
  try {
    await api.signOut();
  } catch {
    // Signed out here whatever the server said: the token is forgotten below.
  }
  endSession({ notice: "You are signed out." });
}

/**
 * Back to the sign-in form. Said to the person who was signed in: `notice` in the banner
 * (they chose it), or `error` on the sign-in form (the API ended the session).
 */
export function endSession({ notice, error } = {}) {
  const wasSignedIn = state.session !== null;
  live.stop();
  saveSession(null);
  clearMailbox();
  $("message-list").replaceChildren();
  $("thread-list").replaceChildren();
  $("compose-view").reset();
  $("reply-form").reset();
  history.replaceState(null, "", location.pathname);
  showSignedOut();
  if (!wasSignedIn) return;
  if (notice) notify(notice);
  else if (error) $("sign-in-error").textContent = error;
}

export function showSignedOut() {
  $("account").hidden = true;
  $("mail-view").hidden = true;
  $("auth-view").hidden = false;
  document.title = "Sign in · mailslot";
  $("sign-in-username").focus();
}

export async function enterMailbox() {
  try {
    // The profile gives the username as registered (names compare regardless of case)
    // and the display name.
    const profile = await api.profile();
    saveSession({ ...state.session, username: profile.username });
    update({ displayName: profile.display_name });
  } catch {
    // Keep the name as typed; a session the API ended is handled by the client.
  }
  if (!state.session) return;
  $("auth-view").hidden = true;
  $("mail-view").hidden = false;
  $("account").hidden = false;
  showMe();
  live.start();
  refreshUnread();
  loadBlocks();
  route();
}

/** What the operator set for the page (context links); the defaults if unreachable. */
export async function loadClientSettings() {
  try {
    update({ clientSettings: await api.clientSettings() });
  } catch {
    // No links: contexts show as labels.
  }
}
