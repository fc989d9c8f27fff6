import { activeBetween } from "../chat/activity.ts";
import type { IrcConnection } from "./connection.ts";
import type { IrcMessage } from "./line.ts";
import { CHATHISTORY_MAX } from "./isupport.ts";

/**
 * `CHATHISTORY TARGETS <timestamp=a> <timestamp=b> <limit>`: the channels the
 * client's account belongs to and the nicks it has a direct conversation with
 * whose latest message is strictly between the two times, oldest first, as
 * `CHATHISTORY TARGETS <target> <time of that message>` in a
 * `draft/chathistory-targets` batch. Read from the account's memberships and
 * conversations index (see src/chat/activity.ts), never a whole log.
 */
export function chathistoryTargets(conn: IrcConnection, msg: IrcMessage): void {
  const [, first = "", second = "", limitText = ""] = msg.params;
  const out = conn.reply(msg);
  const fail = (code: string, param: string, text: string) => {
    conn.fail(out, "CHATHISTORY", code, param || "*", text);
    out.release();
  };
  const a = timestamp(first);
  if (a === undefined) return fail("INVALID_PARAMS", first, "expected timestamp=<time>");
  const b = timestamp(second);
  if (b === undefined) return fail("INVALID_PARAMS", second, "expected timestamp=<time>");
  const limit = Number(limitText);
  if (!Number.isInteger(limit) || limit < 1) return fail("INVALID_PARAMS", limitText, "limit must be a positive integer");
  const { chat } = conn.ctx;
  const read = async () => {
    const user = await chat.accounts.findUser(conn.session.user!.name);
    return user ? activeBetween(chat.broker, user, Math.min(a, b), Math.max(a, b), Math.min(limit, CHATHISTORY_MAX)) : [];
  };
  read().then(
    (found) => {
      const batch = conn.batches ? conn.batchId() : undefined;
      if (batch) out.add(conn.server, "BATCH", [`+${batch}`, "draft/chathistory-targets"]);
      const tags: Array<[string, string]> = batch ? [["batch", batch]] : [];
      for (const t of found) out.add(conn.server, "CHATHISTORY", ["TARGETS", "room" in t ? `#${t.room}` : t.with, new Date(t.ts).toISOString()], tags);
      if (batch) out.add(conn.server, "BATCH", [`-${batch}`]);
      out.release();
    },
    (error: unknown) => {
      conn.ctx.logger.warn("irc chathistory targets failed", { error: (error as Error).message });
      fail("MESSAGE_ERROR", "TARGETS", "history is not available right now");
    },
  );
}

/** `timestamp=<ISO time>` in ms since the epoch. */
export function timestamp(ref: string): number | undefined {
  if (!ref.startsWith("timestamp=")) return undefined;
  const ms = Date.parse(ref.slice(10));
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}
