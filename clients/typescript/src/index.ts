/** A typed mailslot client: openapi-fetch over the types that openapi-typescript
 * generates from the OpenAPI document (src/schema.d.ts; `make clients` rewrites it). */
import createClient, { type Client } from "openapi-fetch";
import type { paths } from "./schema";

export type { components, operations, paths } from "./schema";
export type MailslotClient = Client<paths>;

/** A client for the mailslot at `baseUrl`; with `token`, every request sends it as
 * `Authorization: Bearer <token>`. */
export function createMailslotClient(baseUrl: string, token?: string): MailslotClient {
  return createClient<paths>({
    baseUrl,
    headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
  });
}
