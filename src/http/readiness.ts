import { Hono } from "hono";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { Config } from "../config/schema.ts";
import type { StorageHealth } from "../../storage/create.ts";

/** What /readyz reads (the daemon is one): its state, whether a chat runs, and where its storage is. */
export type ReadinessSource = {
  readonly state: string;
  readonly chat: object | undefined;
  readonly config: Pick<Config, "dataDir">;
  storageHealth(): StorageHealth | undefined;
};

/**
 * GET /readyz: 200 when new sessions would be accepted, 503 otherwise, so a
 * load balancer sends clients elsewhere while this instance starts, stops,
 * restarts, or cannot write its data. /healthz only says the process is alive.
 */
export function readinessRoutes(daemon: ReadinessSource): Hono {
  const app = new Hono();
  app.get("/readyz", async (c) => {
    const state = daemon.state;
    if (state !== "running" || !daemon.chat) return c.json({ status: "not_ready", state, reason: `server is ${state}` }, 503);
    const problem = await storageProblem(daemon);
    if (problem) return c.json({ status: "not_ready", state, reason: problem }, 503);
    return c.json({ status: "ready", state });
  });
  return app;
}

/**
 * Why the chat storage cannot be used, or undefined when it can: in a cluster,
 * Redis (the chat log in dataDir is not used there); else the chat log folder.
 * A stat, not an access(W_OK) probe: that one needs --allow-sys on Deno.
 */
async function storageProblem(daemon: Pick<ReadinessSource, "config" | "storageHealth">): Promise<string | undefined> {
  const health = daemon.storageHealth();
  if (health?.mode === "cluster") return health.redis === "up" ? undefined : "storage unavailable: Redis is down";
  const dir = join(daemon.config.dataDir, "chat");
  try {
    if (!(await stat(dir)).isDirectory()) return `storage unavailable: ${dir} is not a directory`;
  } catch (error) {
    return `storage unavailable: ${(error as NodeJS.ErrnoException).code ?? "error"} on ${dir}`;
  }
  return undefined;
}
