import { afterEach, describe, expect, it } from "vitest";
import { World, ask, say } from "../../helpers/harness.ts";

/**
 * README and docs/operations.md: "the OpenAPI 3.1 document is served at GET /admin/openapi.json",
 * describing the API. Every endpoint docs/operations.md lists is in it, and what the endpoints
 * answer fits the schemas it gives.
 */

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; required?: string[]; items?: Schema; $ref?: string };
type Doc = { openapi: string; servers: Array<{ url: string }>; paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>>; components: { schemas: Record<string, Schema> } };

/** The endpoints of docs/operations.md, as its curl lines write them. */
const DOCUMENTED = [
  "GET /admin/uptime", "GET /admin/log", "GET /admin/users", "GET /admin/rooms", "GET /admin/nodes",
  "POST /admin/kick", "POST /admin/ban", "POST /admin/unban", "POST /admin/mute", "POST /admin/unmute", "PUT /admin/role",
  "POST /admin/users/{name}/password", "DELETE /admin/messages/{id}", "POST /admin/broadcast", "GET /admin/motd", "PUT /admin/motd",
  "POST /admin/restart", "POST /admin/stop", "GET /admin/files", "DELETE /admin/files/{id}", "POST /admin/reload", "GET /admin/openapi.json",
];

/** The few checks of JSON Schema the document uses: types, required properties, items, $ref. */
function fits(doc: Doc, schema: Schema, value: unknown, at = "$"): string[] {
  if (schema.$ref) return fits(doc, doc.components.schemas[schema.$ref.split("/").pop()!]!, value, at);
  const types = schema.type === undefined ? [] : ([] as string[]).concat(schema.type);
  const kind = value === null ? "null" : Array.isArray(value) ? "array" : Number.isInteger(value) ? "integer" : typeof value;
  if (types.length > 0 && !types.includes(kind) && !(kind === "integer" && types.includes("number"))) return [`${at}: ${kind}, not ${types.join("|")}`];
  const problems: string[] = [];
  if (kind === "object") {
    const o = value as Record<string, unknown>;
    for (const r of schema.required ?? []) if (!(r in o)) problems.push(`${at}.${r}: missing`);
    for (const [k, s] of Object.entries(schema.properties ?? {})) if (k in o) problems.push(...fits(doc, s, o[k], `${at}.${k}`));
  }
  if (kind === "array" && schema.items) (value as unknown[]).forEach((v, i) => problems.push(...fits(doc, schema.items!, v, `${at}[${i}]`)));
  return problems;
}

describe("GET /admin/openapi.json", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("is OpenAPI 3.1 and lists every endpoint docs/operations.md documents, with its method", async () => {
    const d = await world.daemon({ adminToken: "" });
    const res = await fetch(`${d.url}/admin/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Doc;
    expect(doc.openapi).toMatch(/^3\.1\./);
    const base = doc.servers[0]!.url;
    const listed = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${base}${path}`));
    expect(listed.sort()).toEqual([...DOCUMENTED].sort());
  });

  it("describes what the endpoints answer: a deleted, an edited and a reacted message in /admin/log included", async () => {
    const d = await world.daemon();
    const doc = (await (await fetch(`${d.url}/admin/openapi.json`)).json()) as Doc;
    const { client } = await world.member(d, "alice");
    const [plain, edited, gone] = await say(client, "general", ["plain", "before", "doomed"]);
    expect((await ask(client, { type: "edit", id: edited, text: "after" })).type).toBe("ack");
    expect((await ask(client, { type: "react", id: plain, emoji: "👍" })).type).toBe("ack");
    expect((await d.http(`/admin/messages/${gone}`, { method: "DELETE", admin: true })).status).toBe(200);

    const schemaOf = (method: string, path: string, status = "200") => doc.paths[path]![method]!.responses[status]!.content!["application/json"]!.schema;
    for (const [method, path] of [["get", "/log"], ["get", "/uptime"], ["get", "/users"], ["get", "/rooms"], ["get", "/nodes"], ["get", "/motd"], ["get", "/files"]] as const) {
      const answer = (await (await d.http(`/admin${path}`, { admin: true })).json()) as unknown;
      expect(fits(doc, schemaOf(method, path), answer), `${method.toUpperCase()} /admin${path}: ${JSON.stringify(answer)}`).toEqual([]);
    }
    const log = (await (await d.http("/admin/log", { admin: true })).json()) as { messages: Array<Record<string, unknown>> };
    expect(log.messages.map((m) => [m.text, m.deleted, typeof m.editedAt, m.reactions])).toEqual([
      ["plain", undefined, "undefined", { "👍": ["alice"] }],
      ["after", undefined, "number", undefined],
      [undefined, true, "undefined", undefined],
    ]);
    const unknown = (await (await d.http("/admin/kick", { method: "POST", admin: true, body: JSON.stringify({ user: "nobody" }) })).json()) as unknown;
    expect(fits(doc, schemaOf("post", "/kick", "404"), unknown)).toEqual([]);
  });
});
