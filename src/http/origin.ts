/**
 * Whether a WebSocket upgrade with this Origin may proceed. Browsers always
 * send Origin on a WebSocket handshake, so a missing one means a non-browser
 * client (allowed unless `allowMissingOrigin` is false). Otherwise the origin
 * must be the daemon's own (its host equals the Host header the browser used)
 * or be listed in `allowedOrigins` ("*" lists every origin).
 */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  security: { allowedOrigins: readonly string[]; allowMissingOrigin: boolean },
): boolean {
  if (origin === undefined || origin === "") return security.allowMissingOrigin;
  if (security.allowedOrigins.includes("*")) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    // Includes the literal "null" sent by sandboxed frames and file: pages.
    return false;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  if (host !== undefined && url.host === host.toLowerCase()) return true;
  return security.allowedOrigins.some((allowed) => sameOrigin(allowed, url));
}

function sameOrigin(allowed: string, url: URL): boolean {
  try {
    return new URL(allowed).origin === url.origin;
  } catch {
    return false;
  }
}
