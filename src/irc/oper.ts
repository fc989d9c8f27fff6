import type { IrcConnection } from "./connection.ts";
import type { IrcMessage } from "./line.ts";
import type { Reply } from "./reply.ts";
import type { SessionUser } from "../chat/session.ts";
import type { OperatorBlock } from "../config/operators.ts";
import { actingRole, strongerRole } from "../chat/roles.ts";
import { describeFailure } from "../chat/failure.ts";
import { waitText } from "../message/index.ts";
import { userKey } from "./names.ts";

/** The back-off's account for an operator block: no user key has a `:`, so it is no account's. */
const backOffKey = (block: OperatorBlock) => `oper:${block.name.toLowerCase()}`;

/**
 * OPER <name> <password> (docs/irc.md, "Operators"). An `irc.operators`
 * block of that name (any case) with a matching password gives this
 * connection the block's role for its lifetime (Session.grant); else a
 * chatd moderator or admin naming their own account, with its password,
 * opers with the role they have (checked against the stored role at each
 * moderation, as before). Either way: 381, `MODE nick +o`, `*` in WHO, 313
 * in WHOIS and one more in LUSERS' 252, on every node (kept with the user's
 * presence before the 381, so a WHO after it sees it anywhere). The password
 * is checked off the event loop under the sign-in's rates and failure
 * back-off (per address, and per block or account); a wrong one is 464, a
 * name that is neither 491.
 */
export function oper(conn: IrcConnection, msg: IrcMessage): void {
  const [name, password] = msg.params;
  if (!name || password === undefined) return conn.numeric("461", "OPER", "Not enough parameters");
  const out = conn.reply(msg);
  conn.session.enqueue(async () => {
    try {
      await check(conn, out, name, password);
    } catch (error) {
      // As for the queries (queries.ts): `unavailable` as IRC says it, a fault logged.
      if (describeFailure(error).unexpected) conn.ctx.logger.error("irc oper check failed", { error: (error as Error)?.message ?? String(error) });
      conn.fail(out, "OPER", "TEMPORARILY_UNAVAILABLE", name, "try again later");
    }
    out.release();
  });
}

async function check(conn: IrcConnection, out: Reply, name: string, password: string): Promise<void> {
  const { chat, config, logger } = conn.ctx;
  const me = conn.session.user!;
  const address = conn.remoteAddress;
  const block = config.irc.operators.find((o) => o.name.toLowerCase() === name.toLowerCase());
  const own = block ? undefined : userKey(name) === me.key ? await chat.accounts.store.get(me.key) : undefined;
  // The account a guess counts against: the block, or the user's own account (shared with its sign-ins).
  const account = block ? backOffKey(block) : own?.key;
  if (!conn.session.signIns.take()) {
    return refuse(conn, out, name, "too many sign-in attempts on this connection", conn.session.signIns.retryAfterMs());
  }
  if (!chat.abuse.mayTrySignIn(address, account)) {
    const { backOff, retryAfterMs } = chat.abuse.signInRefusal(address, account);
    return refuse(conn, out, name, backOff ? "too many failed sign-ins" : "too many sign-in attempts from this address", retryAfterMs);
  }
  if (!block && (own?.role !== "moderator" && own?.role !== "admin")) {
    // An unknown name feeds the address's back-off only: names cannot grow the table of accounts.
    if (!own) chat.abuse.signInFailed(address, undefined);
    logger.info("irc oper failed", { user: me.name, operator: name, address, reason: "no such operator" });
    return conn.num(out, "491", "No O-lines for your host (no operator of that name in irc.operators, and not your own moderator or admin account)");
  }
  const ok = await chat.accounts.matchesHash(password, block ? block.passwordHash : own!.passwordHash);
  if (!ok) {
    chat.abuse.signInFailed(address, account);
    logger.info("irc oper failed", { user: me.name, operator: block?.name ?? me.name, address, reason: "wrong password" });
    return conn.num(out, "464", "Password incorrect");
  }
  chat.abuse.signInSucceeded(address, account!);
  if (block) conn.session.grant = { role: block.role, operator: block.name };
  conn.oper = true;
  await chat.opered(conn.session);
  logger.info("irc oper", { user: me.name, operator: block?.name ?? me.name, role: block?.role ?? own!.role, address });
  conn.num(out, "381", "You are now an IRC operator");
  out.add(conn.ctx.renderer.source(conn.nick), "MODE", [conn.nick, "+o"]);
}

function refuse(conn: IrcConnection, out: Reply, name: string, why: string, retryAfterMs: number): void {
  conn.fail(out, "OPER", "RATE_LIMITED", name, `${why}; try again in ${waitText(retryAfterMs)} (retry after ${retryAfterMs} ms)`);
}

/**
 * WHOIS 313 for a user, or undefined: a chatd moderator or admin, and IRC
 * operators (an IRC connection of theirs that OPERed, on this node or, as
 * presence says (`there`: the strongest role a block granted one), on any),
 * with the strongest role they act with.
 */
export function operatorText(conn: IrcConnection, user: Pick<SessionUser, "key" | "role">, there?: SessionUser["role"]): string | undefined {
  let role = strongerRole(user.role, there);
  let opered = there !== undefined;
  for (const s of conn.ctx.chat.hub.userSessions(user.key)) {
    role = actingRole(role, s);
    opered ||= (s.peer as Partial<IrcConnection>).oper === true;
  }
  if (opered) return `is an IRC operator${role === "user" ? "" : ` (chatd ${role})`}`;
  return role === "moderator" || role === "admin" ? `is a chatd ${role}` : undefined;
}
