// Requests whose answer someone waits for (a dialog, a menu action): matched by
// `ref` (ack, moderated, error), or by room / user for answers without one.
import { send } from "./connection.js";
import { newRef } from "./state.js";
import { nameKey } from "./text.js";

const byRef = new Map(); // ref -> handler(frame)
const joins = new Map(); // room key -> handler(frame) for the `joined` that answers a `join`
const lookups = new Map(); // user key -> handler(frame) for a `dm_history` sent to look a user up

/**
 * Sends `frame` with a fresh ref; `handler` gets the frame that answers it, or
 * `{type:"error", code:"offline"}` when it cannot be sent or the connection drops.
 */
export function request(frame, handler) {
  const ref = newRef("r");
  if (!send({ ...frame, ref })) {
    handler({ type: "error", code: "offline" });
    return;
  }
  byRef.set(ref, handler);
  if (frame.type === "join") joins.set(nameKey(frame.room), handler);
}

/** Looks a user up with `dm_history {with, limit: 1}`; the handler gets the answer. */
export function lookUpUser(name, handler) {
  if (!send({ type: "dm_history", with: name, limit: 1 })) {
    handler({ type: "error", code: "offline" });
    return;
  }
  lookups.set(nameKey(name), handler);
}

/** Hands an answer to whoever waits for it; false if nobody does. */
export function answer(frame) {
  let handler;
  if (frame.type === "joined") {
    handler = joins.get(nameKey(frame.room));
    joins.delete(nameKey(frame.room));
    for (const [ref, h] of byRef) if (h === handler) byRef.delete(ref);
  } else if (frame.type === "dm_history") {
    handler = lookups.get(nameKey(frame.with));
    lookups.delete(nameKey(frame.with));
  } else if (frame.ref !== undefined) {
    handler = byRef.get(String(frame.ref));
    byRef.delete(String(frame.ref));
    for (const [room, h] of joins) if (h === handler) joins.delete(room);
  }
  if (!handler) return false;
  handler(frame);
  return true;
}

/** The connection dropped: answers to what was sent on it will never come. */
export function failRequests() {
  const waiting = new Set([...byRef.values(), ...joins.values(), ...lookups.values()]);
  byRef.clear();
  joins.clear();
  lookups.clear();
  for (const handler of waiting) handler({ type: "error", code: "offline" });
}
