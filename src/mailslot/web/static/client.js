// The page's one API client, speaking for the session in the state.

import { createApi } from "./api.js";
import { state } from "./state.js";

let sessionEnded = () => {};

export const api = createApi({
  session: () => state.session,
  onSessionEnded: (error) => sessionEnded(error),
});

/** `handler(error)` runs when the API no longer accepts the session's token. */
export function onSessionEnded(handler) {
  sessionEnded = handler;
}
