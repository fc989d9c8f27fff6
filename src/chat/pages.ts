import { ClientError, ErrorCode } from "../message/index.ts";
import type { Broker } from "../../storage/broker/types.ts";
import { formatId, parseId } from "../../storage/chatlog/ids.ts";
import { dmRoom } from "../../storage/chatlog/room-keys.ts";
import type { UserStore } from "../../storage/users/types.ts";
import { isMessage, type HistoryPage, type HistoryQuery, type MessageRecord } from "../../storage/chatlog/types.ts";
import type { Amendments } from "./amendments.ts";
import type { Session } from "./session.ts";

/**
 * A page of a stream's messages. Amendment and topic records (issue 19) share
 * the stream with the messages and are left out here (pages are folded with
 * the Amendments state instead), so a page back is read further until it
 * holds `limit` messages or reaches the oldest record kept. It is read one
 * message further than `limit`, so that `complete` says whether an older
 * message is kept, not merely an older record (a topic, or a change that
 * outlived its message).
 */
export async function messagePage(broker: Pick<Broker, "history">, room: string, query: HistoryQuery): Promise<HistoryPage> {
  // With `after` the page already holds everything after it (the limit is all that is kept).
  if (query.after !== undefined) {
    const page = await broker.history(room, query);
    return page.messages.every(isMessage) ? page : { messages: page.messages.filter(isMessage), complete: page.complete };
  }
  const wanted = query.limit + 1;
  let page = await broker.history(room, { ...query, limit: wanted });
  let messages = page.messages.filter(isMessage);
  let complete = page.complete;
  while (messages.length < wanted && !complete && page.messages.length > 0) {
    page = await broker.history(room, { before: page.messages[0]!.id, limit: wanted - messages.length });
    messages = [...page.messages.filter(isMessage), ...messages];
    complete = page.complete;
  }
  return messages.length > query.limit ? { messages: messages.slice(messages.length - query.limit), complete: false } : { messages, complete };
}

/** The greatest message id. */
const LAST_ID = "9999999999999-999999";

/** The smallest id greater than `id` (so `before` it reaches `id` itself). */
function nextId(id: string): string {
  const { ms, seq } = parseId(id)!;
  return seq >= 999_999 ? formatId(ms + 1, 0) : formatId(ms, seq + 1);
}

/** The message with this id in the stream, if it is there (not an amendment). */
export async function findInStream(broker: Pick<Broker, "history">, stream: string, id: string): Promise<MessageRecord | undefined> {
  // A malformed id names no message (a `replyTo` of one is `not_found`, as an unknown id is).
  if (!parseId(id)) return undefined;
  // The greatest id has no next one: the newest record is then the one to look at.
  const { messages } = await broker.history(stream, id === LAST_ID ? { limit: 1 } : { before: nextId(id), limit: 1 });
  const record = messages[0];
  return record && record.id === id && isMessage(record) ? record : undefined;
}

const notFound = () => new ClientError(ErrorCode.notFound, "no such message");

/**
 * The message `id` as the session may see it: in a room the session is in or
 * the user belongs to, or in one of the user's conversations; not deleted.
 * `not_found` otherwise. Each of those streams is asked once (a binary search
 * of its index, and a read of one line when it is not in memory).
 */
export async function findVisible(
  broker: Pick<Broker, "history">,
  amendments: Amendments,
  users: Pick<UserStore, "get">,
  session: Session,
  id: string,
): Promise<MessageRecord> {
  if (!parseId(id) || amendments.isDeleted(id)) throw notFound();
  const me = session.user!.key;
  const record = await users.get(me);
  const streams = new Set<string>([...session.rooms, ...(record?.rooms ?? [])]);
  for (const c of record?.conversations ?? []) streams.add(dmRoom(me, c.key));
  for (const stream of streams) {
    const found = await findInStream(broker, stream, id);
    if (found) return found;
  }
  throw notFound();
}

/** Any stored, not deleted message `id` (the admin API), or undefined. */
export async function findAnywhere(broker: Pick<Broker, "history" | "streams">, amendments: Amendments, id: string): Promise<MessageRecord | undefined> {
  if (!parseId(id) || amendments.isDeleted(id)) return undefined;
  for (const stream of broker.streams()) {
    const found = await findInStream(broker, stream, id);
    if (found) return found;
  }
  return undefined;
}
