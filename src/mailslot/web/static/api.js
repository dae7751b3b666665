// The native API as the page uses it: JSON in and out, problem+json errors as ApiError.

/** An answer the API refused, or no answer at all; `message` is a sentence for people. */
export class ApiError extends Error {
  constructor(message, { status = 0, code = "network_error", errors = [] } = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.errors = errors; // [{pointer, detail}] for field errors (RFC 9457 extension)
  }
}

const path = (...parts) => "/" + parts.map(encodeURIComponent).join("/");

async function problemOf(response) {
  const type = response.headers.get("content-type") || "";
  if (type.includes("json")) {
    try {
      const body = await response.json();
      if (body && typeof body.detail === "string") {
        return new ApiError(body.detail, {
          status: response.status,
          code: body.code || "error",
          errors: Array.isArray(body.errors) ? body.errors : [],
        });
      }
    } catch {
      // Not the JSON it claims to be: fall through to the generic sentence.
    }
  }
  if (response.status === 429) {
    return new ApiError("Too many attempts. Wait a moment and try again.", { status: 429, code: "rate_limited" });
  }
  if (response.status >= 500) {
    return new ApiError(`mailslot had a problem answering (HTTP ${response.status}). Try again shortly.`, {
      status: response.status, code: "server_error",
    });
  }
  return new ApiError(`The request failed (HTTP ${response.status}).`, { status: response.status, code: "error" });
}

/**
 * A client bound to a session. `session()` returns {username, token} or null;
 * `onSessionEnded(error, session)` is told when the API no longer accepts the token
 * (`session`: the one the refused request was sent with).
 */
export function createApi({ session, onSessionEnded }) {
  async function request(method, url, { body, auth = true } = {}) {
    // Where the operator answers seed B's clients in its envelope (MAILSLOT_COMPAT=seed-b),
    // this page still reads mailslot's own answers.
    const headers = { Accept: "application/json", "Mailslot-Envelope": "none" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const current = session();
    if (auth && current) headers.Authorization = `Bearer ${current.token}`;
    let response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
        credentials: "omit",
      });
    } catch {
      throw new ApiError("mailslot could not be reached. Check your connection and try again.");
    }
    if (!response.ok) {
      const error = await problemOf(response);
      // A wrong password given to confirm a change is refused with 401 too; the session lives on.
      if (auth && response.status === 401 && error.code !== "invalid_credentials") {
        onSessionEnded(error, current);
      }
      throw error;
    }
    if (response.status === 204) return null;
    return response.json();
  }

  const me = () => session().username;

  return {
    // Any other call, for embed/inbox.js (the embeddable inbox) and its filters.
    request,
    register: (username, email, password) =>
      request("POST", "/users", { body: { username, email, password }, auth: false }),
    signIn: (username, password) =>
      request("POST", path("users", username, "token"), { body: { password }, auth: false }),
    profile: () => request("GET", path("users", me())),
    signOut: () => request("DELETE", path("users", me(), "token")),
    listMessages: (box, { cursor, q } = {}) => {
      const query = new URLSearchParams({ box, per_page: "20" });
      if (cursor) query.set("cursor", cursor);
      if (q) query.set("q", q);
      return request("GET", `${path("users", me(), "messages")}?${query}`);
    },
    getMessage: (id) => request("GET", path("users", me(), "messages", String(id))),
    markRead: (id, read) => request("PATCH", path("users", me(), "messages", String(id)), { body: { read } }),
    deleteMessage: (id, { permanent = false } = {}) =>
      request("DELETE", path("users", me(), "messages", String(id)) + (permanent ? "?permanent=true" : "")),
    restore: (id) => request("POST", path("users", me(), "messages", String(id), "restore")),
    thread: (threadId, cursor) => {
      const query = new URLSearchParams({ per_page: "100" });
      if (cursor) query.set("cursor", cursor);
      return request("GET", `${path("users", me(), "threads", String(threadId))}?${query}`);
    },
    listThreads: ({ cursor, context } = {}) => {
      const query = new URLSearchParams({ per_page: "20" });
      if (cursor) query.set("cursor", cursor);
      if (context) query.set("context", context);
      return request("GET", `${path("users", me(), "threads")}?${query}`);
    },
    markMany: (ids, read) => request("PATCH", path("users", me(), "messages"), { body: { ids, read } }),
    contacts: (prefix) => request("GET", `${path("users", me(), "contacts")}?${new URLSearchParams({ prefix })}`),
    /** A new message (`receivers`, `subject`) or a reply (`replyTo`; subject and
     * receivers optional: the server takes the thread's). */
    send: ({ receivers, subject, message, replyTo }) => {
      const body = { message };
      if (receivers && receivers.length) body.receivers = receivers;
      if (subject) body.subject = subject;
      if (replyTo) body.reply_to = replyTo;
      return request("POST", path("users", me(), "messages"), { body });
    },
    updateProfile: (changes) => request("PATCH", path("users", me()), { body: changes }),
    signOutEverywhere: () => request("DELETE", path("users", me(), "tokens")),
    clientSettings: () => request("GET", "/client-settings", { auth: false }),
    // Safety and data rights (issues 21 and 22).
    blocks: () => request("GET", path("users", me(), "blocks")),
    block: (other) => request("PUT", path("users", me(), "blocks", other)),
    unblock: (other) => request("DELETE", path("users", me(), "blocks", other)),
    report: (id, reason, note) =>
      request("POST", path("users", me(), "messages", String(id), "report"), { body: note ? { reason, note } : { reason } }),
    startExport: () => request("POST", path("users", me(), "exports")),
    getExport: (id) => request("GET", path("users", me(), "exports", String(id))),
    listExports: () => request("GET", path("users", me(), "exports")),
    deleteAccount: (password) => request("DELETE", path("users", me()), { body: { password } }),
    unread: () => request("GET", path("users", me(), "unread")),
    // Live delivery (issue #4): a single-use ticket for one EventSource connection.
    streamTicket: () => request("POST", path("users", me(), "stream-tickets")),
    eventsUrl: (ticket, since) => {
      const query = new URLSearchParams({ ticket });
      if (since !== null && since !== undefined) query.set("since", String(since));
      return `${path("users", me(), "events")}?${query}`;
    },
  };
}
