import type { ChatRecord } from "../../storage/chatlog/types.ts";
import { kindOf } from "../../storage/chatlog/types.ts";
import type { SearchIndex } from "./search-index.ts";

/**
 * The one seam between stored room events and the search index: every stored
 * event (live from the broker, or read back during a rebuild) goes through
 * here. A new kind gets its case: an edit calls `index.update(id, text)`, a
 * delete `index.remove(id)`.
 */
export function applyToIndex(index: Pick<SearchIndex, "add" | "update" | "remove">, event: ChatRecord): void {
  switch (kindOf(event)) {
    case "message":
      index.add(event);
      return;
  }
}
