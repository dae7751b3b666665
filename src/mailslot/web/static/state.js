// The page's state, in one place. Other modules read `state` and change it only through
// `update()`; the objects in it (lists, sets, messages) are replaced, never changed in place.

const fields = {
  session: null, // {username, token, expiresAt}
  route: null, // {name: "list" | "message" | "compose", box, id}
  box: "inbox",
  query: "", // the search shown in the list, if any
  listHash: "#/inbox", // where "Back" returns to, search included
  messages: [],
  nextCursor: null,
  current: null, // the open message
  currentBox: null, // the box it was opened from
  replyTo: null, // {id, subject} while composing a reply
  lastOpened: null,
  unread: 0,
  carriedError: null, // an error to show on the next view
  restored: new Set(), // ids this page restored: back in the inbox, but not new mail
};

/** What a signed-out page holds of the mailbox. */
const SIGNED_OUT = { messages: [], nextCursor: null, current: null, lastOpened: null, unread: 0, replyTo: null };

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
