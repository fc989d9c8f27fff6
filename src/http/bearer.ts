import type { MiddlewareHandler } from "hono";

const encoder = new TextEncoder();

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
    if (!(await sameSecret(given, configured))) {
      c.header("WWW-Authenticate", 'Bearer realm="chatd-admin"');
      return c.json({ error: "unauthorized", message: "missing or wrong admin token" }, 401);
    }
    await next();
  };
}

async function sameSecret(a: string, b: string): Promise<boolean> {
  const [da, db] = await Promise.all([digest(a), digest(b)]);
  let diff = 0;
  for (let i = 0; i < da.length; i++) diff |= da[i]! ^ db[i]!;
  return diff === 0 && a.length > 0;
}

async function digest(s: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(s)));
}
