/** How a browser or Node program uses the client: `tsc` checks this file against the
 * generated types, so a broken or loosened generation fails `make test`. */
import { type components, createMailslotClient } from "../src/index";

type Message = components["schemas"]["MessageRead"];
type Problem = components["schemas"]["Problem"];

export async function lunch(baseUrl: string): Promise<Message[]> {
  const anyone = createMailslotClient(baseUrl);
  const password = "correct horse battery staple";
  for (const username of ["alice", "bob"]) {
    await anyone.POST("/users", {
      body: { username, email: `${username}@example.com`, password },
    });
  }
  const signIn = await anyone.POST("/users/{username}/token", {
    params: { path: { username: "alice" } },
    body: { password },
  });
  if (signIn.error) throw new Error(problem(signIn.error));
  const alice = createMailslotClient(baseUrl, signIn.data.access_token);

  const sent = await alice.POST("/users/{username}/messages", {
    params: { path: { username: "alice" }, header: { "Idempotency-Key": "lunch-1" } },
    body: { receivers: ["bob"], subject: "Lunch?", message: "At noon?" },
  });
  if (sent.error) throw new Error(problem(sent.error));
  const id: number = sent.data.id;

  const inbox = await alice.GET("/users/{username}/messages", {
    params: { path: { username: "alice" }, query: { box: "sent", per_page: 20 } },
  });
  if (inbox.error) throw new Error(problem(inbox.error));

  await alice.POST("/users/{username}/messages", {
    params: { path: { username: "alice" } },
    // @ts-expect-error: a message needs a body; the generated types say so.
    body: { receivers: ["bob"], subject: "No body" },
  });
  // @ts-expect-error: no such route.
  await alice.GET("/users/{username}/nothing", { params: { path: { username: "alice" } } });

  return inbox.data.messages.filter((message) => message.id === id);
}

function problem(error: Problem): string {
  // `code` is the registry's enum: a misspelt code fails the type check.
  return error.code === "validation_failed" ? `invalid: ${error.detail}` : `${error.code}`;
}
