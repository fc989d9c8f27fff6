/**
 * WHOX (IRCv3): `WHO <mask> %<fields>[,<token>]` answers 354 with just the
 * fields asked for, always in the spec's order, instead of 352.
 */

/** What WHO tells of one user (in a channel or not): 352 and 354 are both made of it. */
export type WhoEntry = {
  /** `#room`, or `*` when the WHO named no channel. */
  channel: string;
  userName: string;
  /** The address, or HIDDEN_IP. */
  ip: string;
  host: string;
  server: string;
  nick: string;
  /** whoFlags (queries.ts). */
  flags: string;
  /** Seconds since the user last spoke, 0 when not known. */
  idle: number;
  /** The account's name, `0` for none. */
  account: string;
  realName: string;
};

/** The address WHOX gives for a user whose address is not shown (the spec's placeholder). */
export const HIDDEN_IP = "255.255.255.255";

/** chatd has no op levels (ircu's and Solanum's placeholder for none). */
const NO_OP_LEVEL = "n/a";

/** The fields of a 354, in the order they are sent whatever order they were asked in. */
const ORDER = "tcuihsnfdlaor";

export type Whox = { fields: ReadonlySet<string>; token: string };

/** The WHOX request in WHO's second parameter (`%` and what follows it), or undefined for a plain WHO. */
export function parseWhox(param: string | undefined): Whox | undefined {
  const at = param?.indexOf("%") ?? -1;
  if (param === undefined || at < 0) return undefined;
  const [fields = "", token] = param.slice(at + 1).split(",", 2);
  // The spec's token is 1 to 3 digits; `t` without one (or with another) gets 0.
  return { fields: new Set(fields), token: token !== undefined && /^\d{1,3}$/.test(token) ? token : "0" };
}

/** 354's parameters after the asker's nick: the fields asked for, in order; letters WHOX does not define are ignored. */
export function whoxParams(whox: Whox, e: WhoEntry): string[] {
  const value: Record<string, string> = {
    t: whox.token,
    c: e.channel,
    u: e.userName,
    i: e.ip,
    h: e.host,
    s: e.server,
    n: e.nick,
    f: e.flags,
    d: "0",
    l: String(e.idle),
    a: e.account,
    o: NO_OP_LEVEL,
    r: e.realName,
  };
  return [...ORDER].filter((f) => whox.fields.has(f)).map((f) => value[f]!);
}

/** A socket address as an IRC parameter: an IPv4-mapped IPv6 address as IPv4, and never a leading `:` (`::1` is `0::1`). */
export function ipParam(address: string): string {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (v4) return v4[1]!;
  return address.startsWith(":") ? `0${address}` : address;
}
