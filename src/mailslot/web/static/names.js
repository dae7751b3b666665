// Usernames as the server has them (accounts/schemas.py): the pattern a name matches, and
// one way to compare two names, regardless of case.

export const USERNAME = /^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$/;

/** What two names that are the same user have in common (usernames are ASCII). */
export const nameKey = (name) => name.toLowerCase();

export const sameName = (a, b) => nameKey(a) === nameKey(b);

/** A user as lists and messages show them: "Display Name <username>", or the username
 * alone for a user without a display name. */
export const shownName = (username, displayName) => (displayName ? `${displayName} <${username}>` : username);

export const shownSender = (message) => shownName(message.sender, message.sender_display_name);

export const shownReceivers = (message) =>
  message.receivers.map((name, i) => shownName(name, message.receiver_display_names?.[i])).join(", ");
