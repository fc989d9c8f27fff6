import type { Hono } from "hono";
import { z } from "zod";
import type { Operations } from "../../ops/operations.ts";
import { badRequest } from "../body.ts";
import { checkName } from "../../message/index.ts";

const blankToUndefined = (v: unknown) => (v === "" ? undefined : v);
const listQuery = z.object({ user: z.preprocess(blankToUndefined, z.string().min(1).max(64).optional()) });

/**
 * `GET /admin/files` (usage per user; with `?user=` that user's files too)
 * and `DELETE /admin/files/{id}`, on the (already authenticated) admin router.
 */
export function addFileAdminRoutes(admin: Hono, ops: Operations): void {
  admin.get("/files", async (c) => {
    const q = listQuery.safeParse(c.req.query());
    if (!q.success) return badRequest(c, q.error);
    // A name no account can have is the request's fault (400, as /admin/log's `room`), not a user without files.
    if (q.data.user !== undefined) checkName(q.data.user, "user");
    const files = ops.files();
    const usage = await files.usage();
    const total = { files: usage.files, bytes: usage.bytes };
    if (q.data.user === undefined) return c.json({ users: usage.users, total });
    const list = await files.filesOf(q.data.user);
    const users = list.length === 0 ? [] : [{ user: list[0]!.owner, files: list.length, bytes: list.reduce((n, f) => n + f.size, 0) }];
    return c.json({ users, total, files: list });
  });
  admin.delete("/files/:id", async (c) => {
    const id = c.req.param("id");
    if (!(await ops.removeFile(id))) return c.json({ error: "not_found", message: "no such file" }, 404);
    return c.json({ deleted: id });
  });
}
