import { CloseCode } from "../../message/index.ts";
import type { BusEvent } from "../../../storage/bus/types.ts";
import type { Hub } from "../hub.ts";
import type { RoomDirectory } from "./directory.ts";

/**
 * Conversation state told on the bus, applied to this node's sessions: room
 * directory changes (a room created or forgotten), a read marker to the
 * user's other sessions, a password change closing the user's other sessions.
 */
export function stateConsumer(deps: { hub: Hub; directory: Pick<RoomDirectory, "apply">; origin: string }): (event: BusEvent) => void {
  const { hub, directory, origin } = deps;
  return (event) => {
    switch (event.kind) {
      case "room":
        return directory.apply(event.action, event.room);
      case "read": {
        const mine = event.origin === origin;
        const frame = event.room !== undefined ? { type: "read" as const, room: event.room, id: event.id } : { type: "read" as const, with: event.with!, id: event.id };
        const others = [...hub.userSessions(event.user)].filter((s) => !(mine && s.id === event.session));
        return hub.toSessions(others, frame);
      }
      case "password":
        for (const s of [...hub.userSessions(event.user)]) {
          if (event.keep && event.keep.origin === origin && event.keep.session === s.id) continue;
          s.peer.close(CloseCode.passwordChanged, "password changed");
        }
        return;
    }
  };
}
