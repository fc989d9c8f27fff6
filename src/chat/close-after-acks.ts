import type { Session } from "./session.ts";

/**
 * Closes a connection only once the `say`/`dm` it sent before have been
 * answered. An `ack` comes once the message is durable (after the log's
 * fsync), so a client bursting `say` frames got its rate_limited errors at
 * once and its acks a few ms later: a close on the 50th error (abuse) went out
 * first and the 20 acks of messages that were stored and delivered were lost.
 * Now every ack and error sent before the close reaches the client, then the
 * close.
 */
const pending = new WeakMap<Session, number>();
const closeWhenSettled = new WeakMap<Session, { code: number; reason: string }>();

/** Counts `answered` (a store followed by its ack or error) as outstanding until it settles. */
export function answerBeforeClose(session: Session, answered: Promise<unknown>): void {
  pending.set(session, (pending.get(session) ?? 0) + 1);
  const settled = () => {
    const left = (pending.get(session) ?? 1) - 1;
    if (left > 0) return void pending.set(session, left);
    pending.delete(session);
    const close = closeWhenSettled.get(session);
    if (close) {
      closeWhenSettled.delete(session);
      session.peer.close(close.code, close.reason);
    }
  };
  answered.then(settled, settled);
}

/** Closes now if nothing is outstanding, else as soon as the last outstanding answer is sent. */
export function closeAfterAnswers(session: Session, code: number, reason: string): void {
  session.takeNoMore();
  if ((pending.get(session) ?? 0) === 0) return session.peer.close(code, reason);
  if (!closeWhenSettled.has(session)) closeWhenSettled.set(session, { code, reason });
}
