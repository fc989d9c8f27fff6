import { checkName } from "../message/index.ts";

/** Normalised room name, or `bad_name`. */
export function roomKey(input: string): string {
  const known = roomKeys.get(input);
  if (known !== undefined) return known;
  const n = checkName(input, "room");
  // Every `say` names its room: remember recent answers (normalising is pure) rather than redo NFKC each time.
  if (roomKeys.size >= ROOM_KEYS_KEPT) roomKeys.clear();
  roomKeys.set(input, n.key);
  return n.key;
}
const ROOM_KEYS_KEPT = 10_000;
const roomKeys = new Map<string, string>();
