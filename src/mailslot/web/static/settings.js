// Settings: display name, password, signing out everywhere, theme, blocked people, the
// data export and deleting the account.

import { api } from "./client.js";
import { $, busy } from "./dom.js";
import { showRefusal, startSubmit, validate } from "./forms.js";
import { notify, showError } from "./notices.js";
import { fillAvatar } from "./people.js";
import { setTitle } from "./router.js";
import { loadBlocks, renderBlockList } from "./safety.js";
import { state, update } from "./state.js";
import { chooseTheme, savedTheme } from "./theme.js";

const EXPORT_POLL_MS = 1000;
let exportTimer = null;

export async function showSettings() {
  update({ current: null, thread: null });
  setTitle("Settings");
  $("settings-title").focus();
  $("profile-display-name").value = state.displayName || "";
  for (const input of document.querySelectorAll("#theme-choice input")) input.checked = input.value === savedTheme();
  renderBlockList(await loadBlocks());
  try {
    const { exports } = await api.listExports();
    if (exports.length) showExport(exports[0]);
  } catch {
    // No export yet, or none on this server: the button says what to do.
  }
}

/** The signed-in user's name beside "Signed in as". */
export function showMe() {
  $("whoami").textContent = state.session.username;
  fillAvatar($("whoami-avatar"), state.session.username, state.displayName);
}

export async function submitProfile(event) {
  const form = startSubmit(event);
  const field = $("profile-display-name");
  const name = field.value.trim();
  await busy(form, async () => {
    try {
      const profile = await api.updateProfile({ display_name: name || null });
      update({ displayName: profile.display_name });
      showMe();
      notify(name ? `Your display name is now ${name}.` : "Your display name is removed.");
    } catch (error) {
      showRefusal(error, { fields: { display_name: field }, slot: $("profile-error") });
    }
  });
}

export async function submitPassword(event) {
  const form = startSubmit(event);
  const fields = { current_password: $("password-current"), password: $("password-new") };
  const valid = validate([
    [fields.current_password, fields.current_password.value ? null : "Enter your current password."],
    [fields.password, fields.password.value.length < 8 ? "Use at least 8 characters." : null],
  ]);
  if (!valid) return;
  await busy(form, async () => {
    try {
      await api.updateProfile({ current_password: fields.current_password.value, password: fields.password.value });
      form.reset();
      notify("Your password is changed; your other sessions are signed out.");
    } catch (error) {
      const byCode = { wrong_password: fields.current_password, invalid_credentials: fields.current_password, password_too_weak: fields.password };
      showRefusal(error, { fields, byCode, slot: $("password-error") });
    }
  });
}

export function pickTheme(event) {
  if (event.target.name === "theme") chooseTheme(event.target.value);
}

function showExport(job) {
  const status = $("export-status");
  const link = $("export-download");
  clearTimeout(exportTimer);
  if (job.state === "done" && job.download_url) {
    status.textContent = `Your export is ready${job.expires_at ? ` until ${new Date(job.expires_at).toLocaleString()}` : ""}.`;
    link.href = job.download_url;
    link.hidden = false;
    return;
  }
  link.hidden = true;
  if (job.state === "failed") {
    status.textContent = "The export failed. Try again later.";
    return;
  }
  const { done = 0, total = 0 } = job.progress || {};
  status.textContent = total ? `Preparing your export: ${done} of ${total}.` : "Preparing your export…";
  exportTimer = setTimeout(async () => {
    if (!state.session || state.route?.name !== "settings") return;
    try {
      showExport(await api.getExport(job.id));
    } catch (error) {
      showError(error);
    }
  }, EXPORT_POLL_MS);
}

export async function startExport() {
  await busy($("export-start"), async () => {
    try {
      showExport(await api.startExport());
    } catch (error) {
      $("export-status").textContent = error.message;
    }
  });
}

export async function submitDeleteAccount(event, { confirmAction, endSession }) {
  const form = startSubmit(event);
  const field = $("delete-account-password");
  if (!validate([[field, field.value ? null : "Enter your password to confirm."]])) return;
  const ok = await confirmAction({
    title: "Delete your account?",
    text: "Your account and your copies of messages are deleted for good. This cannot be undone.",
    action: "Delete my account",
  });
  if (!ok) return;
  await busy(form, async () => {
    try {
      await api.deleteAccount(field.value);
      endSession({ notice: "Your account is deleted." });
    } catch (error) {
      showRefusal(error, { fields: { password: field }, byCode: { wrong_password: field, invalid_credentials: field }, slot: $("delete-account-error") });
    }
  });
}

export async function signOutEverywhere({ confirmAction, endSession }) {
  const ok = await confirmAction({
    title: "Sign out everywhere?",
    text: "Every session of yours ends, on every device, this one included.",
    action: "Sign out everywhere",
  });
  if (!ok) return;
  try {
    await api.signOutEverywhere();
    endSession({ notice: "You are signed out everywhere." });
  } catch (error) {
    showError(error);
  }
}
