import type { MiddlewareHandler } from "hono";

/**
 * A HEAD answer carries the Content-Length GET would (RFC 9110). hono answers HEAD with the
 * GET route's response, body dropped by the server; that response often has no length of
 * its own (the server computes it from the body), so Node sent none and Deno `0`. Answers
 * that set one (a file download) keep it; the others are small (JSON, the page's assets).
 */
export function headLength(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (c.req.method !== "HEAD" || c.res.headers.has("content-length") || !c.res.body) return;
    const length = (await c.res.clone().arrayBuffer()).byteLength;
    c.res.headers.set("content-length", String(length));
  };
}
