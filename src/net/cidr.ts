/**
 * IPv4 and IPv6 addresses and CIDR ranges, as numbers, for the trusted-proxy
 * list. IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`, what a dual-stack
 * socket reports for IPv4 clients) count as the IPv4 address.
 */
export type Range = { v6: boolean; base: bigint; bits: number };

export function parseIp(text: string): { v6: boolean; value: bigint } | undefined {
  const s = text.trim().replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const v4 = parseV4(s);
  if (v4 !== undefined) return { v6: false, value: v4 };
  const v6 = parseV6(s);
  if (v6 === undefined) return undefined;
  // ::ffff:a.b.c.d is an IPv4 client on a dual-stack socket.
  if (v6 >> 32n === 0xffffn) return { v6: false, value: v6 & 0xffffffffn };
  return { v6: true, value: v6 };
}

export function parseRange(text: string): Range | undefined {
  const [addr, prefix, extra] = text.trim().split("/");
  if (extra !== undefined || addr === undefined) return undefined;
  const ip = parseIp(addr);
  if (!ip) return undefined;
  const max = ip.v6 ? 128 : 32;
  const bits = prefix === undefined ? max : /^\d+$/.test(prefix) ? Number(prefix) : NaN;
  if (!(bits >= 0 && bits <= max)) return undefined;
  return { v6: ip.v6, base: ip.value >> BigInt(max - bits), bits };
}

export function inRange(ip: { v6: boolean; value: bigint }, range: Range): boolean {
  if (ip.v6 !== range.v6) return false;
  return ip.value >> BigInt((ip.v6 ? 128 : 32) - range.bits) === range.base;
}

function parseV4(s: string): bigint | undefined {
  const parts = s.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((n, p) => (n << 8n) | BigInt(p), 0n);
}

function parseV6(s: string): bigint | undefined {
  if (!s.includes(":")) return undefined;
  let head = s;
  let tail4: bigint | undefined;
  const lastColon = s.lastIndexOf(":");
  if (s.slice(lastColon + 1).includes(".")) {
    tail4 = parseV4(s.slice(lastColon + 1));
    if (tail4 === undefined) return undefined;
    head = s.slice(0, lastColon + 1) + "0:0";
  }
  const halves = head.split("::");
  if (halves.length > 2) return undefined;
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - left.length - right.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0 || (halves.length === 2 && missing < 1)) return undefined;
  const all = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...right];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  let value = all.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
  if (tail4 !== undefined) value = (value & ~0xffffffffn) | tail4;
  return value;
}
