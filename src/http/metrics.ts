import { Hono } from "hono";
import type { Daemon } from "../daemon.ts";
import { measureEventLoopLag } from "../ops/metrics.ts";
import { adminAuth } from "./bearer.ts";

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/**
 * GET /metrics in the Prometheus text format. Public by default (it holds
 * counts, no names or messages); `metrics.public: false` puts it behind the
 * admin token.
 */
export function metricsRoutes(daemon: Daemon): Hono {
  const app = new Hono();
  const guard = adminAuth(() => daemon.config.adminToken);
  app.get("/metrics", async (c, next) => (daemon.config.metrics.public ? next() : guard(c, next)), async (c) => {
    const body = daemon.metrics.render({
      state: daemon.state,
      chat: daemon.chat,
      process: daemon.runtime.processStats?.(),
      eventLoopLagSeconds: await measureEventLoopLag(),
    });
    return c.body(body, 200, { "Content-Type": PROMETHEUS_CONTENT_TYPE, "Cache-Control": "no-store" });
  });
  return app;
}
