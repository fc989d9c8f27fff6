import type { IrcConnection } from "./connection.ts";
import type { IrcMessage } from "./line.ts";
import type { Reply } from "./reply.ts";
import { channelKey, userKey } from "./names.ts";
import { utf8Length } from "../message/utf8.ts";
import { operatorText } from "./oper.ts";
import type { SessionUser } from "../chat/session.ts";
import { HIDDEN_IP, ipParam, parseWhox, whoxParams, type WhoEntry, type Whox } from "./whox.ts";
import { maskMatcher } from "./mask.ts";
import { onlineByKey } from "./online.ts";
import { roomModes, type RoomModes } from "../chat/handlers/modes.ts";
import { describeFailure } from "../chat/failure.ts";
import { LookupLag } from "./lookup-lag.ts";

/**
 * The read-only commands (NAMES, WHO and WHOX, WHOIS, LUSERS, ISON, USERHOST): they
 * read who is where from the presence store (every node) and the accounts,
 * and run in the session's inbox so they answer in the order they came.
 */
export function query(conn: IrcConnection, msg: IrcMessage, run: (out: Reply) => Promise<void> | void): void {
  const out = conn.reply(msg);
  conn.session.enqueue(async () => {
    try {
      await run(out);
    } catch (error) {
      // A store that cannot answer is `unavailable` (describeFailure), as IRC says it; anything else is a fault, logged.
      if (describeFailure(error).unexpected) conn.ctx.logger.error("irc query failed", { command: msg.command, error: (error as Error)?.message ?? String(error) });
      conn.fail(out, msg.command, "TEMPORARILY_UNAVAILABLE", "try again later");
    }
    out.release();
  });
}

/** A lookup: a query under the connection's lookup rate (see lookup-lag.ts). */
function lookup(conn: IrcConnection, msg: IrcMessage, run: (out: Reply) => Promise<void> | void): void {
  query(conn, msg, async (out) => {
    const lag = (conn.lookups ??= new LookupLag());
    if (!(await lag.turn())) return;
    await run(out);
    lag.answered(out.size);
  });
}

/** A room's roles and modes as the directory holds them (issue 21; `joined` carries the same). */
export function rolesOf(conn: IrcConnection, room: string): RoomModes {
  return roomModes(conn.ctx.chat.directory.get(room));
}

/**
 * Whether `room` is secret (+s) and this connection is not in it: then NAMES,
 * WHO, WHOIS, TOPIC and MODE tell the connection no more of it than LIST does,
 * that is nothing (as for a name no room has).
 */
export function hiddenFrom(conn: IrcConnection, room: string): boolean {
  return conn.ctx.chat.directory.get(room)?.secret === true && !conn.session.rooms.has(room);
}

/** A member's channel prefix: `@` for an operator, `+` for a voiced member, "" otherwise; with multi-prefix (`all`) both, `@+`. */
export function prefixOf(roles: RoomModes, name: string, all = false): string {
  const op = roles.operators.includes(name);
  if (op && !all) return "@";
  return (op ? "@" : "") + (roles.voiced.includes(name) ? "+" : "");
}

/** 353 lines of the members (as many as fit in a line each, `@`/`+` before operators and voiced; `@` for a secret room, else `=`), then 366. */
export function namesReply(conn: IrcConnection, out: Reply, channel: string, members: readonly string[], roles: RoomModes): void {
  // Each line joins a run of the list at once (no string per name, unless names get prefixes or
  // full sources: a JOIN in a big channel names thousands).
  const room = 400 - utf8Length(conn.server) - utf8Length(conn.nick) - utf8Length(channel);
  const full = conn.caps.has("userhost-in-names");
  const symbol = roles.modes.secret ? "@" : "=";
  const plain = !full && roles.operators.length === 0 && roles.voiced.length === 0;
  const all = conn.caps.has("multi-prefix");
  const names = plain ? members : members.map((m) => prefixOf(roles, m, all) + (full ? conn.ctx.renderer.source(m) : m));
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < names.length; i++) {
    const size = utf8Length(names[i]!) + 1;
    if (i > start && bytes + size > room) {
      conn.num(out, "353", symbol, channel, names.slice(start, i).join(" "));
      start = i;
      bytes = 0;
    }
    bytes += size;
  }
  if (names.length > start) conn.num(out, "353", symbol, channel, names.slice(start).join(" "));
  conn.num(out, "366", channel, "End of /NAMES list");
}

/** Who is in a room, on every node. */
export async function membersOf(conn: IrcConnection, room: string): Promise<string[]> {
  const [members] = await conn.ctx.chat.presence.members([room]);
  return conn.ctx.chat.hub.membersWith(room, members ?? []);
}

