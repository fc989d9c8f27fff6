import type { Context, Hono } from "hono";
import { z } from "zod";
import type { Operations } from "../ops/operations.ts";
import { badRequest, readJson } from "./body.ts";
import { givenReason } from "../chat/moderation.ts";

const user = z.string().min(1).max(64);
const room = z.string().min(1).max(64);
const banBody = z.object({ user, reason: z.string().max(500).optional() });
const unbanBody = z.object({ user });
const muteBody = z.object({ user, room, minutes: z.number().positive().max(525_600) });
const unmuteBody = z.object({ user, room });
const roleBody = z.object({ user, role: z.enum(["user", "moderator", "admin"]) });

/** Moderation endpoints on the (already authenticated) admin router. */
export function addModerationRoutes(admin: Hono, ops: Operations): void {
  admin.post("/ban", (c) =>
    withBody(c, banBody, async (b) => found(c, b.user, await ops.moderation().ban(b.user, givenReason(b.reason) ?? "banned by an operator"), (r) => ({ banned: r.user, sessions: r.sessions }))),
  );
  admin.post("/unban", (c) => withBody(c, unbanBody, async (b) => found(c, b.user, await ops.moderation().unban(b.user), (r) => ({ unbanned: r.user }))));
  admin.post("/mute", (c) =>
    withBody(c, muteBody, async (b) => {
      // A mute in a room nobody created is most likely a typo: refused before anything is stored.
      // (Unmute takes any room: a mute outlasts its room being forgotten, and a join creates it again.)
      if (!(await ops.roomExists(b.room))) return c.json({ error: "unknown_room", message: `no room named ${b.room}` }, 404);
      return found(c, b.user, await ops.moderation().mute(b.user, b.room, b.minutes), (r) => ({ muted: r.user, room: r.room, until: r.until }));
    }),
  );
  admin.post("/unmute", (c) =>
    withBody(c, unmuteBody, async (b) => found(c, b.user, await ops.moderation().unmute(b.user, b.room), (r) => ({ unmuted: r.user, room: r.room }))),
  );
  admin.put("/role", (c) => withBody(c, roleBody, async (b) => found(c, b.user, await ops.moderation().setRole(b.user, b.role), (r) => r)));
}

async function withBody<T>(c: Context, schema: z.ZodType<T>, run: (body: T) => Promise<Response>): Promise<Response> {
  const body = schema.safeParse(await readJson(c));
  if (!body.success) return badRequest(c, body.error);
  return run(body.data);
}

function found<R>(c: Context, name: string, result: R | undefined, shape: (r: R) => object): Response {
  if (result === undefined) return c.json({ error: "unknown_user", message: `no account named ${name}` }, 404);
  return c.json(shape(result));
}
