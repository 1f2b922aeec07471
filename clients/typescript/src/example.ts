// One request made with the generated client: the consortia a shopper can buy from, read
// through types generated from the server's own OpenAPI document. A field renamed on the
// server and not here fails to compile (`npm run build`), before it fails a user.
import createClient from "openapi-fetch";

import type { paths } from "./schema.js";

const baseUrl = process.env.GOLMOK_URL ?? "http://127.0.0.1:8080";
const client = createClient<paths>({ baseUrl });

const { data, error, response } = await client.GET("/v1/consortia", {
  params: { query: { limit: 10 } },
});
if (error !== undefined || data === undefined) {
  console.error(`GET /v1/consortia answered ${response.status}:`, error);
  process.exit(1);
}
const names: string[] = data.items.map((c) => `${c.name} (${c.status})`);
console.log(`${names.length} consortia: ${names.join(", ")}`);
if (names.length === 0) {
  console.error("the demo data has consortia; none came back");
  process.exit(1);
}
