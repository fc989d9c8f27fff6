import type { Context } from "hono";
import type { z } from "zod";

/** The parsed JSON body, or undefined if it is not JSON (which then fails validation). */
export async function readJson(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    return undefined;
  }
}

/** `400 {error:"bad_request"}` naming the first invalid field. */
export function badRequest(c: Context, error: z.ZodError) {
  const issue = error.issues[0];
  if (issue && issue.path.length === 0) return c.json({ error: "bad_request", message: "body must be a JSON object" }, 400);
  const where = issue ? `${issue.path.join(".")}: ` : "";
  return c.json({ error: "bad_request", message: `${where}${issue?.message ?? "invalid request"}` }, 400);
}
