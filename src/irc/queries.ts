import type { IrcConnection } from "./connection.ts";
import type { IrcMessage } from "./line.ts";
import type { Reply } from "./reply.ts";
import { channelKey, userKey } from "./names.ts";
import { utf8Length } from "../message/utf8.ts";

/**
 * The read-only commands (NAMES, WHO, WHOIS, LUSERS, ISON, USERHOST): they
 * read who is where from the presence store (every node) and the accounts,
 * and run in the session's inbox so they answer in the order they came.
 */
export function query(conn: IrcConnection, msg: IrcMessage, run: (out: Reply) => Promise<void> | void): void {
  const out = conn.reply(msg);
  conn.session.enqueue(async () => {
    try {
      await run(out);
    } catch {
      conn.fail(out, msg.command, "TEMPORARILY_UNAVAILABLE", "try again later");
    }
    out.release();
  });
}

/** 353 lines of the members (as many as fit in a line each), then 366. */
export function namesReply(conn: IrcConnection, out: Reply, channel: string, members: readonly string[]): void {
  let line: string[] = [];
  let bytes = 0;
  const room = 400 - utf8Length(conn.server) - utf8Length(conn.nick) - utf8Length(channel);
  const full = conn.caps.has("userhost-in-names");
  for (const member of members) {
    const name = full ? conn.ctx.renderer.source(member) : member;
    if (line.length > 0 && bytes + utf8Length(name) + 1 > room) {
      conn.num(out, "353", "=", channel, line.join(" "));
      line = [];
      bytes = 0;
    }
    line.push(name);
    bytes += utf8Length(name) + 1;
  }
  if (line.length > 0) conn.num(out, "353", "=", channel, line.join(" "));
  conn.num(out, "366", channel, "End of /NAMES list");
}

/** Who is in a room, on every node. */
export async function membersOf(conn: IrcConnection, room: string): Promise<string[]> {
  const [members] = await conn.ctx.chat.presence.members([room]);
  return [...new Set([...(members ?? []), ...conn.ctx.chat.hub.members(room)])].sort();
}

export function names(conn: IrcConnection, msg: IrcMessage): void {
  const target = msg.params[0];
  query(conn, msg, async (out) => {
    if (!target) return conn.num(out, "366", "*", "End of /NAMES list");
    for (const channel of target.split(",")) {
      const room = channelKey(channel);
      if (room === undefined) conn.num(out, "366", channel, "End of /NAMES list");
      else namesReply(conn, out, channel, await membersOf(conn, room));
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

/** 352: USER's user and real name when the user is on IRC on this node, else the account's name for both; G when away on any node. */
function whoLine(conn: IrcConnection, out: Reply, channel: string, name: string, awayThere: string | undefined): void {
  const key = userKey(name) ?? name;
  const peer = ircPeerOf(conn, key);
  const away = awayOf(conn, key) ?? awayThere;
  const flags = `${away !== undefined ? "G" : "H"}${peer?.oper ? "*" : ""}`;
  conn.num(out, "352", channel, peer?.userName ?? name, conn.ctx.renderer.host, conn.server, name, flags, `0 ${peer?.realName || name}`);
}

/** A WHO mask (`*` and `?` wildcards, case-insensitive) as a test on names. */
export function maskMatcher(mask: string): (name: string) => boolean {
  const re = new RegExp(`^${mask.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
  return (name) => re.test(name);
}

export function who(conn: IrcConnection, msg: IrcMessage): void {
  const mask = msg.params[0] ?? "*";
  query(conn, msg, async (out) => {
    const room = channelKey(mask);
    if (room !== undefined) {
      // The members on every node, with the away messages they set on any.
      const members = await membersOf(conn, room);
      const away = await conn.ctx.chat.presence.awayOf(members);
      members.forEach((name, i) => whoLine(conn, out, `#${room}`, name, away[i]));
    } else if (/[*?]/.test(mask)) {
      // Every user is +i: a mask finds only oneself and those sharing a room with the asker.
      const matches = maskMatcher(mask);
      const users = await conn.ctx.chat.presence.users();
      const me = userKey(conn.nick);
      const mine = new Set(users.find((u) => userKey(u.name) === me)?.rooms ?? []);
      for (const u of users) {
        if (matches(u.name) && (userKey(u.name) === me || u.rooms.some((r) => mine.has(r)))) whoLine(conn, out, "*", u.name, u.away);
      }
    } else {
      const key = userKey(mask);
      const online = key === undefined ? undefined : (await conn.ctx.chat.presence.users()).find((u) => userKey(u.name) === key);
      if (online) whoLine(conn, out, "*", online.name, online.away);
    }
    conn.num(out, "315", mask, "End of WHO list");
  });
}

export function whois(conn: IrcConnection, msg: IrcMessage): void {
  const nick = msg.params[msg.params.length - 1];
  if (!nick) return conn.numeric("431", "No nickname given");
  query(conn, msg, async (out) => {
    const key = userKey(nick);
    const user = key === undefined ? undefined : await conn.ctx.chat.accounts.findUser(key);
    if (!user || user.banned) {
      conn.num(out, "401", nick, "No such nick/channel");
      return conn.num(out, "318", nick, "End of /WHOIS list");
    }
    const online = (await conn.ctx.chat.presence.users()).find((u) => userKey(u.name) === user.key);
    const peer = ircPeerOf(conn, user.key);
    conn.num(out, "311", user.name, peer?.userName ?? user.name, conn.ctx.renderer.host, "*", peer?.realName || user.name);
    if (online && online.rooms.length > 0) conn.num(out, "319", user.name, online.rooms.map((r) => `#${r}`).join(" "));
    conn.num(out, "312", user.name, conn.server, conn.ctx.config.name);
    if (user.role === "moderator" || user.role === "admin") conn.num(out, "313", user.name, `is a chatd ${user.role}`);
    const away = awayOf(conn, user.key) ?? online?.away;
    if (away !== undefined) conn.num(out, "301", user.name, away);
    conn.num(out, "330", user.name, user.name, "is logged in as");
    if (!online) conn.num(out, "301", user.name, "offline");
    conn.num(out, "318", user.name, "End of /WHOIS list");
  });
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
  query(conn, msg, async (out) => {
    const { chat } = conn.ctx;
    const [users, nodes, rooms] = await Promise.all([chat.presence.users(), chat.presence.nodes(), chat.allRoomNames()]);
    conn.num(out, "251", `There are ${users.length} users and 0 invisible on ${Math.max(1, nodes.length)} servers`);
    conn.num(out, "252", "0", "operator(s) online");
    conn.num(out, "254", String(rooms.length), "channels formed");
    conn.num(out, "255", `I have ${chat.hub.onlineUsers().length} clients and ${Math.max(1, nodes.length)} servers`);
  });
}

export function ison(conn: IrcConnection, msg: IrcMessage): void {
  query(conn, msg, async (out) => {
    const online = new Set((await conn.ctx.chat.presence.users()).map((u) => userKey(u.name)));
    const asked = msg.params.flatMap((p) => p.split(" ")).filter((n) => n !== "");
    conn.num(out, "303", asked.filter((n) => online.has(userKey(n))).join(" "));
  });
}

export function userhost(conn: IrcConnection, msg: IrcMessage): void {
  query(conn, msg, async (out) => {
    const online = await conn.ctx.chat.presence.users();
    const found = msg.params.slice(0, 5).flatMap((n) => {
      const u = online.find((o) => userKey(o.name) === userKey(n));
      return u ? [`${u.name}=+${u.name}@${conn.ctx.renderer.host}`] : [];
    });
    conn.num(out, "302", found.join(" "));
  });
}
