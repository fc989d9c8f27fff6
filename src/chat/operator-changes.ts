import type { Accounts } from "../accounts/accounts.ts";
import type { Broker } from "../../storage/broker/types.ts";
import type { Bus } from "../../storage/bus/types.ts";
import type { Amendments } from "./amendments.ts";
import { releaseFilesOf, type Attachments } from "./attachments.ts";
import { findAnywhere } from "./pages.ts";
import { checkName } from "../message/index.ts";

/** Who an operator's deletion is stored as done by (not a user name: those cannot start with @). */
const OPERATOR = "@operator";

/**
 * Deletes a message for an operator (the admin API), as a moderator's
 * deletion: stored, then `deleted` to its members; the files no other
 * message shares are removed. False if there is no such message (or it is
 * already deleted).
 */
export async function deleteMessage(
  deps: { broker: Pick<Broker, "history" | "streams" | "publish">; amendments: Amendments; attachments: Attachments },
  id: string,
): Promise<boolean> {
  await deps.amendments.ready;
  const message = await findAnywhere(deps.broker, deps.amendments, id);
  if (!message) return false;
  const where = { room: message.room, target: message.id, author: message.from, ...(message.to === undefined ? {} : { to: message.to }) };
  await deps.broker.publish({ kind: "delete", ...where, by: OPERATOR });
  await releaseFilesOf(deps.attachments, message);
  return true;
}

/**
 * Sets a user's password for an operator: every token of the user stops
 * working and every session (on every node) closes with 4002. Resolves to the
 * user's name as their account spells it (as kick, ban and role answer);
 * undefined when there is no such user; `bad_name` for a name that breaks the
 * naming rule (the admin API's 400, as for kick); `bad_password` when it is
 * too short or too long.
 */
export async function setPassword(
  deps: { accounts: Pick<Accounts, "setPassword" | "revoke" | "findUser">; bus: Bus },
  name: string,
  password: string,
): Promise<string | undefined> {
  const n = checkName(name);
  const token = await deps.accounts.setPassword(n.key, password);
  if (!token) return undefined;
  // The token is nobody's: the user signs in with the new password.
  await deps.accounts.revoke(token);
  const account = (await deps.accounts.findUser(n.key))!;
  await deps.bus.publish({ kind: "password", user: account.key });
  return account.name;
}
