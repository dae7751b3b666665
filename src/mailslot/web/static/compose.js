// Writing a message: a new one, or a reply that joins its conversation.

import { api } from "./client.js";
import { $, busy } from "./dom.js";
import { clearFormErrors, showRefusal, startSubmit, validate } from "./forms.js";
import { USERNAME, nameKey, sameName, shownReceivers } from "./names.js";
import { notify } from "./notices.js";
import { navigate, setTitle } from "./router.js";
import { state, update } from "./state.js";

export function showCompose() {
  update({ current: null });
  setTitle(state.replyTo ? "Reply" : "New message");
  $("compose-reply").hidden = !state.replyTo;
  $("compose-reply-subject").textContent = state.replyTo ? state.replyTo.subject : "";
  const first = [$("compose-to"), $("compose-subject"), $("compose-message")].find((input) => !input.value);
  (first || $("compose-title")).focus();
}

/** "Compose" starts a new message: a reply in progress is dropped. */
export function composeNew() {
  if (state.replyTo) {
    update({ replyTo: null });
    $("compose-view").reset();
    clearFormErrors($("compose-view"));
  }
  navigate("#/compose");
}

export function reply() {
  const message = state.current;
  if (!message) return;
  const others = [message.sender, ...message.receivers].filter(
    (name, index, all) => !sameName(name, state.session.username) && all.findIndex((n) => sameName(n, name)) === index,
  );
  update({ replyTo: { id: message.id, subject: message.subject } }); // the reply joins its thread
  clearFormErrors($("compose-view"));
  $("compose-to").value = (others.length ? others : [message.sender]).join(", ");
  $("compose-subject").value = /^re:/i.test(message.subject) ? message.subject : `Re: ${message.subject}`.slice(0, 255);
  $("compose-message").value = "";
  navigate("#/compose");
}

function parseReceivers(text) {
  const seen = new Set();
  return text
    .split(/[\s,;]+/)
    .filter(Boolean)
    .filter((name) => {
      const key = nameKey(name);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

function receiversProblem(receivers) {
  const invalid = receivers.filter((name) => !USERNAME.test(name));
  if (!receivers.length) return "Add at least one receiver.";
  if (invalid.length) return `Not a username: ${invalid.join(", ")}.`;
  if (receivers.length > 100) return "Send to at most 100 receivers at once.";
  return null;
}

export async function submitCompose(event) {
  const form = startSubmit(event);
  const fields = { receivers: $("compose-to"), subject: $("compose-subject"), message: $("compose-message") };
  const receivers = parseReceivers(fields.receivers.value);
  const subject = fields.subject.value.trim();
  const text = fields.message.value;
  const valid = validate([
    [fields.receivers, receiversProblem(receivers)],
    [fields.subject, subject ? null : "Add a subject."],
    [fields.message, text.trim() ? null : "Write a message."],
  ]);
  if (!valid) return;
  await busy(form, async () => {
    try {
      const sent = await api.send(receivers, subject, text, state.replyTo?.id);
      form.reset();
      update({ replyTo: null });
      notify(`Sent to ${shownReceivers(sent)}.`);
      navigate("#/sent");
    } catch (error) {
      showRefusal(error, { fields, byCode: { unknown_receiver: fields.receivers, receiver_deactivated: fields.receivers }, slot: $("compose-error") });
    }
  });
}
