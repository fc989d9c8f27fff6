import { ClientError, ErrorCode } from "../message/index.ts";
import type { IrcConnection } from "./connection.ts";
import type { IrcMessage } from "./line.ts";
import type { Reply } from "./reply.ts";
import { isNameError, normalizeName, userKey } from "./names.ts";
import { onlineByKey } from "./online.ts";
import { guestSignIn, NO_NEW_GUESTS } from "./registration.ts";
import { query } from "./queries.ts";

/**
 * NICK after registration (docs/irc.md, "Changing nick"). A guest's
 * connection becomes the guest of the new nick: its rooms follow, the old
 * name goes offline and is free, and the rooms see `:old NICK new` (on IRC)
 * or the old name leave and the new one join (`presence` with `renamedTo` /
 * `renamedFrom`, on the web), on every node. A change of case only changes how
 * the guest's name is shown. A user signed in to an account (SASL, PASS) keeps
 * the account's name: 433 when the nick is someone else's, 432 otherwise.
 * The same nick as now gives no lines at all.
 */
export function nick(conn: IrcConnection, msg: IrcMessage): void {
  const asked = msg.params[0];
  if (!asked) return conn.numeric("431", "No nickname given");
  const name = normalizeName(asked);
  if (isNameError(name)) return conn.numeric("432", asked, `Erroneous nickname: ${name.error}`);
  if (name.display === conn.nick) return;
  const own = name.key === userKey(conn.nick);
  if (!conn.guest) return accountNick(conn, msg, asked, name.key, own);
  // A name another client on this node is signing in as (or renaming to) is in use.
  if (!own && conn.ctx.guestsSigningIn.has(name.key)) return conn.numeric("433", asked, "Nickname is already in use");
  if (!own) conn.ctx.guestsSigningIn.add(name.key);
  query(conn, msg, async (out) => {
    try {
      const password = own ? undefined : await guestSignIn(conn, name.key);
      if (!own && password === undefined) return conn.num(out, "433", asked, "Nickname is already in use");
      if (password === NO_NEW_GUESTS) return conn.num(out, "432", asked, "Erroneous nickname: registration is closed (no new accounts)");
      const old = conn.ctx.renderer.source(conn.nick);
      await conn.ctx.chat.rename(conn.session, name.display, password);
      conn.nick = conn.session.user!.name;
      out.add(old, "NICK", [conn.nick]);
    } catch (error) {
      refused(conn, out, asked, error);
    } finally {
      if (!own) conn.ctx.guestsSigningIn.delete(name.key);
    }
  });
}

/** An account's nick is its name: another's is in use (433), any other is refused (432) and the nick stays. */
function accountNick(conn: IrcConnection, msg: IrcMessage, asked: string, key: string, own: boolean): void {
  if (own) return conn.numeric("432", asked, `Erroneous nickname: your nick is your account's name, ${conn.nick}`);
  query(conn, msg, async (out) => {
    const { chat } = conn.ctx;
    const taken = onlineByKey(await chat.presence.users()).has(key) || (await chat.accounts.findUser(key)) !== undefined;
    if (taken) conn.num(out, "433", asked, "Nickname is already in use");
    else conn.num(out, "432", asked, `Erroneous nickname: your nick is your account's name, ${conn.nick}`);
  });
}

/** Why a guest's rename failed, as IRC says it. */
function refused(conn: IrcConnection, out: Reply, asked: string, error: unknown): void {
  if (!(error instanceof ClientError)) throw error;
  if (error.code === ErrorCode.authFailed) return conn.num(out, "433", asked, "Nickname is registered: pick another");
  if (error.code === ErrorCode.rateLimited) return conn.num(out, "438", asked, `Nick change too fast: ${error.message}`);
  conn.num(out, "432", asked, `Erroneous nickname: ${error.message}`);
}
