import type { InboundFrame } from "../../message/index.ts";

/** The inbound frame of one type. */
export type Frame<T extends InboundFrame["type"]> = Extract<InboundFrame, { type: T }>;

/** How many messages one `history` or `dm_history` answer holds unless asked (besides limits.historyPerRoom). */
export const HISTORY_PAGE_DEFAULT = 50;
/** The most messages one `history` or `dm_history` answer holds (besides limits.historyPerRoom). */
export const HISTORY_PAGE_MAX = 1000;
