import type { ChatContext } from "./context.ts";
import type { Session, SessionUser } from "./session.ts";
import { addMembership, removeMembership } from "./state/user-state.ts";

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
