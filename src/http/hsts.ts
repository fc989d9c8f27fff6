import type { MiddlewareHandler } from "hono";

/** One year: browsers that saw chatd over https keep using https. */
export const HSTS_VALUE = "max-age=31536000";

/** Strict-Transport-Security on every response; only installed when chatd itself serves TLS. */
export function hsts(): MiddlewareHandler {
  return async function hsts(c, next) {
    await next();
    // A WebSocket upgrade answer belongs to the runtime adapter; leave it alone.
    if (c.res.status !== 101) c.res.headers.set("Strict-Transport-Security", HSTS_VALUE);
  };
}
