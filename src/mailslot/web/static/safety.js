// Blocking and reporting (issue 22's routes): Block or Unblock the other person of a
// conversation, Report a message received, and the blocked list in settings.

import { api } from "./client.js";
import { $, busy } from "./dom.js";
import { nameKey, sameName, shownName } from "./names.js";
import { notify, showError } from "./notices.js";
import { state, update } from "./state.js";

let target = null; // {username, displayName}: whom the Block button names

/** Who a Block in this conversation is about: the selected message's sender, or for a
 * message of one's own, its first receiver who is someone else. */
export function blockTarget(messages, current) {
  const me = state.session.username;
  if (!sameName(current.sender, me)) return { username: current.sender, displayName: current.sender_display_name };
  const index = current.receivers.findIndex((name) => !sameName(name, me));
  if (index < 0) return null;
  return { username: current.receivers[index], displayName: current.receiver_display_names?.[index] };
}

export function renderBlock(who) {
  target = who;
  const button = $("block");
  button.hidden = !who || who.username.startsWith("@");
  if (!who) return;
  const blocked = state.blocked.has(nameKey(who.username));
  button.textContent = `${blocked ? "Unblock" : "Block"} ${shownName(who.username, who.displayName)}`;
  button.dataset.blocked = String(blocked);
}

/** The people this user blocked, kept for the Block buttons; an older server has no
 * blocks (404): nobody is blocked there. */
export async function loadBlocks() {
  try {
    const { blocks } = await api.blocks();
    update({ blocked: new Set(blocks.map((b) => nameKey(b.username))) });
    return blocks;
  } catch {
    update({ blocked: new Set() });
    return null;
  }
}

export async function toggleBlock(confirmAction) {
  const who = target;
  if (!who) return;
  const name = shownName(who.username, who.displayName);
  const blocked = state.blocked.has(nameKey(who.username));
  if (!blocked) {
    const ok = await confirmAction({
      title: `Block ${name}?`,
      text: `${name} will not be able to send you messages. They are not told. You can unblock them in Settings.`,
      action: "Block",
    });
    if (!ok) return;
  }
  await busy($("block"), async () => {
    try {
      if (blocked) await api.unblock(who.username);
      else await api.block(who.username);
      const next = new Set(state.blocked);
      if (blocked) next.delete(nameKey(who.username));
      else next.add(nameKey(who.username));
      update({ blocked: next });
      renderBlock(who);
      notify(blocked ? `You unblocked ${name}.` : `You blocked ${name}.`);
    } catch (error) {
      showError(error);
    }
  });
  $("block").focus(); // enabled again: the focus stays on what was pressed
}

export function renderBlockList(blocks) {
  const list = $("blocks-list");
  $("blocks-empty").hidden = Boolean(blocks && blocks.length);
  if (blocks === null) $("blocks-empty").textContent = "Blocking is not available on this server.";
  list.replaceChildren(
    ...(blocks || []).map((block) => {
      const item = document.createElement("li");
      const name = shownName(block.username, block.display_name);
      const label = document.createElement("span");
      label.textContent = name;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button secondary small";
      button.textContent = `Unblock ${name}`;
      button.addEventListener("click", async () => {
        try {
          await api.unblock(block.username);
          notify(`You unblocked ${name}.`);
          renderBlockList(await loadBlocks());
          $("blocks-title").focus();
        } catch (error) {
          showError(error);
        }
      });
      item.append(label, " ", button);
      return item;
    }),
  );
}

/** Report the selected message: a reason and an optional note, sent once confirmed. */
export function openReport() {
  const dialog = $("report-dialog");
  $("report-form").reset();
  dialog.showModal();
  $("report-form").querySelector("input[name=reason]:checked").focus();
}

export async function sendReport() {
  const message = state.current;
  const form = $("report-form");
  const reason = form.querySelector("input[name=reason]:checked").value;
  const note = $("report-note").value.trim();
  await busy($("report-send"), async () => {
    try {
      await api.report(message.id, reason, note || undefined);
      $("report-dialog").close();
      notify("Thank you: the report is sent to the moderators.");
      $("report").focus();
    } catch (error) {
      $("report-dialog").close();
      showError(error);
    }
  });
}
