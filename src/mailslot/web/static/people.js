// People and what conversations are about, as the page shows them: initials avatars,
// display names, context labels and the host's links for them.

import { nameKey, shownName } from "./names.js";
import { state } from "./state.js";

/** Up to two initials: of the display name's first and last words, else of the username. */
export function initials(username, displayName) {
  const words = (displayName || "").trim().split(/\s+/).filter(Boolean);
  if (words.length) {
    const first = Array.from(words[0])[0];
    const last = words.length > 1 ? Array.from(words[words.length - 1])[0] : "";
    return (first + last).toUpperCase();
  }
  return Array.from(username)[0].toUpperCase();
}

// Backgrounds for white initials, each at least 4.5:1 against white (WCAG AA).
const HUES = ["#1d4ed8", "#7c3aed", "#be123c", "#047857", "#b45309", "#0e7490", "#4d7c0f", "#a21caf"];

function hueOf(username) {
  let hash = 0;
  for (const char of nameKey(username)) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash % HUES.length;
}

/** Fills an avatar element for this person (the page has no inline styles: a class
 * picks its colour). */
export function fillAvatar(element, username, displayName) {
  element.textContent = initials(username, displayName);
  element.dataset.hue = String(hueOf(username));
  element.title = shownName(username, displayName);
}

/** "Order A-123" for `order:A-123`; the ref itself where it has no type. */
export function contextLabel(ref) {
  const colon = ref.indexOf(":");
  if (colon <= 0) return ref;
  const kind = ref.slice(0, colon);
  return `${kind.charAt(0).toUpperCase()}${kind.slice(1).replace(/[_-]+/g, " ")} ${ref.slice(colon + 1)}`;
}

/** The host's page for a context (MAILSLOT_CONTEXT_LINKS), or null. */
export function contextUrl(ref) {
  const colon = ref.indexOf(":");
  const kind = colon > 0 ? ref.slice(0, colon) : ref;
  const template = state.clientSettings?.context_links?.[kind];
  if (!template) return null;
  const url = template
    .replaceAll("{id}", encodeURIComponent(colon > 0 ? ref.slice(colon + 1) : ref))
    .replaceAll("{ref}", encodeURIComponent(ref));
  return /^(https?:\/\/|\/)/.test(url) ? url : null;
}

/** A message's subject as shown: where it is only its context's ref (a message about a
 * context may leave its subject out), the context's label. */
export function shownSubject(message) {
  const ref = message.context?.ref;
  return ref && message.subject === ref ? contextLabel(ref) : message.subject;
}
