// The page's state, in one place. Other modules read `state` and change it only through
// `update()`; the objects in it (lists, sets, messages) are replaced, never changed in place.

const fields = {
  session: null, // {username, token, expiresAt}
  displayName: null, // the signed-in user's, from their profile
  clientSettings: { context_links: {} }, // what the operator set (/client-settings)
  route: null, // {name: "list" | "conversation" | "message" | "compose" | "settings", box, id, threadId, q, context}
  box: "conversations", // the list shown: "conversations", "inbox", "sent" or "trash"
  query: "", // the search shown in the list, if any
  contextFilter: "", // the context ref the conversations are filtered by, if any
  listHash: "#/conversations", // where "Back" returns to, search included
  listLoaded: null, // the listHash whose list is on the page
  messages: [], // the list: messages, or threads (ThreadSummary) for "conversations"
  nextCursor: null,
  thread: null, // the open conversation: {threadId, context, messages (oldest first)}
  current: null, // the selected message of the open conversation
  currentBox: null, // the box it was opened from
  lastOpened: null, // the list row to focus on coming back
  unread: 0,
  carriedError: null, // an error to show on the next view
  restored: new Set(), // ids this page restored: back in the inbox, but not new mail
  blocked: new Set(), // name keys of the people this user blocked
};

/** What a signed-out page holds of the mailbox. */
const SIGNED_OUT = {
  messages: [], nextCursor: null, current: null, thread: null, lastOpened: null, unread: 0,
  listLoaded: null, displayName: null, blocked: new Set(),
};

/** The state, read-only: `state.box = …` throws; use `update({box: …})`. */
export const state = new Proxy(fields, {
  set() {
    throw new TypeError("The page's state changes through update().");
  },
  deleteProperty() {
    throw new TypeError("The page's state changes through update().");
  },
});

/** Sets the given fields, each of which must be one of the state's. */
export function update(changes) {
  for (const name of Object.keys(changes)) {
    if (!(name in fields)) throw new TypeError(`No such state: ${name}`);
  }
  Object.assign(fields, changes);
}

/** Forgets the mailbox: the session has ended. */
export function clearMailbox() {
  update(SIGNED_OUT);
}
