import type { BusEvent } from "../../storage/bus/types.ts";
import type { Config } from "../config/schema.ts";
import type { Logger } from "../log.ts";
import type { Hub } from "./hub.ts";
import type { AbuseLimits } from "./limits.ts";
import type { StateLimits } from "./state/caps.ts";
import { deliverTags, tagsNotice } from "./handlers/tags.ts";
import type { Moderation } from "./moderation.ts";
import { presenceDetail } from "./room-presence.ts";
import type { OperatorActions } from "./operator.ts";

/**
 * What the bus carries (events that are not stored: notices, typing,
 * presence, moderation, a reset) applied to this node's sessions. Stored room
 * events come through the broker instead (see ChatService).
 */
export function busConsumer(deps: {
  config: Config;
  hub: Hub;
  abuse: Pick<AbuseLimits, "recordSignIn" | "recordAccount">;
  stateLimits: Pick<StateLimits, "recordCreation">;
  moderation: Pick<Moderation, "apply">;
  operator: Pick<OperatorActions, "resync">;
  logger: Logger;
  /** This node's name on the bus: its own typing and presence were told to its sessions already. */
  origin: string;
}): (event: BusEvent) => void {
  const { config, hub, abuse, stateLimits, moderation, operator, logger, origin } = deps;
  return (event) => {
    switch (event.kind) {
      case "notice":
        // Every node's welcome shows the motd an operator set on any node.
        if (event.noticeKind === "motd") config.motd = event.text;
        return hub.toAll({ type: "notice", text: event.text, kind: event.noticeKind, ts: event.ts });
      case "typing":
        if (event.origin !== origin) hub.toRoom(event.room, { type: "typing", room: event.room, user: event.user });
        return;
      case "tags":
        if (event.origin !== origin) deliverTags(hub, tagsNotice(event), event.keys);
        return;
      case "presence":
        if (event.origin !== origin) hub.toRoomPresence(event.room, { type: "presence", room: event.room, user: event.user, event: event.event, ...presenceDetail(event) });
        return;
      case "away":
        if (event.origin !== origin) hub.toAway(event.rooms, event.user, event.text);
        return;
      case "sign-in":
        if (event.origin !== origin) abuse.recordSignIn(event);
        return;
      case "new-account":
        if (event.origin !== origin) abuse.recordAccount(event.address);
        return;
      case "room-creation":
        if (event.origin !== origin) stateLimits.recordCreation(event.user, event.address);
        return;
      case "reset":
        logger.warn("bus was interrupted: closing connections so clients resync");
        return operator.resync();
      case "moderation":
        return moderation.apply(event.user, event.change);
    }
  };
}
