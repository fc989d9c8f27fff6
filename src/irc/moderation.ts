import type { IrcConnection } from "./connection.ts";
import { AwayNotices } from "./away.ts";
import type { IrcMessage } from "./line.ts";
import { channelKey, userKey } from "./names.ts";
import { fromIrc } from "./text.ts";
import { cutChars } from "../message/index.ts";
import type { Reply } from "./reply.ts";
import { hiddenFrom, query } from "./queries.ts";

/** How long MODE +q mutes when no minutes are given. */
const DEFAULT_MUTE_MINUTES = 60;

/**
 * KICK: chatd's kick (every connection of the user, on every node; chatd has
 * no per-room kick). Moderators and admins only, as on the WebSocket.
 */
export function kick(conn: IrcConnection, msg: IrcMessage): void {
  const [channel, nick, reason] = msg.params;
  if (!channel || !nick) return conn.numeric("461", "KICK", "Not enough parameters");
  const out = conn.reply(msg);
  const why = reason === undefined ? undefined : cutChars(fromIrc(reason) ?? "", 500);
  conn.request({ type: "kick", user: nick, ...(why ? { reason: why } : {}) }, { command: "KICK", out, target: channel, nick, done: `kicked ${nick}` });
  out.release();
}

/**
 * MODE: user modes read as +i (+o for an operator). A channel reads as +n
 * (no outside messages) with chatd's modes (issue 21): +t (topic lock), +s
 * (secret), and 329 its creation time; its ban list is empty. `+t`/`-t`,
 * `+s`/`-s`, `+o nick`/`-o nick`, `+v nick`/`-v nick` are chatd `mode`
 * (room operators, moderators and admins; 482 for others): every member, on
 * every node, gets the MODE line. `+q nick [minutes]` mutes the user in the
 * channel (chatd mute, 60 minutes unless given), `-q nick` unmutes.
 */
export function mode(conn: IrcConnection, msg: IrcMessage): void {
  const [target, change, ...args] = msg.params;
  if (!target) return conn.numeric("461", "MODE", "Not enough parameters");
  const room = channelKey(target);
  // Hidden from this connection: asked again behind what came before (a JOIN sent just before may be entering it).
  if (room !== undefined && change === undefined && hiddenFrom(conn, room)) return query(conn, msg, (out) => channelModeIs(conn, out, target, room));
  const out = conn.reply(msg);
  if (!target.startsWith("#")) {
    if (userKey(target) !== userKey(conn.nick)) conn.num(out, "502", "Can't change mode for other users");
    else conn.num(out, "221", conn.oper ? "+io" : "+i");
  } else if (room === undefined) conn.num(out, "403", target, "No such channel");
  else if (change === undefined) channelModeIs(conn, out, target, room);
  else if (/^[+-]?b$/.test(change) && args.length === 0) conn.num(out, "368", target, "End of channel ban list");
  else if ((change === "+q" || change === "-q") && args[0]) {
    const [nick, minutes] = args as [string, string | undefined];
    const frame = change === "+q"
      ? { type: "mute", user: nick, room, minutes: Number(minutes ?? DEFAULT_MUTE_MINUTES) }
      : { type: "unmute", user: nick, room };
    conn.request(frame, { command: "MODE", out, target, nick, done: `${change === "+q" ? "muted" : "unmuted"} ${nick} in ${target}` });
  } else channelModes(conn, out, target, room, change, args);
  out.release();
}

/** 324 (+n, with t and s when on) and 329 (creation time, when the node lists the room); a secret room reads to those not in it as a name no room has (no +s, no 329). */
function channelModeIs(conn: IrcConnection, out: Reply, target: string, room: string): void {
  const info = hiddenFrom(conn, room) ? undefined : conn.ctx.chat.directory.get(room);
  conn.num(out, "324", target, `+n${info?.topicLock ? "t" : ""}${info?.secret ? "s" : ""}`);
  if (info) conn.num(out, "329", target, String(Math.floor(info.createdAt / 1000)));
}

const ROOM_MODES: Record<string, "topicLock" | "secret" | "operator" | "voice"> = { t: "topicLock", s: "secret", o: "operator", v: "voice" };
/** At most this many changes in one MODE (ISUPPORT MODES). */
const MAX_MODES = 4;

/** `+t-s+o nick...`: one chatd `mode` request a letter (`n` is always on: no change); 472 for a letter chatd does not know. */
function channelModes(conn: IrcConnection, out: Reply, target: string, room: string, change: string, args: string[]): void {
  let on = true;
  let count = 0;
  for (const letter of change) {
    if (letter === "+" || letter === "-") {
      on = letter === "+";
      continue;
    }
    if (letter === "n") continue;
    const mode = ROOM_MODES[letter];
    if (!mode) {
      conn.num(out, "472", letter, "is not a mode chatd knows (+t, +s, +o nick, +v nick; +q nick to mute)");
      continue;
    }
    if (++count > MAX_MODES) break;
    const withUser = mode === "operator" || mode === "voice";
    const nick = withUser ? args.shift() : undefined;
    if (withUser && nick === undefined) {
      conn.num(out, "461", "MODE", "Not enough parameters");
      continue;
    }
    conn.request({ type: "mode", room, mode, on, ...(nick === undefined ? {} : { user: nick }) }, { command: "MODE", out, target, ...(nick === undefined ? {} : { nick }) }, `mode:${room}`);
  }
}

/**
 * AWAY: kept on this connection and with the user's presence (WHO and WHOIS
 * on every node show it), and told, with away-notify, to the IRC clients
 * sharing a channel with the user on every node (ChatService.away), at most
 * once per AWAY_TELL_MS (see away.ts).
 */
export function away(conn: IrcConnection, msg: IrcMessage): void {
  const text = msg.params[0];
  const out = conn.reply(msg);
  conn.away = text ? cutChars(text, 200) : undefined;
  if (conn.away === undefined) conn.num(out, "305", "You are no longer marked as being away");
  else conn.num(out, "306", "You have been marked as being away");
  out.release();
  (conn.awayNotices ??= new AwayNotices(conn.session, conn.ctx, () => conn.away)).changed();
}
