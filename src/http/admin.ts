import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import { ErrorCode, isBlank } from "../message/index.ts";
import { describeFailure } from "../chat/failure.ts";
import { givenReason } from "../chat/moderation.ts";
import { BROADCAST_MAX_CHARS, MOTD_MAX_CHARS, type Operations } from "../ops/operations.ts";
import { adminAuth } from "./bearer.ts";
import { badRequest, readJson } from "./body.ts";
import { addModerationRoutes } from "./moderation-routes.ts";
import { addFileAdminRoutes } from "./files/admin.ts";
import { ConfigError } from "../config/load.ts";
import { ReloadUnavailableError } from "../ops/reload.ts";
import { openApiDocument } from "./openapi.ts";
import { StorageUnavailableError } from "../../storage/errors.ts";
import { decimalQuery } from "./decimal.ts";

const kickBody = z.object({ user: z.string().min(1).max(64), reason: z.string().max(500).optional() });
// Not blank (as a message's text: `isBlank`), as the console's `say` takes none: a notice of nothing is no notice.
const broadcastBody = z.object({ text: z.string().min(1).max(BROADCAST_MAX_CHARS).refine((t) => !isBlank(t), "text is blank") });
const motdBody = z.object({ motd: z.string().max(MOTD_MAX_CHARS) });
const passwordBody = z.object({ password: z.string() });
// An empty parameter (`?room=&limit=`) means "not given".
const blankToUndefined = (v: unknown) => (v === "" ? undefined : v);
const logQuery = z.object({
  room: z.preprocess(blankToUndefined, z.string().min(1).max(64).optional()),
  limit: z.preprocess(blankToUndefined, decimalQuery.pipe(z.number().int().min(1).max(1000)).optional()).transform((v) => v ?? 100),
});

/**
 * The REST admin API under /admin. JSON in and out; errors are
 * `{error, message}` with a stable `error` code.
 */
export function adminRoutes(ops: Operations, getToken: () => string): Hono {
  const admin = new Hono();
  // Registered before the auth middleware: the API's description is no secret, and tools fetch it unauthenticated.
  admin.get("/openapi.json", (c) => c.json(openApiDocument));
  admin.use("*", adminAuth(getToken));
  admin.use("*", bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.json({ error: "too_large", message: "body over 64 KiB" }, 413) }));

  admin.get("/uptime", (c) => c.json(ops.uptime()));
  admin.get("/users", async (c) => c.json(await ops.users()));
  admin.get("/rooms", async (c) => c.json({ rooms: await ops.rooms() }));
  admin.get("/nodes", async (c) => c.json({ nodes: await ops.nodes() }));
  admin.get("/log", async (c) => {
    const q = logQuery.safeParse(c.req.query());
    if (!q.success) return badRequest(c, q.error);
    return c.json({ messages: await ops.log(q.data.room, q.data.limit) });
  });
  admin.post("/kick", async (c) => {
    const body = kickBody.safeParse(await readJson(c));
    if (!body.success) return badRequest(c, body.error);
    const { user, sessions } = await ops.kick(body.data.user, givenReason(body.data.reason));
    if (sessions === 0) return c.json({ error: "not_online", message: `${body.data.user} is not online` }, 404);
    return c.json({ kicked: user, sessions });
  });
  admin.post("/broadcast", async (c) => {
    const body = broadcastBody.safeParse(await readJson(c));
    if (!body.success) return badRequest(c, body.error);
    return c.json({ sent: true, recipients: await ops.broadcast(body.data.text) });
  });
  admin.post("/users/:name/password", async (c) => {
    const body = passwordBody.safeParse(await readJson(c));
    if (!body.success) return badRequest(c, body.error);
    const name = c.req.param("name");
    let user: string | undefined;
    try {
      user = await ops.setPassword(name, body.data.password);
    } catch (error) {
      const failure = describeFailure(error);
      if (failure.code === ErrorCode.badPassword) return c.json({ error: "bad_password", message: failure.message }, 400);
      throw error;
    }
    if (user === undefined) return c.json({ error: "unknown_user", message: `no account named ${name}` }, 404);
    return c.json({ user, password: "changed" });
  });
  admin.get("/motd", async (c) => c.json({ motd: await ops.motd() }));
  admin.put("/motd", async (c) => {
    const body = motdBody.safeParse(await readJson(c));
    if (!body.success) return badRequest(c, body.error);
    return c.json({ motd: await ops.motd(body.data.motd) });
  });
  addModerationRoutes(admin, ops);
  addFileAdminRoutes(admin, ops);
  // Issue 19: an operator deletes a message as a moderator would (stored, then `deleted` to its members).
  admin.delete("/messages/:id", async (c) => {
    const id = c.req.param("id");
    if (!(await ops.deleteMessage(id))) return c.json({ error: "not_found", message: "no such message" }, 404);
    return c.json({ deleted: id });
  });
  admin.post("/restart", (c) => answer(c, ops.restart()));
  admin.post("/stop", (c) => answer(c, ops.stop()));
  admin.post("/reload", async (c) => {
    try {
      return c.json(await ops.reload());
    } catch (error) {
      if (error instanceof ConfigError) return c.json({ error: "invalid_config", message: error.message }, 400);
      if (error instanceof ReloadUnavailableError) return c.json({ error: "unavailable", message: error.message }, 409);
      throw error;
    }
  });
  admin.notFound((c) => c.json({ error: "not_found", message: "no such admin endpoint" }, 404));
  admin.onError((error, c) => {
    // The same mapping as error frames: a storage failure of any kind is 503 `unavailable`.
    const failure = describeFailure(error);
    // A bad room name in a query is the request's fault, like any other invalid query.
    if (failure.code === ErrorCode.badName) return c.json({ error: "bad_request", message: failure.message }, 400);
    if (failure.unexpected) return c.json({ error: "internal", message: "internal error" }, 500);
    return c.json({ error: failure.code, message: failure.message }, 503);
  });
  return admin;
}

function answer(c: Context, a: { accepted: boolean; state: string; message: string }) {
  return c.json(a, a.accepted ? 202 : 409);
}
