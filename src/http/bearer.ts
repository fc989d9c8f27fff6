import type { MiddlewareHandler } from "hono";
import { digestsEqual, hashSecret } from "../accounts/tokens.ts";

/**
 * Admin authentication: `Authorization: Bearer <token>`, compared as SHA-256
 * digests in constant time so neither the token's length nor its content
 * leaks through timing. With no token configured every request is refused.
 */
export function adminAuth(getToken: () => string): MiddlewareHandler {
  return async function adminAuth(c, next) {
    const configured = getToken();
    if (!configured) {
      return c.json({ error: "admin_disabled", message: "the admin API is off: no admin token is configured" }, 403);
    }
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    const given = match?.[1] ?? "";
    if (!sameSecret(given, configured)) {
      c.header("WWW-Authenticate", 'Bearer realm="chatd-admin"');
      return c.json({ error: "unauthorized", message: "missing or wrong admin token" }, 401);
    }
    await next();
  };
}

/** The digests have one length whatever the secrets' lengths, and are compared without an early exit. */
function sameSecret(a: string, b: string): boolean {
  return digestsEqual(hashSecret(a), hashSecret(b)) && a.length > 0;
}
