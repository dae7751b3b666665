// What the embedded inbox shows: the list of conversations, one conversation, the compose
// form. Rendered with textContent only, so message text stays text.

const $ = (id) => document.getElementById(id);

const VIEWS = ["list-view", "conversation-view", "compose-view"];
const WHEN = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** A user as the embedded inbox shows them: the display name, else the username. */
const nameOf = (username, displayName) => displayName || username;

const sameName = (a, b) => a.toLowerCase() === b.toLowerCase();

/** Who else is in a message, as seen by `me`. */
function others(message, me) {
  const people = [[message.sender, message.sender_display_name]];
  message.receivers.forEach((name, i) => people.push([name, message.receiver_display_names?.[i]]));
  const shown = people.filter(([name]) => !sameName(name, me)).map(([name, display]) => nameOf(name, display));
  return [...new Set(shown)].join(", ") || "You";
}

function time(element, iso) {
  element.dateTime = iso;
  element.textContent = WHEN.format(new Date(iso));
}

/** Shows one view (`list`, `conversation` or `compose`), hiding the others. */
export function show(name) {
  $("status").hidden = true;
  for (const id of VIEWS) $(id).hidden = id !== `${name}-view`;
}

export function showStatus(text) {
  $("status").textContent = text;
  $("status").hidden = false;
}

export function showProblem(text) {
  $("problem").textContent = text || "";
  $("problem").hidden = !text;
}

/** The conversations (`conversations()` of inbox.js); `open(threadId)` on a choice. */
export function renderList(items, { me, context, open }) {
  $("list-title").textContent = context ? `Messages about ${context}` : "Messages";
  // A live update re-renders the list: the conversation that had the focus keeps it.
  const focused = document.activeElement?.dataset?.thread;
  const template = $("conversation-item");
  const rows = items.map(({ message, unread }) => {
    const row = template.content.firstElementChild.cloneNode(true);
    const button = row.querySelector("button");
    row.querySelector(".who").textContent = others(message, me);
    row.querySelector(".subject").textContent = message.subject;
    time(row.querySelector(".when"), message.created_at);
    const badge = row.querySelector(".unread");
    badge.hidden = unread === 0;
    badge.textContent = `${unread} unread`;
    button.classList.toggle("has-unread", unread > 0);
    button.dataset.thread = String(message.thread_id);
    button.addEventListener("click", () => open(message.thread_id));
    return row;
  });
  $("conversations").replaceChildren(...rows);
  $("list-empty").hidden = rows.length > 0;
  if (focused) $("conversations").querySelector(`[data-thread="${focused}"]`)?.focus();
}

/** One conversation, oldest message first; `single`: no way back to a list. */
export function renderThread(page, { me, single }) {
  const first = page.messages[0];
  $("conversation-title").textContent = first ? first.subject : "Conversation";
  $("conversation-with").textContent = first ? `With ${others(first, me)}` : "";
  $("conversation-context").hidden = !page.context;
  $("conversation-context").textContent = page.context ? `About ${page.context.ref}` : "";
  $("back-line").hidden = single;
  const template = $("thread-item");
  $("thread").replaceChildren(
    ...page.messages.map((message) => {
      const entry = template.content.firstElementChild.cloneNode(true);
      const mine = sameName(message.sender, me);
      entry.classList.toggle("mine", mine);
      entry.dataset.id = String(message.id);
      entry.querySelector(".who").textContent = mine ? "You" : nameOf(message.sender, message.sender_display_name);
      time(entry.querySelector(".when"), message.created_at);
      entry.querySelector(".state").textContent = mine ? "" : message.read ? "" : "New";
      entry.querySelector(".text").textContent = message.message;
      return entry;
    }),
  );
}

/** The compose form for a signed context (`{ref, data}`), with a suggested subject. */
export function renderCompose(context, subject) {
  $("compose-title").textContent = "New message";
  $("compose-context").textContent = `About ${context.ref}`;
  if (!$("compose-subject").value) $("compose-subject").value = subject || context.ref;
}
