import { maskMatcher } from "./mask.ts";

/**
 * LIST's filters (ELIST=MNU): `LIST [<item>{,<item>}] [<item>{,<item>}]`
 * where an item is a mask the channel must match (M; several: any of them),
 * `!mask` one it must not match (N), or `>n` / `<n` a member count it must
 * be above / below (U). Masks match `#room` (a mask without `#` matches the
 * name with or without it) with `*` and `?`, without regard to case.
 */
export type ListFilter = {
  masks: Array<(channel: string) => boolean>;
  notMasks: Array<(channel: string) => boolean>;
  above?: number;
  below?: number;
  /** A substring every listed name has (from the one mask, if one): the directory's `query`, so it walks past the rest. */
  hint?: string;
};

/** The directory's `query` is at most this long. */
const HINT_MAX = 100;

export function parseListFilter(params: readonly string[]): ListFilter {
  const filter: ListFilter = { masks: [], notMasks: [] };
  const masks: string[] = [];
  for (const item of params.flatMap((p) => p.split(",")).filter((i) => i !== "")) {
    const count = /^([<>])(\d+)$/.exec(item);
    if (count) {
      if (count[1] === ">") filter.above = Math.max(filter.above ?? 0, Number(count[2]));
      else filter.below = Math.min(filter.below ?? Infinity, Number(count[2]));
    } else if (/^[CT][<>]\d+$/i.test(item)) {
      // Creation and topic times (ELIST C and T) are not offered: ignored, as unknown conditions are.
      continue;
    } else if (item.startsWith("!")) {
      if (item.length > 1) filter.notMasks.push(channelMatcher(item.slice(1)));
    } else {
      masks.push(item);
      filter.masks.push(channelMatcher(item));
    }
  }
  if (masks.length === 1) {
    const hint = literalRun(masks[0]!);
    if (hint !== undefined) filter.hint = hint;
  }
  return filter;
}

/** Whether a room of the directory's page is listed. */
export function listed(filter: ListFilter, room: { name: string; members: number }): boolean {
  const channel = `#${room.name}`;
  if (filter.above !== undefined && !(room.members > filter.above)) return false;
  if (filter.below !== undefined && !(room.members < filter.below)) return false;
  if (filter.masks.length > 0 && !filter.masks.some((m) => m(channel))) return false;
  return !filter.notMasks.some((m) => m(channel));
}

function channelMatcher(mask: string): (channel: string) => boolean {
  const exact = maskMatcher(mask);
  if (mask.startsWith("#")) return exact;
  return (channel) => exact(channel) || exact(channel.slice(1));
}

/** The longest run of the mask without wildcards (after its leading `#`), if there is one the directory can search for. */
function literalRun(mask: string): string | undefined {
  const body = mask.startsWith("#") ? mask.slice(1) : mask;
  if (body.includes("#")) return undefined;
  const longest = body.split(/[*?]/).reduce((a, b) => (b.length > a.length ? b : a), "");
  return longest !== "" && longest.length <= HINT_MAX ? longest : undefined;
}
