import type { ChatRecord } from "../../storage/chatlog/types.ts";
import { kindOf } from "../../storage/chatlog/types.ts";
import type { Place, SearchIndex } from "./search-index.ts";

/**
 * The one seam between stored room events and the search index: every stored
 * event (live from the broker, or read back during a rebuild) goes through
 * here. An edit replaces the words a message is found by, a delete removes
 * it; reactions and topics are not searched.
 */
export function applyToIndex(index: Pick<SearchIndex, "add" | "replace" | "remove">, event: ChatRecord, at: Place | undefined): void {
  switch (kindOf(event)) {
    case "message":
      index.add(event as Extract<ChatRecord, { text: string; from: string }>, at);
      return;
    case "edit":
      // The text is read back from the edit's own record when a search needs it.
      if (event.kind === "edit") index.replace(event.target, event.text, { id: event.id, at });
      return;
    case "delete":
      if (event.kind === "delete") index.remove(event.target);
      return;
    case "react":
    case "topic":
    case "mode":
      return;
  }
}
