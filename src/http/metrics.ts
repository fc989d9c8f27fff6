import { Hono } from "hono";
import type { Config } from "../config/schema.ts";
import type { ChatStats } from "../chat/service.ts";
import type { ServerRuntime } from "../runtime/types.ts";
import { measureEventLoopLag, type Metrics } from "../ops/metrics.ts";
import { adminAuth } from "./bearer.ts";

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/**
 * GET /metrics in the Prometheus text format. Public by default (it holds
 * counts, no names or messages); `metrics.public: false` puts it behind the
 * admin token.
 */
/** What a scrape reads (the daemon is one). */
export type MetricsSource = {
  readonly config: Pick<Config, "adminToken" | "metrics">;
  readonly state: string;
  readonly metrics: Pick<Metrics, "render">;
  readonly runtime: Pick<ServerRuntime, "processStats">;
  readonly chat: { stats(): ChatStats } | undefined;
};

export function metricsRoutes(daemon: MetricsSource): Hono {
  const app = new Hono();
  const guard = adminAuth(() => daemon.config.adminToken);
  app.get("/metrics", async (c, next) => (daemon.config.metrics.public ? next() : guard(c, next)), async (c) => {
    const body = daemon.metrics.render({
      state: daemon.state,
      chat: daemon.chat?.stats(),
      process: daemon.runtime.processStats?.(),
      eventLoopLagSeconds: await measureEventLoopLag(),
    });
    return c.body(body, 200, { "Content-Type": PROMETHEUS_CONTENT_TYPE, "Cache-Control": "no-store" });
  });
  return app;
}
