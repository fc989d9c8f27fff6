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
  if (host !== undefined && url.host === ownHost(host, url.protocol)) return true;
  return security.allowedOrigins.some((allowed) => sameOrigin(allowed, url));
}

/**
 * The Host header as an origin of this scheme writes it: lower case, the scheme's default
 * port left out, as browsers leave it out of Origin (a proxy that sends `Host: chat.example:443`
 * still serves https://chat.example). Undefined for a Host that is no host[:port].
 */
function ownHost(host: string, protocol: string): string | undefined {
  if (!/^[^/?#@\\\s]+$/.test(host)) return undefined;
  try {
    return new URL(`${protocol}//${host}`).host;
  } catch {
    return undefined;
  }
}

function sameOrigin(allowed: string, url: URL): boolean {
  try {
    return new URL(allowed).origin === url.origin;
  } catch {
    return false;
  }
}
