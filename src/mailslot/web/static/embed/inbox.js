// The embedded inbox's calls, on the client's API (api.js) with the host's token, which
// lives in this module's memory only: never in a URL, storage or a cookie.

import { createApi } from "../api.js";

const PER_PAGE = 30;

let credentials = null; // {username, token}, as the host gave them
let expired = () => {};

const path = (...parts) => "/" + parts.map(encodeURIComponent).join("/");

export const api = createApi({
  session: () => credentials,
  // A refusal of a token already replaced (a request that was under way) is no news.
  onSessionEnded: (error, used) => {
    if (used === credentials) expired(error);
  },
});

/** The user and token to speak for (`null`: none yet). */
export function useCredentials(username, token) {
  credentials = username && token ? { username, token } : null;
}

export const hasCredentials = () => credentials !== null;

/** `handler(error)` runs when the API refuses the token (it expired or was revoked). */
export function onExpired(handler) {
  expired = handler;
}

function mailbox(box, context) {
  const query = new URLSearchParams({ box, per_page: String(PER_PAGE) });
  if (context) query.set("context", context);
  return api.request("GET", `${path("users", credentials.username, "messages")}?${query}`);
}

/**
 * The latest conversations (about `context`, if given), newest first: one entry per
 * thread with its latest message and its unread count, from the latest received and
 * sent messages.
 */
export async function conversations(context) {
  const [inbox, sent] = await Promise.all([mailbox("inbox", context), mailbox("sent", context)]);
  const unread = new Map(inbox.threads.map((thread) => [thread.thread_id, thread.unread]));
  const latest = new Map();
  const messages = [...inbox.messages, ...sent.messages].sort((a, b) => b.id - a.id);
  for (const message of messages) {
    if (!latest.has(message.thread_id)) {
      latest.set(message.thread_id, { message, unread: unread.get(message.thread_id) || 0 });
    }
  }
  return [...latest.values()];
}

/** A thread, oldest message first. */
export async function thread(threadId) {
  const page = await api.thread(threadId);
  return { ...page, messages: [...page.messages].reverse() };
}

/** Sends under a host's signed context token: to its participants, about its ref. */
export const sendSigned = (contextToken, subject, message) =>
  api.request("POST", path("users", credentials.username, "messages"), {
    body: { subject, message, context_token: contextToken },
  });

/**
 * What a signed context token says (ref and data), read without checking it: the server
 * checks the signature when the message is sent. `null` for a token that is not one.
 */
export function readContextToken(contextToken) {
  try {
    const payload = contextToken.slice(4, contextToken.lastIndexOf("."));
    const json = atob(payload.replaceAll("-", "+").replaceAll("_", "/"));
    const bytes = Uint8Array.from(json, (char) => char.charCodeAt(0));
    const { ref, data } = JSON.parse(new TextDecoder().decode(bytes));
    return typeof ref === "string" ? { ref, data: data ?? null } : null;
  } catch {
    return null;
  }
}
