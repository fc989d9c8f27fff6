import { z } from "zod";

/**
 * Limits on rooms and on the conversation-state requests (read markers,
 * topics, the room directory), kept apart so they read in one place.
 */
export const roomLimits = {
  /** Rooms the directory keeps at most (default rooms included); creating one more is `too_many_rooms`. */
  maxRooms: z.number().int().min(1).max(1_000_000).default(10_000),
  /** New rooms one user may create, per hour, after a burst of `userRoomBurst`. */
  userRoomsPerHour: z.number().positive().default(20),
  userRoomBurst: z.number().int().min(1).default(10),
  /** New rooms one address may create, per hour, after a burst of `ipRoomBurst`. */
  ipRoomsPerHour: z.number().positive().default(60),
  ipRoomBurst: z.number().int().min(1).default(30),
  /** An empty room nobody belongs to leaves the directory this long after its last member left (history stays in the log). */
  emptyRoomTtlMs: z.number().int().min(1000).default(86_400_000),
  /** Room directory changes (a new room, a topic) reach every session in one `rooms` frame at most this often. */
  roomsPushMs: z.number().int().min(0).max(60_000).default(1000),
  /** `read`, `topic`, `mode` and `rooms` requests per second per connection, after a burst of `stateRequestBurst`. */
  stateRequestsPerSecond: z.number().positive().default(10),
  stateRequestBurst: z.number().int().min(1).default(50),
};
