import { checkName, type ClientError } from "../message/index.ts";
import type { Accounts } from "../accounts/accounts.ts";
import type { Logger } from "../log.ts";
import type { Role } from "../../storage/users/types.ts";
import type { ChatContext } from "./context.ts";
import type { Session, SessionUser } from "./session.ts";
import type { Admission } from "./sign-in.ts";
import type { Frame } from "./handlers/types.ts";
import { addMembership, removeMembership } from "./state/user-state.ts";

type RenameDeps = {
  ctx: ChatContext;
  accounts: Pick<Accounts, "revoke">;
  logger: Logger;
  authenticate(hello: Frame<"hello">, session: Session): Admission | Promise<Admission>;
  refusal(admission: Admission): ClientError | undefined;
  remember(admission: Admission): Role;
};

/**
 * The session's user becomes `name`: another account is signed in to as a
 * `hello` would be, under the same limits (the connection's sign-in rate
 * among them), then the session moves to it (renameSession); the same name
 * in another case needs no password. Throws the sign-in's ClientError.
 */
export async function renameAs(deps: RenameDeps, session: Session, name: string, password?: string): Promise<void> {
  const from = session.user!;
  const key = checkName(name).key;
  if (key === from.key) return renameSession(deps.ctx, session, { ...from, name });
  const admission = await deps.authenticate({ type: "hello", user: name, password: password ?? "" }, session);
  const refused = deps.refusal(admission);
  if (refused) {
    if (admission.token) deps.accounts.revoke(admission.token).catch(() => {});
    throw refused;
  }
  const role = deps.remember(admission);
  const { user } = admission;
  const old = session.token;
  session.token = admission.token;
  if (old) deps.accounts.revoke(old).catch(() => {});
  await renameSession(deps.ctx, session, { key: user.key, name: user.name === user.key ? user.key : user.name, role });
  deps.logger.info("renamed", { from: from.name, to: user.name, session: session.id });
}

/**
 * The session's user becomes `to` (an IRC guest's NICK, docs/irc.md): the
 * session stays in its rooms, which follow it (the new account belongs to
 * them, the old one no longer does), and each room hears the old name leave
 * with `renamedTo` and the new one join with `renamedFrom` (on every node, as
 * any presence change). A change of case only (`to.key` is the old key)
 * changes how the name is shown from now on. Runs in the session's inbox, so
 * frames sent before it are handled under the old name, those after under the new.
 */
export async function renameSession(ctx: Pick<ChatContext, "hub" | "presence" | "users" | "directory">, session: Session, to: SessionUser): Promise<void> {
  const from = session.user!;
  const rooms = [...session.rooms];
  ctx.hub.rename(session, to);
  const store = ctx.presence.store;
  for (const room of rooms) {
    // One after the other: in the presence store a case change is the same user under another display name.
    const gone = await store.exit(room, from.name);
    const first = await store.enter(room, to.name);
    if (gone) ctx.presence.announce(room, from.name, "leave", session, { renamedTo: to.name });
    if (first) ctx.presence.announce(room, to.name, "join", session, { renamedFrom: from.name });
  }
  if (from.key !== to.key) {
    // Read markers stay behind (the old account's room ones go with its membership): only a `read`
    // frame sets one, which an IRC connection never sends, so a guest has none to carry.
    for (const room of rooms) {
      const added = await addMembership(ctx.users, to.key, room);
      const removed = await removeMembership(ctx.users, from.key, room);
      if (added !== removed) await ctx.directory.changeMembers(room, added ? 1 : -1);
    }
  }
  // The old name is offline now (for a guest asking for it next, on any node), the new one online.
  if (from.key === to.key) await store.setLocal(from.name, undefined).catch(() => {});
  else await ctx.presence.syncLocal(from.key, from.name);
  await ctx.presence.syncLocal(to.key, to.name);
}