export function names(conn: IrcConnection, msg: IrcMessage): void {
  const target = msg.params[0];
  lookup(conn, msg, async (out) => {
    if (!target) return conn.num(out, "366", "*", "End of /NAMES list");
    for (const channel of target.split(",")) {
      const room = channelKey(channel);
      if (room === undefined || hiddenFrom(conn, room)) conn.num(out, "366", channel, "End of /NAMES list");
      else namesReply(conn, out, channel, await membersOf(conn, room), rolesOf(conn, room));
    }
  });
}

/** The IRC connection of a user on this node, if any: where USER's names and AWAY live (they are not stored). */
export function ircPeerOf(conn: IrcConnection, key: string): IrcConnection | undefined {
  for (const s of conn.ctx.chat.hub.userSessions(key)) {
    const peer = s.peer as Partial<IrcConnection>;
    if (peer.userName !== undefined) return peer as IrcConnection;
  }
  return undefined;
}

/** What presence says of a user's IRC status on every node (storage/presence's UserStatus). */
export type StatusThere = { away?: string; oper?: SessionUser["role"] };

/**
 * A user's WHO flags, the one place 352, 354 and anything else take them from:
 * `G` when away, `H` otherwise, `*` for an IRC operator (after OPER), each set
 * on this node or any (`there`: what presence says), then the user's prefix in
 * `room` when the WHO is about a channel.
 */
export function whoFlags(conn: IrcConnection, name: string, room?: string, there: StatusThere = {}): string {
  const key = userKey(name) ?? name;
  const away = (awayOf(conn, key) ?? there.away) !== undefined ? "G" : "H";
  const oper = there.oper !== undefined || operHere(conn, key) ? "*" : "";
  // `room`'s prefix (`@` operator, `+` voiced) goes last.
  const prefix = room === undefined ? "" : prefixOf(rolesOf(conn, room), name, conn.caps.has("multi-prefix"));
  return `${away}${oper}${prefix}`;
}

/**
 * What WHO tells of `name` (in `room` when the WHO names a channel): USER's
 * user and real name when the user is on IRC on this node, else the account's
 * name for both; the address only to its owner; idle time only of IRC users
 * on this node (chatd keeps none elsewhere). Every chatd user is signed in to
 * an account, whose name is the nick.
 */
function whoEntry(conn: IrcConnection, name: string, room?: string, there?: StatusThere): WhoEntry {
  const key = userKey(name) ?? name;
  const peer = ircPeerOf(conn, key);
  const self = key === userKey(conn.nick) && conn.remoteAddress !== "";
  return {
    channel: room === undefined ? "*" : `#${room}`,
    userName: peer?.userName ?? name,
    ip: self ? ipParam(conn.remoteAddress) : HIDDEN_IP,
    host: conn.ctx.renderer.host,
    server: conn.server,
    nick: name,
    flags: whoFlags(conn, name, room, there),
    idle: peer ? Math.max(0, Math.floor((Date.now() - peer.activeAt) / 1000)) : 0,
    account: name,
    realName: peer?.realName || name,
  };
}

/** One WHO answer line: 354 with the fields asked for (WHOX), else 352. */
function whoLine(conn: IrcConnection, out: Reply, whox: Whox | undefined, name: string, room?: string, there?: StatusThere): void {
  const e = whoEntry(conn, name, room, there);
  if (whox) conn.num(out, "354", ...whoxParams(whox, e));
  else conn.num(out, "352", e.channel, e.userName, e.host, e.server, e.nick, e.flags, `0 ${e.realName}`);
}

export function who(conn: IrcConnection, msg: IrcMessage): void {
  const mask = msg.params[0] ?? "*";
  const whox = parseWhox(msg.params[1]);
  lookup(conn, msg, async (out) => {
    const room = channelKey(mask);
    if (room !== undefined) {
      if (hiddenFrom(conn, room)) return conn.num(out, "315", mask, "End of WHO list");
      // The members on every node, with the away messages and OPERs of any.
      const members = await membersOf(conn, room);
      const status = await conn.ctx.chat.presence.statusOf(members);
      members.forEach((name, i) => whoLine(conn, out, whox, name, room, status[i]));
    } else if (/[*?]/.test(mask)) {
      // Every user is +i: a mask finds only oneself and those sharing a room with the asker.
      const matches = maskMatcher(mask);
      const users = await conn.ctx.chat.presence.users();
      const me = userKey(conn.nick);
      const self = me === undefined ? undefined : onlineByKey(users).get(me);
      const mine = new Set(self?.rooms ?? []);
      // The rooms first: the mask is tried only on those the asker may see.
      for (const u of users) {
        if ((u === self || u.rooms.some((r) => mine.has(r))) && matches(u.name)) whoLine(conn, out, whox, u.name, undefined, u);
      }
    } else {
      const key = userKey(mask);
      const online = key === undefined ? undefined : onlineByKey(await conn.ctx.chat.presence.users()).get(key);
      if (online) whoLine(conn, out, whox, online.name, undefined, online);
    }
    conn.num(out, "315", mask, "End of WHO list");
  });
}

