import { VERSION } from "../chat/service.ts";

/*
 * The admin API described in OpenAPI 3.1, served at GET /admin/openapi.json.
 * test/unit/http/openapi.test.ts checks that it lists exactly the routes
 * adminRoutes() registers, so the two cannot drift apart.
 */

const json = (schema: object) => ({ content: { "application/json": { schema } } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const error = (description: string) => ({ description, ...json(ref("Error")) });
const secured = {
  security: [{ bearer: [] }],
  responses: {
    "401": error("missing or wrong admin token"),
    "403": error("the admin API is off: no admin token is configured"),
  },
};

/** Every request body is read under one size limit (see body.ts). */
const tooLarge = { "413": error("too_large: the request body is over 64 KiB") };

function op(summary: string, responses: Record<string, object>, extra: object = {}) {
  const sized = "requestBody" in extra ? tooLarge : {};
  return { summary, ...extra, ...secured, responses: { ...responses, ...sized, ...secured.responses } };
}
const body = (schema: object) => ({ requestBody: { required: true, ...json(schema) } });
const ok = (schema: object, description = "OK") => ({ description, ...json(schema) });
const obj = (properties: Record<string, object>, required = Object.keys(properties)) => ({ type: "object", properties, required });
const str = { type: "string" };
const int = { type: "integer" };
const answer = { "202": ok(ref("Answer"), "accepted"), "409": ok(ref("Answer"), "not possible in the current state") };

export const openApiDocument = {
  openapi: "3.1.0",
  info: {
    title: "chatd admin API",
    version: VERSION,
    description:
      "Operator API of chatd. Every endpoint except this document needs `Authorization: Bearer <admin token>`. A path or method not listed here answers 404 `not_found`.",
  },
  servers: [{ url: "/admin" }],
  components: {
    securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
    schemas: {
      Error: obj({ error: str, message: str }, ["error"]),
      Answer: obj({ accepted: { type: "boolean" }, state: str, message: str }),
      // As history shows a message now: a deleted one keeps only its mark (no `text`), an edited one has `editedAt`.
      Message: obj(
        {
          type: str,
          id: str,
          room: str,
          from: str,
          text: str,
          ts: int,
          to: str,
          editedAt: int,
          deleted: { type: "boolean", const: true },
          reactions: { type: "object", additionalProperties: { type: "array", items: str } },
        },
        ["type", "id", "room", "from", "ts"],
      ),
    },
  },
  paths: {
    "/openapi.json": { get: { summary: "This document (no token needed)", responses: { "200": ok({ type: "object" }) } } },
    "/uptime": {
      get: op("Uptime and counters", {
        "200": ok(
          obj({
            uptimeSeconds: int,
            startedAt: { type: ["string", "null"] },
            processUptimeSeconds: int,
            processStartedAt: str,
            state: str,
            restarts: int,
            connections: int,
            usersOnline: int,
            rooms: int,
            messagesStored: int,
            deliveries: int,
            version: str,
          }),
        ),
      }),
    },
    "/log": {
      get: op(
        "The newest chat messages, oldest first",
        { "200": ok(obj({ messages: { type: "array", items: ref("Message") } })), "400": error("invalid query") },
        {
          parameters: [
            { name: "room", in: "query", required: false, schema: str },
            { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 1000, default: 100 } },
          ],
        },
      ),
    },
    "/messages/{id}": {
      delete: op(
        "Delete a message (issue 19): members get deleted, history keeps only its mark",
        { "200": ok(obj({ deleted: str })), "404": error("not_found: no such message, or already deleted"), "503": error("unavailable: the deletion could not be stored") },
        { parameters: [{ name: "id", in: "path", required: true, schema: str }] },
      ),
    },
    "/users": {
      get: op("Users online and the number of accounts", {
        "200": ok(
          obj({
            online: { type: "array", items: obj({ name: str, sessions: int, rooms: { type: "array", items: str }, address: str, connectedAt: str }) },
            registered: int,
          }),
        ),
      }),
    },
    "/rooms": {
      get: op("Rooms and their members", {
        "200": ok(obj({ rooms: { type: "array", items: obj({ name: str, members: { type: "array", items: str }, default: { type: "boolean" } }) } })),
      }),
    },
    "/kick": {
      post: op(
        "Close every connection of a user (4000); `kicked` is the user's name as their account spells it",
        { "200": ok(obj({ kicked: str, sessions: int })), "400": error("invalid body, or a user name that breaks the naming rule"), "404": error("not_online") },
        body(obj({ user: str, reason: str }, ["user"])),
      ),
    },
    "/users/{name}/password": {
      post: op(
        "Set a user's password: every resume token of the user stops working and every session of the user, on every node, closes with 4002 \"password changed\"; `user` is the user's name as their account spells it",
        { "200": ok(obj({ user: str, password: { type: "string", enum: ["changed"] } })), "400": error("invalid body, a user name that breaks the naming rule, or bad_password: too short or over 72 bytes"), "404": error("unknown_user") },
        { parameters: [{ name: "name", in: "path", required: true, schema: str }], ...body(obj({ password: str })) },
      ),
    },
    "/broadcast": {
      post: op("Server notice to everyone online", { "200": ok(obj({ sent: { type: "boolean" }, recipients: int })), "400": error("invalid body") }, body(obj({ text: str }))),
    },
    "/motd": {
      get: op("The message of the day", { "200": ok(obj({ motd: str })) }),
      put: op("Set the message of the day", { "200": ok(obj({ motd: str })), "400": error("invalid body") }, body(obj({ motd: str }))),
    },
    "/nodes": {
      get: op("Nodes of the cluster (one, `local`, in embedded mode)", {
        "200": ok(obj({ nodes: { type: "array", items: obj({ id: str, self: { type: "boolean" }, startedAt: str, uptimeSeconds: int }) } })),
      }),
    },
    "/ban": {
      post: op(
        "Ban a user: refuse sign-in, revoke tokens, close connections (4002)",
        { "200": ok(obj({ banned: str, sessions: int })), "400": error("invalid body"), "404": error("unknown_user") },
        body(obj({ user: str, reason: str }, ["user"])),
      ),
    },
    "/unban": {
      post: op("Lift a ban", { "200": ok(obj({ unbanned: str })), "400": error("invalid body"), "404": error("unknown_user") }, body(obj({ user: str }))),
    },
    "/mute": {
      post: op(
        "Mute a user in one room (that exists) for some minutes",
        {
          "200": ok(obj({ muted: str, room: str, until: int })),
          "400": error("invalid body, or a room name that breaks the naming rule"),
          "404": error("unknown_room: no such room (checked first), or unknown_user"),
        },
        body(obj({ user: str, room: str, minutes: { type: "number", exclusiveMinimum: 0, maximum: 525600 } })),
      ),
    },
    "/unmute": {
      post: op(
        "Lift a mute",
        { "200": ok(obj({ unmuted: str, room: str })), "400": error("invalid body"), "404": error("unknown_user") },
        body(obj({ user: str, room: str })),
      ),
    },
    "/role": {
      put: op(
        "Set a user's role",
        { "200": ok(obj({ user: str, role: str })), "400": error("invalid body"), "404": error("unknown_user") },
        body(obj({ user: str, role: { enum: ["user", "moderator", "admin"] } })),
      ),
    },
    "/files": {
      get: op(
        "Stored files and bytes per uploader; with `user`, that user's files too",
        {
          "200": ok(
            obj(
              {
                users: { type: "array", items: obj({ user: str, files: int, bytes: int }) },
                total: obj({ files: int, bytes: int }),
                files: {
                  type: "array",
                  items: obj(
                    { id: str, name: str, size: int, type: str, url: str, width: int, height: int, owner: str, created: str, refs: int },
                    ["id", "name", "size", "type", "url", "owner", "created", "refs"],
                  ),
                },
              },
              ["users", "total"],
            ),
          ),
          "400": error("invalid query: a `user` that breaks the naming rule"),
          "503": error("unavailable: file storage failed"),
        },
        { parameters: [{ name: "user", in: "query", required: false, schema: str }] },
      ),
    },
    "/files/{id}": {
      delete: op(
        "Remove one file (its URL answers 404 from then on)",
        { "200": ok(obj({ deleted: str })), "404": error("not_found"), "503": error("unavailable: file storage failed") },
        { parameters: [{ name: "id", in: "path", required: true, schema: str }] },
      ),
    },
    "/restart": { post: op("Restart in place (clients get 1012)", answer) },
    "/stop": { post: op("Stop gracefully; the process exits 0", answer) },
    "/reload": {
      post: op("Read the config file and environment again; apply what can change while running", {
        "200": ok(obj({ reloaded: { type: "boolean" }, changed: { type: "array", items: str }, restartRequired: { type: "array", items: str }, tls: { enum: ["off", "reloaded", "restart_required"] } })),
        "400": error("invalid_config: the file is invalid; nothing changed"),
        "409": error("no configuration source (embedded daemon)"),
      }),
    },
  } as Record<string, Record<string, object>>,
};
