import { ClientError, ErrorCode, type InboundFrame } from "../message/index.ts";
import type { ChatContext } from "./context.ts";
import { pong } from "./frames.ts";
import type { Session } from "./session.ts";
import type { Frame } from "./handlers/types.ts";
import * as roomHandlers from "./handlers/rooms.ts";
import * as messageHandlers from "./handlers/messages.ts";
import * as directHandlers from "./handlers/direct.ts";
import * as changeHandlers from "./handlers/changes.ts";
import * as stateHandlers from "./handlers/state.ts";
import * as searchHandlers from "./handlers/search.ts";
import * as modeHandlers from "./handlers/modes.ts";
import * as tagHandlers from "./handlers/tags.ts";

/** What the dispatch needs of the service besides the handlers' context. */
export type DispatchHooks = {
  logout(session: Session): Promise<void>;
  moderate(session: Session, frame: Frame<"kick" | "mute" | "unmute">): Promise<void>;
};

/** Hands one frame of a signed-in session to its handler (handlers/*); a failure is the caller's to answer. */
export async function dispatch(ctx: ChatContext, session: Session, frame: InboundFrame, hooks: DispatchHooks): Promise<void> {
  switch (frame.type) {
    case "join":
      return await roomHandlers.join(ctx, session, frame);
    case "leave":
      return await roomHandlers.leave(ctx, session, frame);
    case "typing":
      return roomHandlers.typing(ctx, session, frame);
    case "tags":
      return await tagHandlers.tags(ctx, session, frame);
    case "say":
      return await messageHandlers.say(ctx, session, frame);
    case "history":
      return await messageHandlers.history(ctx, session, frame);
    case "dm":
      return await directHandlers.dm(ctx, session, frame);
    case "dm_history":
      return await directHandlers.dmHistory(ctx, session, frame);
    case "ping":
      return session.send(pong(frame.ref));
    case "hello":
      throw new ClientError(ErrorCode.alreadyAuthenticated, "this connection is already signed in");
    case "logout":
      return await hooks.logout(session);
    // Issue 20, search.
    case "search":
      return await searchHandlers.search(ctx, session, frame);
    // Issue 19, message changes.
    case "edit":
      return await changeHandlers.edit(ctx, session, frame);
    case "delete":
      return await changeHandlers.remove(ctx, session, frame);
    case "react":
      return await changeHandlers.react(ctx, session, frame);
    case "kick":
    case "mute":
    case "unmute":
      return await hooks.moderate(session, frame);
    // Conversation state.
    case "rooms":
      return await stateHandlers.rooms(ctx, session, frame);
    case "read":
      return await stateHandlers.read(ctx, session, frame);
    case "topic":
      return await stateHandlers.topic(ctx, session, frame);
    case "mode":
      return await modeHandlers.mode(ctx, session, frame);
    case "password":
      return await stateHandlers.password(ctx, session, frame);
  }
}
