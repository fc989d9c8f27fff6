import type { IrcConnection } from "./connection.ts";
import type { IrcMessage } from "./line.ts";
import { channelKey, userKey } from "./names.ts";
import { fromIrc } from "./text.ts";

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
  const why = reason === undefined ? undefined : fromIrc(reason)?.slice(0, 500);
  conn.request({ type: "kick", user: nick, ...(why ? { reason: why } : {}) }, { command: "KICK", out, target: channel, nick, done: `kicked ${nick}` });
  out.release();
}

/**
 * MODE: user modes read as +i (+o for an operator); a channel reads as +n (no
 * outside messages; not +t: every member may set the topic)
 * with an empty ban list. `+q nick [minutes]` mutes the user in the channel
 * (chatd mute, 60 minutes unless given), `-q nick` unmutes.
 */
export function mode(conn: IrcConnection, msg: IrcMessage): void {
  const [target, change, arg, minutes] = msg.params;
  if (!target) return conn.numeric("461", "MODE", "Not enough parameters");
  const out = conn.reply(msg);
  const room = channelKey(target);
  if (!target.startsWith("#")) {
    if (userKey(target) !== userKey(conn.nick)) conn.num(out, "502", "Can't change mode for other users");
    else conn.num(out, "221", conn.oper ? "+io" : "+i");
  } else if (room === undefined) conn.num(out, "403", target, "No such channel");
  else if (change === undefined) conn.num(out, "324", target, "+n");
  else if (/^[+-]?b$/.test(change) && arg === undefined) conn.num(out, "368", target, "End of channel ban list");
  else if ((change === "+q" || change === "-q") && arg) {
    const frame = change === "+q"
      ? { type: "mute", user: arg, room, minutes: Number(minutes ?? DEFAULT_MUTE_MINUTES) }
      : { type: "unmute", user: arg, room };
    conn.request(frame, { command: "MODE", out, target, nick: arg, done: `${change === "+q" ? "muted" : "unmuted"} ${arg} in ${target}` });
  } else conn.num(out, "472", change.replace(/^[+-]/, "").slice(0, 1) || change, "is not a mode chatd knows (only +q/-q nick to mute)");
  out.release();
}

/**
 * OPER <name> <password>: a chatd moderator or admin, with their own name
 * and password, takes +o (shown in MODE and WHOIS). It grants nothing the
 * role does not: moderation is checked against the stored role each time.
 */
export function oper(conn: IrcConnection, msg: IrcMessage): void {
  const [name, password] = msg.params;
  if (!name || password === undefined) return conn.numeric("461", "OPER", "Not enough parameters");
  const me = conn.session.user!;
  const out = conn.reply(msg);
  conn.session.enqueue(async () => {
    let ok = false;
    if (userKey(name) === me.key && (me.role === "moderator" || me.role === "admin")) {
      try {
        const signIn = await conn.ctx.chat.accounts.validateSession(me.key, password);
        await conn.ctx.chat.accounts.revoke(signIn.token).catch(() => {});
        ok = true;
      } catch {
        ok = false;
      }
    }
    if (ok) {
      conn.oper = true;
      conn.num(out, "381", "You are now an IRC operator");
      out.add(conn.ctx.renderer.source(conn.nick), "MODE", [conn.nick, "+o"]);
    } else conn.num(out, "491", "No O-lines for your host (a chatd moderator or admin, with their own password)");
    out.release();
  });
}

/**
 * AWAY: kept on this connection and with the user's presence (WHO and WHOIS
 * on every node show it), and told, with away-notify, to the IRC clients
 * sharing a channel with the user on every node (ChatService.away). In the
 * session's order: a JOIN sent before it is done first.
 */
export function away(conn: IrcConnection, msg: IrcMessage): void {
  const text = msg.params[0];
  const out = conn.reply(msg);
  conn.away = text ? text.slice(0, 200) : undefined;
  if (conn.away === undefined) conn.num(out, "305", "You are no longer marked as being away");
  else conn.num(out, "306", "You have been marked as being away");
  out.release();
  // Told as set now, should another AWAY follow before this one is told.
  const now = conn.away;
  conn.session.enqueue(() => conn.ctx.chat.away(conn.session, undefined, now));
}
