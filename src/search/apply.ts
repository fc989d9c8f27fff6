import type { ChatRecord } from "../../storage/chatlog/types.ts";
import { kindOf } from "../../storage/chatlog/types.ts";
import type { Place, SearchIndex } from "./search-index.ts";

/**
 * The one seam between stored room events and the search index: every stored
 * event (live from the broker, or read back during a rebuild) goes through
 * here. A new kind gets its case, one line each: an edit calls
 * `index.replace(id, text)`, a delete `index.remove(id)`.
 */
export function applyToIndex(index: Pick<SearchIndex, "add" | "replace" | "remove">, event: ChatRecord, at: Place | undefined): void {
  switch (kindOf(event)) {
    case "message":
      index.add(event, at);
      return;
  }
}
