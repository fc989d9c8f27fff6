import type { Context } from "hono";
import type { WebSocketSupport } from "../runtime/types.ts";
import { inRange, parseIp, parseRange, type Range } from "../net/cidr.ts";

/**
 * The client's address behind reverse proxies. The forwarding headers are
 * believed only from a peer in `trustedProxies`, and only as far back as the
 * chain stays trusted: the address is the nearest hop (from the right) that
 * is not a trusted proxy, so a client cannot choose its address by sending
 * the headers itself.
 */
export function clientAddress(peerAddress: string, headers: Headers, trusted: readonly string[]): string {
  if (trusted.length === 0) return peerAddress;
  const isTrusted = trustedProxy(trusted);
  if (!isTrusted(peerAddress)) return peerAddress;
  const hops = forwardedFor(headers);
  // Walk back from the proxy that connected to us; stop at the first hop we do not trust.
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (parseIp(hop) === undefined) return peerAddress; // "unknown", obfuscated: believe nothing further
    if (!isTrusted(hop) || i === 0) return normalize(hop);
  }
  return peerAddress;
}

/** A test of addresses against `trustedProxies` (IPs and CIDR ranges). */
export function trustedProxy(trusted: readonly string[]): (address: string) => boolean {
  if (trusted.length === 0) return () => false;
  const ranges = trusted.map(parseRange).filter((r): r is Range => r !== undefined);
  return (address) => {
    const ip = parseIp(address);
    return ip !== undefined && ranges.some((r) => inRange(ip, r));
  };
}

/** `trustedProxy` of the list `trusted()` holds now, made again only when a reload replaced the list. */
export function currentTrustedProxy(trusted: () => readonly string[]): (address: string) => boolean {
  let list: readonly string[] | undefined;
  let test: (address: string) => boolean = () => false;
  return (address) => {
    const now = trusted();
    if (now !== list) test = trustedProxy((list = now));
    return test(address);
  };
}

/** The `for=` chain of `Forwarded` (RFC 7239), else `X-Forwarded-For`, oldest first. */
function forwardedFor(headers: Headers): string[] {
  const forwarded = headers.get("forwarded");
  if (forwarded) {
    const out: string[] = [];
    for (const element of forwarded.split(",")) {
      const m = /(?:^|;)\s*for=("([^"]*)"|[^;,\s]*)/i.exec(element);
      if (m) out.push(stripPort(m[2] ?? m[1]!));
    }
    return out;
  }
  const xff = headers.get("x-forwarded-for");
  return xff ? xff.split(",").map((s) => stripPort(s.trim())).filter((s) => s !== "") : [];
}

/** `[2001:db8::1]:4711` → `2001:db8::1`; `10.0.0.1:4711` → `10.0.0.1`. */
function stripPort(s: string): string {
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(s);
  if (v6) return v6[1]!;
  const v4 = /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(s);
  return v4 ? v4[1]! : s;
}

function normalize(address: string): string {
  return address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, "$1");
}

/**
 * The runtime's WebSocket support, with addresses resolved through trusted
 * proxies. The app asks while it handles the upgrade request (Deno cannot
 * read a request's headers once it is upgraded) and hands the answer to
 * `peer`, so peers need no wrapper.
 */
export function behindProxies(ws: WebSocketSupport, trusted: () => readonly string[]): WebSocketSupport {
  const resolved = new WeakMap<Context, string>();
  const remoteAddress = (c: Context) => {
    let address = resolved.get(c);
    if (address === undefined) resolved.set(c, (address = clientAddress(ws.remoteAddress(c), c.req.raw.headers, trusted())));
    return address;
  };
  return { ...ws, remoteAddress };
}