export function whois(conn: IrcConnection, msg: IrcMessage): void {
  const nick = msg.params[msg.params.length - 1];
  if (!nick) return conn.numeric("431", "No nickname given");
  lookup(conn, msg, async (out) => {
    const key = userKey(nick);
    const user = key === undefined ? undefined : await conn.ctx.chat.accounts.findUser(key);
    if (!user || user.banned) {
      conn.num(out, "401", nick, "No such nick/channel");
      return conn.num(out, "318", nick, "End of /WHOIS list");
    }
    const online = onlineByKey(await conn.ctx.chat.presence.users()).get(user.key);
    const peer = ircPeerOf(conn, user.key);
    conn.num(out, "311", user.name, peer?.userName ?? user.name, conn.ctx.renderer.host, "*", peer?.realName || user.name);
    // A secret room (issue 21) only to those in it.
    const rooms = online?.rooms.filter((r) => !hiddenFrom(conn, r)) ?? [];
    if (rooms.length > 0) conn.num(out, "319", user.name, rooms.map((r) => `#${r}`).join(" "));
    conn.num(out, "312", user.name, conn.server, conn.ctx.config.name);
    const operator = operatorText(conn, user, online?.oper);
    if (operator) conn.num(out, "313", user.name, operator);
    const away = awayOf(conn, user.key) ?? online?.away;
    // 301 (away, or offline) before 330, in the order docs/irc.md lists them.
    if (away !== undefined) conn.num(out, "301", user.name, away);
    else if (!online) conn.num(out, "301", user.name, "offline");
    conn.num(out, "330", user.name, user.name, "is logged in as");
    conn.num(out, "318", user.name, "End of /WHOIS list");
  });
}

/** Whether an IRC connection of the user on this node OPERed (another node's say so in the presence store). */
function operHere(conn: IrcConnection, key: string): boolean {
  for (const s of conn.ctx.chat.hub.userSessions(key)) if ((s.peer as Partial<IrcConnection>).oper === true) return true;
  return false;
}

/** The away message of a user's IRC session on this node, if it set one (another node's is in the presence store). */
export function awayOf(conn: IrcConnection, key: string): string | undefined {
  for (const s of conn.ctx.chat.hub.userSessions(key)) {
    const away = (s.peer as Partial<IrcConnection>).away;
    if (away !== undefined) return away;
  }
  return undefined;
}

export function lusers(conn: IrcConnection, msg: IrcMessage): void {
  lookup(conn, msg, async (out) => {
    const { chat } = conn.ctx;
    const [users, nodes, rooms] = await Promise.all([chat.presence.users(), chat.presence.nodes(), chat.allRoomNames()]);
    conn.num(out, "251", `There are ${users.length} users and 0 invisible on ${Math.max(1, nodes.length)} servers`);
    // Users with an IRC connection that OPERed, on any node (a moderator who did not OPER is not one).
    conn.num(out, "252", String(users.filter((u) => u.oper !== undefined).length), "operator(s) online");
    conn.num(out, "254", String(rooms.length), "channels formed");
    conn.num(out, "255", `I have ${chat.hub.onlineUsers().length} clients and ${Math.max(1, nodes.length)} servers`);
  });
}

export function ison(conn: IrcConnection, msg: IrcMessage): void {
  lookup(conn, msg, async (out) => {
    const online = onlineByKey(await conn.ctx.chat.presence.users());
    const asked = msg.params.flatMap((p) => p.split(" ")).filter((n) => n !== "");
    conn.num(out, "303", asked.filter((n) => online.has(userKey(n) ?? "")).join(" "));
  });
}

export function userhost(conn: IrcConnection, msg: IrcMessage): void {
  lookup(conn, msg, async (out) => {
    const online = onlineByKey(await conn.ctx.chat.presence.users());
    const found = msg.params.slice(0, 5).flatMap((n) => {
      const key = userKey(n);
      const u = key === undefined ? undefined : online.get(key);
      if (!u) return [];
      // RFC 2812's reply: `*` after an IRC operator's nick, `-` for one who is away (`+` otherwise), as WHO's flags.
      const oper = u.oper !== undefined || operHere(conn, key!) ? "*" : "";
      const away = (awayOf(conn, key!) ?? u.away) !== undefined ? "-" : "+";
      return [`${u.name}${oper}=${away}${u.name}@${conn.ctx.renderer.host}`];
    });
    conn.num(out, "302", found.join(" "));
  });
}
