// Writing a new message; the To field offers the people one wrote with as one types.
// (Replies are written in the conversation's reply box: message.js.)

import { api } from "./client.js";
import { $, busy } from "./dom.js";
import { clearFormErrors, showRefusal, startSubmit, validate } from "./forms.js";
import { USERNAME, nameKey, shownName, shownReceivers } from "./names.js";
import { notify } from "./notices.js";
import { navigate, setTitle } from "./router.js";
import { state, update } from "./state.js";

export function showCompose(to = "") {
  update({ current: null, thread: null });
  setTitle("New message");
  if (to && USERNAME.test(to) && !$("compose-to").value) $("compose-to").value = to;
  const first = [$("compose-to"), $("compose-subject"), $("compose-message")].find((input) => !input.value);
  (first || $("compose-title")).focus();
}

/** "Compose" starts a new message, keeping what was typed before. */
export function composeNew() {
  clearFormErrors($("compose-view"));
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

let contactsRequest = 0;

/** Offers the people one wrote with whose name begins with the last name typed: each
 * option is the whole field with that name completed (a datalist completes the value). */
export async function suggestContacts() {
  const field = $("compose-to");
  const text = field.value;
  const cut = Math.max(text.lastIndexOf(","), text.lastIndexOf(" "), text.lastIndexOf(";"));
  const before = text.slice(0, cut + 1);
  const typed = text.slice(cut + 1).trim();
  const request = ++contactsRequest;
  try {
    const { contacts } = await api.contacts(typed);
    if (request !== contactsRequest) return;
    const already = new Set(parseReceivers(before).map(nameKey));
    const lead = before.trim() ? `${before.replace(/[\s,;]*$/, "")}, ` : "";
    $("contacts-list").replaceChildren(
      ...contacts
        .filter((c) => !already.has(nameKey(c.username)))
        .map((c) => {
          const option = document.createElement("option");
          option.value = `${lead}${c.username}`;
          option.label = shownName(c.username, c.display_name);
          return option;
        }),
    );
  } catch {
    // No suggestions: the field still takes any name.
  }
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
      const sent = await api.send({ receivers, subject, message: text });
      form.reset();
      notify(`Sent to ${shownReceivers(sent)}.`);
      navigate(`#/conversations/${sent.thread_id}`);
    } catch (error) {
      showRefusal(error, { fields, byCode: { unknown_receiver: fields.receivers, receiver_deactivated: fields.receivers }, slot: $("compose-error") });
    }
  });
}
