import { strongerRole, type Role } from "../../storage/users/types.ts";
import type { Session } from "./session.ts";

export { strongerRole };

/**
 * The role a session acts with: its user's stored role (read afresh for each
 * moderation, so a demotion counts at once), raised by what its connection
 * was granted for its lifetime (IRC OPER with an `irc.operators` block).
 * The check is made on the node the request came to; what it allows then
 * reaches every node as any moderation does (stored, then published).
 */
export function actingRole(stored: Role | undefined, session: Pick<Session, "grant">): Role | undefined {
  return strongerRole(stored, session.grant?.role);
}

export function mayModerate(role: Role | undefined): boolean {
  return role === "moderator" || role === "admin";
}

/** Log fields naming the operator block a moderation was allowed by, if the connection holds one. */
export function grantFields(session: Pick<Session, "grant">): { operator?: string } {
  return session.grant ? { operator: session.grant.operator } : {};
}
