import { z } from "zod";

/**
 * Config for abuse and fault handling, kept apart from the core schema so the
 * list of limits reads in one place. Every field has a default.
 */
export const hardeningLimits = {
  maxConnectionsPerIp: z.number().int().min(1).default(100),
  maxSessionsPerUser: z.number().int().min(1).default(20),
  heartbeatMs: z.number().int().min(50).default(30_000),
  headersTimeoutMs: z.number().int().min(100).default(10_000),
  requestTimeoutMs: z.number().int().min(100).default(30_000),
  maxHeaderBytes: z.number().int().min(1024).max(1024 * 1024).default(16 * 1024),
  ipMessagesPerSecond: z.number().positive().default(100),
  ipMessageBurst: z.number().int().min(1).default(200),
  joinsPerSecond: z.number().positive().default(5),
  joinBurst: z.number().int().min(1).default(100),
  ipJoinsPerSecond: z.number().positive().default(20),
  ipJoinBurst: z.number().int().min(1).default(300),
  signInsPerMinute: z.number().positive().default(10),
  signInBurst: z.number().int().min(1).default(10),
  ipSignInsPerMinute: z.number().positive().default(60),
  ipSignInBurst: z.number().int().min(1).default(100),
  signInFailureDelayMs: z.number().int().min(0).default(500),
  signInFailureDelayMaxMs: z.number().int().min(0).default(60_000),
  ipAccountsPerHour: z.number().positive().default(20),
  ipAccountBurst: z.number().int().min(1).default(50),
  // `typing`: a connection's rate (over it: rate_limited), and at most one notice per user and room per interval reaches the room.
  typingPerSecond: z.number().positive().default(5),
  typingBurst: z.number().int().min(1).default(20),
  typingIntervalMs: z.number().int().min(0).default(2000),
  // `history` and `dm_history`: messages a connection and an address may ask for, charged before the read.
  historyMessagesPerSecond: z.number().positive().default(500),
  historyMessageBurst: z.number().int().min(1).default(2000),
  ipHistoryMessagesPerSecond: z.number().positive().default(2000),
  ipHistoryMessageBurst: z.number().int().min(1).default(10_000),
  abuseStrikes: z.number().int().min(1).default(50),
  abuseWindowMs: z.number().int().min(100).default(10_000),
};

export const security = z
  .strictObject({
    /** Origins (scheme://host[:port]) allowed to open /ws besides the daemon's own; "*" allows any. */
    allowedOrigins: z.array(z.string().refine(isOriginEntry, { message: 'expected "*" or an origin: http(s)://host[:port], nothing after it' })).default([]),
    /** Non-browser clients send no Origin; browsers always do. */
    allowMissingOrigin: z.boolean().default(true),
  })
  .prefault({});

/**
 * "*" or a bare origin. Anything else ("chat.example.com", a path) could never
 * equal a browser's Origin header: refused at start rather than silently
 * matching nothing.
 */
function isOriginEntry(entry: string): boolean {
  if (entry === "*") return true;
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return false;
  }
  return (url.protocol === "https:" || url.protocol === "http:") && (entry === url.origin || entry === `${url.origin}/`);
}
