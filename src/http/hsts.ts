import type { MiddlewareHandler } from "hono";

/** One year: browsers that saw chatd over https keep using https. */
export const HSTS_VALUE = "max-age=31536000";

/** Strict-Transport-Security on every response; only installed when chatd itself serves TLS. */
export function hsts(): MiddlewareHandler {
  return async function hsts(c, next) {
    // Set before the handler too: a response made with c.json/c.body takes it in its own headers, which
    // a HEAD answer is built from (a header set on the finished response alone was lost there).
    c.header("Strict-Transport-Security", HSTS_VALUE);
    await next();
    // A WebSocket upgrade answer belongs to the runtime adapter; leave it alone.
    if (c.res.status !== 101) c.res.headers.set("Strict-Transport-Security", HSTS_VALUE);
  };
}
